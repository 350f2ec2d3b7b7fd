// Writes share statements. While one statement is on its way to the database, the writes asked
// for meanwhile wait, then go together in the next: one statement, one round trip and one commit
// for all of them, where each took its own (a third of what a write cost PostgreSQL). A caller's
// promise settles once the statement holding its write has committed, so a request still answers
// only after its rows are stored; nothing waits on a timer, so a write asked for while none is on
// its way goes at once. Two kinds share this way: audit rows recorded on their own (a read's
// memory.retrieved, a failed login, a denied request: SharedAuditInsert) and changes with their
// audit rows, if any (changeWithAuditEvents).
import { databaseError, type Database } from "@/lib/db/client";

/** What the database assigned to a row. */
export interface AssignedIds {
  id: number;
  txId: number;
}

interface Waiting<Job, Answer> {
  job: Job;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

export class SharedStatement<Job, Answer> {
  private waiting: Waiting<Job, Answer>[] = [];
  private sending = false;

  /**
   * `run` does jobs in one statement and answers each job's result in their order. `size` is what
   * a job adds to a statement, which takes jobs up to `maxSize` in all (a job is never split: one
   * larger than that goes alone).
   */
  constructor(
    private readonly run: (jobs: Job[]) => Promise<Answer[]>,
    private readonly size: (job: Job) => number,
    private readonly maxSize: number,
  ) {}

  /** Does `job` (with whatever else is waiting); resolves with its answer once committed. */
  write(job: Job): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      if (!this.sending) void this.sendWaiting();
    });
  }

  private async sendWaiting(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        let total = 0;
        let callers = 0;
        while (callers < this.waiting.length) {
          const size = this.size(this.waiting[callers]!.job);
          if (callers > 0 && total + size > this.maxSize) break;
          total += size;
          callers += 1;
        }
        await this.send(this.waiting.splice(0, callers));
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(group: Waiting<Job, Answer>[]): Promise<void> {
    try {
      const answers = await this.run(group.map((caller) => caller.job));
      group.forEach((caller, i) => caller.resolve(answers[i]!));
    } catch (error) {
      if (group.length === 1 || !refusedValues(error)) {
        for (const caller of group) caller.reject(error);
        return;
      }
      // The statement committed nothing. One caller's job may be what the database refused: each
      // job again, on its own, so that only that caller fails.
      for (const caller of group) {
        await this.run([caller.job]).then((answers) => caller.resolve(answers[0]!), caller.reject);
      }
    }
  }
}

/** The most rows one shared INSERT takes (a caller's own rows are never split). */
export const SHARED_INSERT_MAX_ROWS = 1000;

/** Audit rows recorded on their own, shared: each caller's rows in one INSERT with the others'. */
export class SharedAuditInsert<Row> extends SharedStatement<Row[], AssignedIds[]> {
  /** `insert` stores rows in one statement and answers their ids in the rows' order. */
  constructor(insert: (rows: Row[]) => Promise<AssignedIds[]>) {
    super(
      async (callers) => {
        const assigned = await insert(callers.flat());
        let at = 0;
        return callers.map((rows) => assigned.slice(at, (at += rows.length)));
      },
      (rows) => rows.length,
      SHARED_INSERT_MAX_ROWS,
    );
  }
}

/**
 * One `make(writes)` per generic-plan pool, kept on globalThis as the pools are (Next.js may load
 * a module more than once, and every copy must share the same writer).
 */
export function onePerPool<T extends object>(name: string, make: (writes: Database) => T): (writes: Database) => T {
  const store = globalThis as unknown as Record<string, WeakMap<Database, T> | undefined>;
  const made = (store[`__memoric${name}`] ??= new WeakMap());
  return (writes) => {
    let shared = made.get(writes);
    if (!shared) made.set(writes, (shared = make(writes)));
    return shared;
  };
}

/**
 * Whether the database refused the statement for the values of its rows (a data exception, class
 * 22, or a constraint, class 23): then one caller's rows may be the cause. Any other failure (the
 * connection lost, the server down) would fail each caller's rows alone just the same, one after
 * the other, so every caller gets it at once.
 */
function refusedValues(error: unknown): boolean {
  const code = databaseError(error)?.code;
  return code !== undefined && (code.startsWith("22") || code.startsWith("23"));
}
