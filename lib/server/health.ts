// Readiness: the database answers and every migration in drizzle/ has been applied.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { getDatabaseHandle, migrationsFolder, selectRows, type Database } from "@/lib/db/client";
import { env } from "@/lib/env";

export interface Readiness {
  status: "ready" | "not_ready";
  details: {
    database: string;
    engine?: string;
    migrations?: string;
    authentication: string;
    audit_logging: string;
  };
}

async function expectedMigrations(): Promise<number> {
  const journal = JSON.parse(await readFile(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

async function appliedMigrations(db: Database): Promise<number> {
  const [row] = await selectRows<{ applied: number }>(
    db,
    sql`select count(distinct hash)::int as applied from drizzle.__drizzle_migrations`,
  );
  return Number(row?.applied ?? 0);
}

export async function checkReadiness(): Promise<Readiness> {
  const settings = env();
  const details: Readiness["details"] = {
    database: "unavailable",
    authentication: settings.MEMORIC_JWT_SECRET ? "configured" : "development secret",
    audit_logging: settings.MEMORIC_AUDIT_ENABLED ? "enabled" : "disabled",
  };
  try {
    const handle = await getDatabaseHandle();
    const [applied, expected] = await Promise.all([appliedMigrations(handle.db), expectedMigrations()]);
    details.database = "connected";
    details.engine = handle.engine;
    details.migrations = `${applied}/${expected} applied`;
    return { status: applied >= expected ? "ready" : "not_ready", details };
  } catch (error) {
    console.error("[memoric] readiness check failed:", error instanceof Error ? error.message : error);
    return { status: "not_ready", details };
  }
}
