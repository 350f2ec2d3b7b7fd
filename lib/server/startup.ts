// What the server does once when it starts: check the settings, open and migrate the database,
// create the first admin from MEMORIC_ADMIN_*, record system.startup, and keep the statistics
// roll-up running.
import { recordAuditEvent } from "@/lib/audit/record";
import { createCheckpoint, sealPendingEvents } from "@/lib/audit/integrity";
import { auditKeys } from "@/lib/audit/keys";
import { runRetention } from "@/lib/audit/retention";
import { rollUpAuditSummaries } from "@/lib/audit/stats";
import { closeDb, getDatabaseHandle, type Database } from "@/lib/db/client";
import { env, EnvError, type Env } from "@/lib/env";
import { BackgroundJobs } from "@/lib/server/background";
import { createUser, findUserByUsername } from "@/lib/users/service";

export const SYSTEM_ACTOR = { userId: "system", username: "system" } as const;

/** Creates the admin named by MEMORIC_ADMIN_* unless that user exists already. */
export async function ensureAdminFromEnv(db: Database, settings: Env): Promise<"created" | "exists" | "not configured"> {
  const username = settings.MEMORIC_ADMIN_USERNAME;
  const password = settings.MEMORIC_ADMIN_PASSWORD;
  if (!username || !password) return "not configured";
  if (await findUserByUsername(db, username)) return "exists";
  const created = await createUser(
    db,
    {
      username,
      password,
      email: settings.MEMORIC_ADMIN_EMAIL ?? `${username}@memoric.local`,
      fullName: "Administrator",
      roles: ["admin", "user"],
    },
    { ...SYSTEM_ACTOR, source: "bootstrap" },
  );
  return created ? "created" : "exists";
}

type ShutdownHook = (signal: string) => Promise<void>;

/** Runs on SIGTERM/SIGINT (server.mjs calls the hooks before the process exits). */
function onShutdown(hook: ShutdownHook): void {
  const holder = globalThis as unknown as { __memoricShutdownHooks?: ShutdownHook[] };
  (holder.__memoricShutdownHooks ??= []).push(hook);
}

/** Starts the server's services; a bad setting or an unreachable database stops the process. */
export async function startServer(): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(`[memoric] ${error.message}\n[memoric] Fix the settings above and start again.`);
    } else {
      console.error("[memoric] start-up failed:", error instanceof Error ? error.message : error);
    }
    process.exit(1);
  }
}

/** How often the sealer binds committed events into the tree: an event's sealing delay. */
export const SEAL_SECONDS = 1;

async function start(): Promise<void> {
  const settings = env();
  // A bad signing key stops start-up here rather than at the first checkpoint.
  const keys = auditKeys();
  const handle = await getDatabaseHandle();
  const admin = await ensureAdminFromEnv(handle.db, settings);
  await recordAuditEvent(handle.db, {
    ...SYSTEM_ACTOR,
    eventType: "system.startup",
    action: "startup",
    resourceType: "system",
    metadata: { engine: handle.engine, node: process.version, pid: process.pid, admin_bootstrap: admin, audit_key_id: keys.keyId },
  });
  const jobs = new BackgroundJobs();
  jobs.every(settings.MEMORIC_AUDIT_ROLLUP_SECONDS, "audit roll-up", () => rollUpAuditSummaries(handle.db));
  jobs.every(SEAL_SECONDS, "audit sealer", () => sealPendingEvents(handle.db));
  jobs.every(settings.MEMORIC_CHECKPOINT_SECONDS, "audit checkpoint", () => createCheckpoint(handle.db, "interval", { onlyIfGrown: true }));
  if (settings.MEMORIC_RETENTION_INTERVAL_HOURS > 0) {
    jobs.every(settings.MEMORIC_RETENTION_INTERVAL_HOURS * 3600, "audit retention", () => runRetention(handle.db));
  }
  onShutdown(async (signal) => {
    // Runs in flight finish first: the last roll-up and checkpoint below then see all they wrote,
    // and none is cut off when the pools close.
    await jobs.stop();
    await recordAuditEvent(handle.db, {
      ...SYSTEM_ACTOR,
      eventType: "system.shutdown",
      action: "shutdown",
      resourceType: "system",
      metadata: { signal, pid: process.pid, uptime_seconds: Math.round(process.uptime()) },
    });
    await rollUpAuditSummaries(handle.db).catch(() => undefined);
    await createCheckpoint(handle.db, "interval", { onlyIfGrown: true }).catch(() => undefined);
    await closeDb();
  });
  console.log(
    `[memoric] ready: database ${handle.engine === "pglite" ? `PGlite in ${settings.MEMORIC_DATA_DIR}` : "PostgreSQL"}, ` +
      `audit logging ${settings.MEMORIC_AUDIT_ENABLED ? "on" : "off"}, admin ${admin}`,
  );
}
