// Settings of the PostgreSQL sessions the server opens: the pools of client.ts, and the connections
// of verification's worker threads, which use postgres.js without drizzle so as to start quickly
// (lib/audit/verify-worker.ts).

/**
 * Statements are prepared but planned for each execution's values, as unnamed statements are: the
 * same plans, without parsing again (see preparedStatements in client.ts).
 */
export const CUSTOM_PLANS = { plan_cache_mode: "force_custom_plan" } as const;

/**
 * PostgreSQL's JIT compiler off for our sessions. It compiles a statement whose estimated cost
 * passes jit_above_cost (100,000; 500,000 to inline and optimise), and estimates follow table
 * sizes, not the rows an index scan will read: at 10 million audit events the statistics roll-up,
 * whose range of transactions is only known as it runs, was estimated at 1.1 million rows and
 * spent 700 ms compiling a statement that runs in 5 ms — every 2 s, a third of a core with the
 * server idle. Our statements read through indexes and stop at a page; none gains from JIT.
 */
export const NO_JIT = { jit: "off" } as const;
