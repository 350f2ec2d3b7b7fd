import { describe, expect, it } from "vitest";
import { CpuTally, postgresCpuBetween, type CpuReading } from "./cpu";

const reading = (postgres: Record<string, number>, server = 0): CpuReading => ({
  server,
  postgres: new Map(Object.entries(postgres)),
  loadGenerator: 0,
  serverWait: 0,
});

describe("PostgreSQL's CPU between two readings", () => {
  it("counts each process's own difference, a new process whole and a gone one not at all", () => {
    // 101 ran 2 s more; 102 (a seeding connection with 300 s behind it) closed; 103 started and ran 0.5 s.
    const before = reading({ "101": 10, "102": 300 });
    const after = reading({ "101": 12, "103": 0.5 });
    expect(postgresCpuBetween(before, after)).toBeCloseTo(2.5);
  });

  it("gives a tally's PostgreSQL CPU a request from it, beside the servers'", () => {
    const tally = new CpuTally();
    tally.add(reading({ "101": 10, "102": 300 }, 1), reading({ "101": 11 }, 3), 1000);
    const perRequest = tally.perRequest();
    expect(perRequest.postgres).toBeCloseTo(1000);
    expect(perRequest.server).toBeCloseTo(2000);
    expect(perRequest.total).toBeCloseTo(3000);
  });
});
