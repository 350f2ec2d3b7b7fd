// The search day as TypeScript computes it equals the SQL the roll-up, erasure and the search
// document use, at day boundaries too; the search document's body of migration 0015 gives what
// the body the search index was built with (0010) gives.
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrationsFolder, selectRows } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { searchDayOf, searchDaySql, searchDayStart } from "./search-day";

const instants = ["2000-01-01T00:00:00.000Z", "1999-12-31T23:59:59.999Z", "2026-12-04T00:00:00.000Z", "2026-12-03T23:59:59.999Z", "2026-12-04T01:42:47.830Z", "1970-01-01T00:00:00.000Z"];

describe("search days", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  it("counts UTC days since 2000-01-01", () => {
    expect(searchDayOf(new Date("2000-01-01T00:00:00Z"))).toBe(0);
    expect(searchDayOf(new Date("1999-12-31T23:59:59.999Z"))).toBe(-1);
    expect(searchDayOf(new Date("2026-12-04T01:42:47.830Z"))).toBe(9834);
    expect(searchDayStart(9834)).toEqual(new Date("2026-12-04T00:00:00Z"));
    for (const instant of instants) {
      const day = searchDayOf(new Date(instant));
      expect(searchDayStart(day).getTime()).toBeLessThanOrEqual(Date.parse(instant));
      expect(searchDayStart(day + 1).getTime()).toBeGreaterThan(Date.parse(instant));
    }
  });

  it("is the day the SQL gives, in any session time zone", async () => {
    for (const zone of ["UTC", "Pacific/Kiritimati", "America/Los_Angeles"]) {
      await selectRows(database.db, sql.raw(`set time zone '${zone}'`));
      for (const instant of instants) {
        const [row] = await selectRows<{ day: number }>(database.db, sql`select ${sql.raw(searchDaySql("t"))} as day from (select ${instant}::timestamptz as t) x`);
        expect(Number(row!.day), `${instant} in ${zone}`).toBe(searchDayOf(new Date(instant)));
      }
    }
  });

  it("has the search document of migration 0010 without its query (0015): the same words for every input", async () => {
    // 0010's body, as a temporary function: the index was built with it and is not rebuilt.
    const migration = readFileSync(path.join(migrationsFolder, "0010_audit_search_by_day.sql"), "utf8");
    const original = /CREATE FUNCTION audit_search_document\(([\s\S]*?)\$\$;/.exec(migration);
    expect(original, "0010 creates audit_search_document").not.toBeNull();
    const texts = [null, "", " ", "Memory created", "Memory created Memory", "user42", "42", "bench-user-7", "ünïcödé wörds ÄÖ", "日本語 テキスト", "a.b@example.com", "https://example.com/a/b?c=d", "/var/log/x.log", "x".repeat(300), "it's a-b c_d 3.14 -5 1e10", "\t\n tabs \r and\nlines"];
    const text = (k: number) => texts[k % texts.length] ?? null;
    const times = [...instants, "infinity", "-infinity"];
    const cases = texts.flatMap((_, i) => [
      { d: text(i), e: null, u: null, r: null, t: times[i % times.length]! },
      { d: text(i), e: text(i + 3), u: text(i + 5), r: text(i + 7), t: times[(i + 1) % times.length]! },
    ]);
    cases.push({ d: null, e: null, u: null, r: null, t: "infinity" }, { d: "", e: "", u: "", r: "", t: "-infinity" });
    const documents = await database.db.transaction(async (tx) => {
      await selectRows(tx, sql.raw(`CREATE OR REPLACE FUNCTION pg_temp.search_document_0010(${original![1]}$$`));
      return selectRows<{ now: string; before: string; i: number }>(
        tx,
        sql`select c.i, audit_search_document(c.d, c.e, c.u, c.r, c.t)::text as now, pg_temp.search_document_0010(c.d, c.e, c.u, c.r, c.t)::text as before
            from jsonb_to_recordset(${JSON.stringify(cases.map((c, i) => ({ i, ...c })))}::jsonb) as c(i int, d text, e text, u text, r text, t timestamptz)
            order by c.i`,
      );
    });
    expect(documents).toHaveLength(cases.length);
    expect(documents.filter((row) => row.now !== row.before)).toEqual([]);
    // A created memory's description at a finite time, to show what the documents hold.
    expect(documents[cases.findIndex((c) => c.d === "Memory created" && c.e === null && !c.t.endsWith("infinity"))]!.now).toMatch(/^'~\d+~created' '~\d+~memory'$/);
  });
});
