// CPU time by process, read from Linux's /proc, for the audit-overhead turns: what a request costs
// the server under test, PostgreSQL and the load generator. A throughput ratio alone cannot say
// where audit logging's cost lies; on a machine of two cores all three share, it is why the ratio
// moves. Elsewhere than Linux (no /proc) every reading is null and the benchmark prints none.
// Beside CPU time, the time the servers' main threads were ready to run but waited for a core
// (schedstat): on two cores, the work PostgreSQL does for a request partly runs on the server's
// core, and a request's wait there slows the server as much as CPU of its own would.
import { readdirSync, readFileSync } from "node:fs";

/** Seconds of CPU (user + system, every thread) of the three parties at one moment. */
export interface CpuReading {
  /** The server processes, together. */
  server: number;
  /** Each `postgres` process's, by pid: backends come and go between readings. */
  postgres: Map<string, number>;
  loadGenerator: number;
  /** Seconds the servers' main threads waited for a core while ready to run (NaN without schedstat). */
  serverWait: number;
}

/** Clock ticks a second in /proc (USER_HZ: 100 on every Linux architecture Node.js runs on). */
const TICKS = 100;

/** The command name and the user + system ticks of one /proc/<pid>/stat, or null if it is gone. */
function processTicks(pid: string): { command: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command is in parentheses and may hold spaces; the fields after it are numbered from 3.
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    return { command: stat.slice(stat.indexOf("(") + 1, close), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Seconds a process's main thread has waited on a run queue (schedstat's second field, in ns); NaN without it. */
function mainThreadWait(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[1]) / 1e9;
  } catch {
    return NaN;
  }
}

/**
 * Reads the CPU time of the server processes `serverPids` (both benchmark servers: either one's
 * sealer may seal the other's events), of every process named `postgres` (the
 * server's backends, the checkpointer, the WAL writer, autovacuum workers: PostgreSQL on this
 * machine, whichever database they serve) and of this process, whose autocannon is the load
 * generator. Null without /proc.
 */
export function readCpu(serverPids: number[]): CpuReading | null {
  let server = 0;
  let serverWait = 0;
  for (const pid of serverPids) {
    const found = processTicks(String(pid));
    if (!found) return null;
    server += found.ticks;
    serverWait += mainThreadWait(pid);
  }
  const postgres = new Map<string, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const other = processTicks(entry);
    if (other?.command === "postgres") postgres.set(entry, other.ticks / TICKS);
  }
  const own = process.cpuUsage();
  return { server: server / TICKS, postgres, loadGenerator: (own.user + own.system) / 1e6, serverWait };
}

/**
 * PostgreSQL's CPU between two readings, process by process: one started since `before` counts
 * whole; one gone by `after` (a connection closed at the end of its lifetime, an autovacuum worker
 * done) counts nothing, where a difference of sums would subtract all the CPU it ever used — at
 * 10M events the seeding connection, closed by postgres.js after 30–60 minutes, once made a turn's
 * PostgreSQL CPU −18 ms a request.
 */
export function postgresCpuBetween(before: CpuReading, after: CpuReading): number {
  let seconds = 0;
  for (const [pid, now] of after.postgres) seconds += now - (before.postgres.get(pid) ?? 0);
  return seconds;
}

/** Microseconds of CPU a request, by party and in all. */
export interface CpuPerRequest {
  server: number;
  postgres: number;
  loadGenerator: number;
  /** CPU of the three parties. */
  total: number;
  /** The servers' main threads' wait for a core (not CPU; NaN without schedstat, null in JSON). */
  serverWait: number;
}

const PARTIES = ["server", "postgres", "loadGenerator"] as const;

/** The CPU time of a mode's turns, summed, and the requests they answered. */
export class CpuTally {
  private readonly spent: Record<(typeof PARTIES)[number] | "serverWait", number> = { server: 0, postgres: 0, loadGenerator: 0, serverWait: 0 };
  private requests = 0;

  add(before: CpuReading, after: CpuReading, requests: number): void {
    for (const reading of ["server", "loadGenerator", "serverWait"] as const) this.spent[reading] += after[reading] - before[reading];
    this.spent.postgres += postgresCpuBetween(before, after);
    this.requests += requests;
  }

  perRequest(): CpuPerRequest {
    const perRequest = (seconds: number) => (seconds * 1e6) / Math.max(1, this.requests);
    const result: CpuPerRequest = { server: 0, postgres: 0, loadGenerator: 0, total: 0, serverWait: perRequest(this.spent.serverWait) };
    for (const party of PARTIES) {
      result[party] = perRequest(this.spent[party]);
      result.total += result[party];
    }
    return result;
  }
}
