import { describe, expect, it } from "vitest";
import { activityPerRequest, type ActivityReading } from "./pg-activity";

const reading = (counter: number, relations: ActivityReading["relations"]): ActivityReading => ({
  hits: counter * 10,
  reads: counter,
  walBytes: counter * 1000,
  walRecords: counter * 5,
  fullPageImages: 0,
  rowsWritten: counter * 2,
  backendWrites: 0,
  checkpoints: 1,
  relations,
});

describe("PostgreSQL's work a request between two readings", () => {
  it("divides each counter's difference by the requests", () => {
    const work = activityPerRequest(reading(100, {}), reading(300, {}), 100);
    expect(work).toMatchObject({ hits: 20, reads: 2, walBytes: 2000, walRecords: 10, rowsWritten: 4, checkpoints: 0 });
  });

  it("lists the relations that did any work, most blocks read first, a relation new since the first reading whole", () => {
    const before = reading(0, { audit_logs: { hits: 100, reads: 10 }, idle_table: { hits: 5, reads: 5 }, memories: { hits: 0, reads: 0 } });
    const after = reading(0, {
      audit_logs: { hits: 300, reads: 20 },
      idle_table: { hits: 5, reads: 5 },
      memories: { hits: 400, reads: 10 },
      bench_insert_copy: { hits: 100, reads: 30 },
    });
    expect(activityPerRequest(before, after, 10).relations).toEqual([
      { name: "bench_insert_copy", hits: 10, reads: 3 },
      { name: "memories", hits: 40, reads: 1 },
      { name: "audit_logs", hits: 20, reads: 1 },
    ]);
  });
});
