import { describe, expect, it } from "vitest";
import type { MemoryRow } from "@/lib/memories/service";
import { clusterGroupOf, clusterIdFor, clusterSummary, planClusters, type ClusterRow } from "./service";

const T0 = new Date("2026-01-01T00:00:00Z");

function memory(id: number, metadata: Record<string, unknown>, content = `Memory ${id}. More text.`, at = T0): MemoryRow {
  return {
    id,
    userId: "u1",
    namespace: null,
    threadId: null,
    content,
    tier: "short_term",
    score: 50,
    metadata,
    summarized: false,
    createdAt: new Date(at.getTime() + id * 1000),
    updatedAt: new Date(at.getTime() + id * 1000),
  };
}

function cluster(topic: string, category: string, memoryIds: number[], summary: string | null, lastBuiltAt: Date): ClusterRow {
  return {
    clusterId: clusterIdFor("u1", topic, category),
    userId: "u1",
    topic,
    category,
    memoryIds,
    memoryCount: memoryIds.length,
    summary,
    createdAt: lastBuiltAt,
    lastBuiltAt,
  };
}

describe("cluster grouping", () => {
  it("lower-cases topic and category and defaults both to general", () => {
    expect(clusterGroupOf({ topic: " Travel ", category: "PLANS" })).toEqual({ topic: "travel", category: "plans" });
    expect(clusterGroupOf({})).toEqual({ topic: "general", category: "general" });
    expect(clusterGroupOf({ topic: 42, category: "" })).toEqual({ topic: "general", category: "general" });
  });

  it("gives a deterministic id per user, topic and category", () => {
    expect(clusterIdFor("u1", "a", "b")).toBe(clusterIdFor("u1", "a", "b"));
    expect(clusterIdFor("u1", "a", "b")).not.toBe(clusterIdFor("u2", "a", "b"));
    expect(clusterIdFor("u1", "a", "b")).toMatch(/^c_[0-9a-f]{32}$/);
  });

  it("summarizes with the opening sentence of each member, newest first, within 500 characters", () => {
    const summary = clusterSummary([memory(1, {}, "Old one. Detail."), memory(2, {}, "New one! Detail.")]);
    expect(summary).toBe("New one! Old one.");
    const long = clusterSummary(Array.from({ length: 50 }, (_, i) => memory(i + 1, {}, `${"word ".repeat(30)}end.`)));
    expect(long.length).toBeLessThanOrEqual(500);
  });
});

describe("planClusters", () => {
  it("creates a cluster per group and leaves thread summaries out", () => {
    const plan = planClusters("u1", [memory(1, { topic: "Travel" }), memory(2, { topic: "travel" }), memory(3, {}), memory(4, { kind: "thread_summary" })], []);
    expect(plan.create.map((c) => [c.topic, c.category, c.memoryIds])).toEqual([
      ["general", "general", [3]],
      ["travel", "general", [1, 2]],
    ]);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
  });

  it("leaves an unchanged cluster alone, so a summary set by hand survives", () => {
    const built = new Date(T0.getTime() + 60_000);
    const existing = cluster("travel", "general", [1, 2], "set by an admin", built);
    const plan = planClusters("u1", [memory(1, { topic: "travel" }), memory(2, { topic: "travel" })], [existing]);
    expect(plan.unchanged).toEqual([existing]);
    expect(plan.create.length + plan.update.length + plan.delete.length).toBe(0);
  });

  it("rewrites a cluster whose members changed or were edited since it was built, and deletes an empty one", () => {
    const built = new Date(T0.getTime() + 60_000);
    const edited = { ...memory(2, { topic: "travel" }), updatedAt: new Date(built.getTime() + 1) };
    const plan = planClusters(
      "u1",
      [memory(1, { topic: "travel" }), edited, memory(3, { topic: "food" })],
      [cluster("travel", "general", [1, 2], "by hand", built), cluster("food", "general", [3, 9], "x", built), cluster("gone", "general", [7], "y", built)],
    );
    expect(plan.update.map((u) => [u.before.topic, u.values.memoryIds])).toEqual([
      ["food", [3]],
      ["travel", [1, 2]],
    ]);
    expect(plan.update[1]!.values.summary).toBe("Memory 2. Memory 1.");
    expect(plan.delete.map((c) => c.topic)).toEqual(["gone"]);
  });
});
