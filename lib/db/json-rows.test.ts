// insertRowsAsJsonStatement spells each row's JSON itself: it must equal what JSON.stringify makes
// of the row with column names for keys, for every kind of value a row holds, and store them so.
import { eq, getTableColumns, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertRowsAsJson, insertRowsAsJsonStatement } from "./client";
import { memories, users } from "./schema";
import { createTestDatabase, type TestDatabase } from "./testing";

const when = new Date("2026-12-04T01:02:03.456Z");
const tricky = [
  { id: 1, userId: "u-1", namespace: null, threadId: undefined, content: 'quotes " and \\ backslash, tab\t, newline\n, ünïcödé, emoji 🎉, \u2028', tier: "short_term", score: 50, metadata: { nested: { at: when, list: [1, "two", null, true] }, nan: Number.NaN }, summarized: false, createdAt: when, updatedAt: when },
  { id: 2, userId: "u-1", namespace: "ns", threadId: "t", content: "", tier: "long_term", score: 0, metadata: {}, summarized: true, createdAt: new Date(0), updatedAt: when },
];

/** The reference: objects keyed by column name, Dates as ISO strings, missing values null. */
function reference(rows: Record<string, unknown>[]): string {
  const columns = Object.entries(getTableColumns(memories)).filter(([key]) => key in rows[0]!);
  return JSON.stringify(rows.map((row) => Object.fromEntries(columns.map(([key, c]) => [c.name, row[key] instanceof Date ? (row[key] as Date).toISOString() : (row[key] ?? null)]))));
}

describe("insertRowsAsJsonStatement", () => {
  it("sends the rows as the JSON JSON.stringify makes of them, keyed by column name", () => {
    const statement = insertRowsAsJsonStatement(memories, tricky)!;
    const { sql: text, params } = new PgDialect().sqlToQuery(statement);
    expect(params).toEqual([reference(tricky)]);
    expect(text).toContain('"user_id", "namespace", "thread_id", "content"');
    expect(insertRowsAsJsonStatement(memories, [])).toBeNull();
  });

  it("takes the columns of each call's first row, not of an earlier call's", () => {
    const short = [{ id: 3, userId: "u-1", content: "only some keys" }];
    const { params } = new PgDialect().sqlToQuery(insertRowsAsJsonStatement(memories, short)!);
    expect(params).toEqual([reference(short)]);
    expect(JSON.parse(params[0] as string)).toEqual([{ id: 3, user_id: "u-1", content: "only some keys" }]);
  });
});

describe("insertRowsAsJson stores what it sends", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db.insert(users).values({ id: "u-1", username: "json-rows", email: "json-rows@example.com", passwordHash: "x" });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("reads every value back as it was", async () => {
    // Without ids (an identity column the database assigns), in array order.
    const inserted = await insertRowsAsJson<{ id: number }>(database.db, memories, tricky.map(({ id: _id, ...row }) => row), sql`id`);
    const [firstId, secondId] = inserted.map((r) => Number(r.id)).sort((a, b) => a - b);
    const [first] = await database.db.select().from(memories).where(eq(memories.id, firstId!));
    expect(first).toMatchObject({ content: tricky[0]!.content, namespace: null, threadId: null, createdAt: when, metadata: { nested: { at: when.toISOString(), list: [1, "two", null, true] }, nan: null } });
    const [second] = await database.db.select().from(memories).where(eq(memories.id, secondId!));
    expect(second).toMatchObject({ content: "", summarized: true, createdAt: new Date(0), score: 0 });
  });
});
