// The search day as TypeScript computes it equals the SQL the roll-up, erasure and the search
// document use, at day boundaries too.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows } from "@/lib/db/client";
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
});
