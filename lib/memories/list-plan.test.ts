// A user's newest memories, of one thread or all, are read in index order and the read stops at the
// page: the plan reads top_k rows (not every memory of the user) and sorts nothing.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestActor } from "@/lib/auth/testing";
import { selectRows } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { memoryList } from "./service";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
}

const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

describe("memoryList plans", () => {
  let database: TestDatabase;
  let owner: string;
  const MEMORIES = 6000;

  beforeAll(async () => {
    database = await createTestDatabase();
    owner = (await createTestActor(database.db, "many", ["user"], "ns-many")).userId;
    const other = (await createTestActor(database.db, "other", ["user"], "ns-other")).userId;
    // Two threads and some other user's memories, at distinct times; a few share a time (the id decides).
    await selectRows(
      database.db,
      sql`insert into memories (user_id, namespace, thread_id, content, created_at, updated_at)
          select case when g % 10 = 0 then ${other} else ${owner} end, 'ns', case when g % 3 = 0 then 'a' else 'b' end,
                 'memory ' || g, now() - ((g / 2) || ' seconds')::interval, now()
          from generate_series(1, ${MEMORIES}) g`,
    );
    await selectRows(database.db, sql`analyze memories`);
  }, 60_000);

  afterAll(async () => {
    await database?.close();
  });

  async function plan(query: Parameters<typeof memoryList>[2]) {
    const statement = memoryList(database.db, owner, query).toSQL();
    const literal = (v: unknown) => (typeof v === "number" ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
    const text = statement.sql.replace(/\$(\d+)/g, (_, n: string) => literal(statement.params[Number(n) - 1]));
    const [row] = await selectRows<{ "QUERY PLAN": unknown }>(database.db, sql.raw(`explain (analyze, format json) ${text}`));
    const json = typeof row!["QUERY PLAN"] === "string" ? JSON.parse(row!["QUERY PLAN"] as string) : row!["QUERY PLAN"];
    return nodes((json as { Plan: PlanNode }[])[0]!.Plan);
  }

  for (const [label, query] of [
    ["one thread", { thread_id: "a", top_k: 20 }],
    ["all threads", { top_k: 20 }],
  ] as const) {
    it(`${label}: reads the page in index order, ${MEMORIES} memories in the table`, async () => {
      const steps = await plan(query);
      const scans = steps.filter((n) => n["Relation Name"] === "memories");
      expect(steps.map((n) => n["Node Type"])).not.toContain("Sort");
      expect(scans).toHaveLength(1);
      expect(scans[0]!["Node Type"]).toBe("Index Scan");
      expect(scans[0]!["Actual Rows"] * scans[0]!["Actual Loops"]).toBeLessThanOrEqual(query.top_k);
    });
  }

  it("returns the newest first, ties by id", async () => {
    const rows = await memoryList(database.db, owner, { thread_id: "a", top_k: 50 });
    expect(rows).toHaveLength(50);
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      expect(a.createdAt.getTime() > b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a.id > b.id)).toBe(true);
      expect(b.threadId).toBe("a");
    }
  });
});
