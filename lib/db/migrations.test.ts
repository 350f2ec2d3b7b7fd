// The migrations' journal: drizzle's migrator applies a migration only when its journal time is
// later than the newest one a database has, so times must grow with the order (0014 was generated
// with a time before 0013's hand-written one, and a database that had 0013 never got it).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate as drizzleMigrate } from "drizzle-orm/pglite/migrator";
import { describe, expect, it } from "vitest";
import { connect, migrate, migrationsFolder, selectRows } from "./client";

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}
const journal = JSON.parse(readFileSync(path.join(migrationsFolder, "meta", "_journal.json"), "utf8")) as Journal;

describe("the migrations' journal", () => {
  it("lists every SQL file once, in order, with times that grow with the order", () => {
    const files = readdirSync(migrationsFolder).filter((f) => f.endsWith(".sql")).sort();
    expect(journal.entries.map((e) => `${e.tag}.sql`)).toEqual(files);
    journal.entries.forEach((entry, i) => {
      expect(entry.idx).toBe(i);
      if (i > 0) expect(entry.when, `${entry.tag} after ${journal.entries[i - 1]!.tag}`).toBeGreaterThan(journal.entries[i - 1]!.when);
    });
  });

  it("brings a database migrated before the newest migration up to date", async () => {
    // The folder as it was one migration ago, then the real one.
    const older = mkdtempSync(path.join(tmpdir(), "memoric-migrations-"));
    try {
      cpSync(migrationsFolder, older, { recursive: true });
      const last = journal.entries.at(-1)!;
      writeFileSync(path.join(older, "meta", "_journal.json"), JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }));
      rmSync(path.join(older, `${last.tag}.sql`));
      expect(existsSync(path.join(older, `${last.tag}.sql`))).toBe(false);

      const handle = await connect({});
      try {
        await drizzleMigrate(handle.db as Parameters<typeof drizzleMigrate>[0], { migrationsFolder: older });
        const count = async () => (await selectRows<{ n: number }>(handle.db, sql`select count(distinct hash)::int as n from drizzle.__drizzle_migrations`))[0]!.n;
        expect(await count()).toBe(journal.entries.length - 1);
        await migrate(handle);
        expect(await count()).toBe(journal.entries.length);
      } finally {
        await handle.close();
      }
    } finally {
      rmSync(older, { recursive: true, force: true });
    }
  });
});
