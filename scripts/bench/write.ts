// npm run bench:write [-- --writes N] [--rounds R] [--connections C]
//
// The audited write of POST /memories on its own, without HTTP: createMemory (the memory and its
// memory.created event in one statement, shared with the writes asked for meanwhile:
// changeWithAuditEvents) run in this process against a fresh
// PostgreSQL database, C at a time, in rounds of N writes with audit logging on and off in turns
// (on, off, off, on, …; MEMORIC_AUDIT_ENABLED, read again each round). Prints the CPU a write
// costs this process's main thread, which is what bounds a Node server's requests a second, and
// the whole process, with audit on and off and their ratio. The HTTP benchmark (npm run bench) measures the same difference
// through the server, where the rest of a request and the machine's noise make it harder to see.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createTestActor } from "@/lib/auth/testing";
import type { Actor } from "@/lib/auth/authenticate";
import { connect, migrate, type Database } from "@/lib/db/client";
import { resetEnvCache } from "@/lib/env";
import { createMemorySchema } from "@/lib/memories/schemas";
import { createMemory } from "@/lib/memories/service";
import { runCli } from "../cli";
import { openBenchDatabase } from "./database";
import { Progress } from "./progress";

const { values: args } = parseArgs({
  options: {
    writes: { type: "string", default: "4000" },
    rounds: { type: "string", default: "6" },
    connections: { type: "string", default: "10" },
    server: { type: "string", default: process.env.BENCH_DATABASE_SERVER ?? "postgres://postgres@127.0.0.1:5432/postgres" },
  },
});

const WRITES = Number(args.writes);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);

/** What a bearer-token request to POST /memories tells the audit log about itself. */
const REQUEST = {
  sessionId: "0f8fad5b-d9cb-469f-a165-70867728950e",
  ipAddress: "127.0.0.1",
  userAgent: "autocannon",
  requestMethod: "POST",
  requestPath: "/memories",
} as const;

/** The body npm run bench sends, as the route's schema reads it. */
const MEMORY = createMemorySchema.parse({ content: "A benchmark memory about the quarterly plan.", thread_id: "bench" });

/** Audit logging on or off for the writes that follow, as the server's setting would have it. */
function setAudit(on: boolean): void {
  process.env.MEMORIC_AUDIT_ENABLED = String(on);
  resetEnvCache();
}

/** CPU seconds of this process's main thread (Linux /proc), or NaN elsewhere. */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Round {
  /** Microseconds a write, of the main thread's CPU, the process's CPU and wall time. */
  main: number;
  process: number;
  wall: number;
}

async function round(db: Database, actor: Actor, audit: boolean): Promise<Round> {
  setAudit(audit);
  const context = { ...REQUEST, userId: actor.userId, username: actor.username };
  let left = WRITES;
  const main = mainThreadCpu();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (left-- > 0) await createMemory(db, actor, MEMORY, context);
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    main: ((mainThreadCpu() - main) * 1e6) / WRITES,
    process: (used.user + used.system) / WRITES,
    wall: ((performance.now() - started) * 1000) / WRITES,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number) => (Number.isNaN(n) ? "n/a" : n.toFixed(1));

async function main(): Promise<number> {
  if (![WRITES, ROUNDS, CONNECTIONS].every((n) => Number.isInteger(n) && n > 0)) throw new Error("--writes, --rounds and --connections take whole numbers ≥ 1");
  const bench = await openBenchDatabase("memoric_write", { server: args.server, keep: false });
  const handle = await connect({ url: bench.url, maxConnections: CONNECTIONS });
  try {
    await migrate(handle);
    const actor = await createTestActor(handle.db, "bench", ["user"]);
    console.error(`Database ${bench.name}: ${ROUNDS} rounds of ${WRITES.toLocaleString("en")} writes each way, ${CONNECTIONS} at a time`);
    // One uncounted round each way warms the code and the connections.
    for (const audit of [true, false]) await round(handle.db, actor, audit);
    const rounds: Record<"on" | "off", Round[]> = { on: [], off: [] };
    const progress = new Progress("writes, audit on/off in turns", ROUNDS * 2, "rounds");
    for (let i = 0; i < ROUNDS; i++) {
      for (const audit of i % 2 === 0 ? [true, false] : [false, true]) {
        rounds[audit ? "on" : "off"].push(await round(handle.db, actor, audit));
        progress.update(rounds.on.length + rounds.off.length);
      }
    }
    progress.done();
    console.log("\nA memory's write, median of the rounds   audit on   audit off   on − off   off/on");
    for (const [label, key] of [
      ["main thread CPU, µs", "main"],
      ["process CPU (all threads), µs", "process"],
      ["wall time, µs (C at a time)", "wall"],
    ] as const) {
      const on = median(rounds.on.map((r) => r[key]));
      const off = median(rounds.off.map((r) => r[key]));
      console.log(`  ${label.padEnd(38)} ${fmt(on).padStart(8)}   ${fmt(off).padStart(9)}   ${fmt(on - off).padStart(8)}   ${(off / on).toFixed(2)}×`);
    }
    return 0;
  } finally {
    await handle.close();
    await bench.close();
  }
}

runCli(main);
