// Audit rows recorded on their own — a read's memory.retrieved, a failed login, a denied request:
// no change to commit with — share INSERTs. While one INSERT is on its way to the database, the
// rows recorded meanwhile wait, then go together in the next: one statement and one commit for
// all of them, where each took a statement, a round trip and a commit of its own (most of what an
// audited read cost PostgreSQL). A caller's promise settles once the statement holding its rows
// has committed, so a request still answers only after its audit rows are stored; nothing waits
// on a timer, so a row recorded while none is on its way goes at once.
import { databaseError } from "@/lib/db/client";

/** What the database assigned to a row. */
export interface AssignedIds {
  id: number;
  txId: number;
}

interface Waiting<Row> {
  rows: Row[];
  resolve(assigned: AssignedIds[]): void;
  reject(error: unknown): void;
}

/** The most rows one shared INSERT takes (a caller's own rows are never split). */
export const SHARED_INSERT_MAX_ROWS = 1000;

export class SharedAuditInsert<Row> {
  private waiting: Waiting<Row>[] = [];
  private sending = false;

  /** `insert` stores rows in one statement and answers their ids in the rows' order. */
  constructor(private readonly insert: (rows: Row[]) => Promise<AssignedIds[]>) {}

  /** Stores `rows` (with whatever else is waiting); resolves with their ids, in their order. */
  write(rows: Row[]): Promise<AssignedIds[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      if (!this.sending) void this.sendWaiting();
    });
  }

  private async sendWaiting(): Promise<void> {
    this.sending = true;
    try {
      while (this.waiting.length > 0) {
        let count = 0;
        let callers = 0;
        while (callers < this.waiting.length && (callers === 0 || count + this.waiting[callers]!.rows.length <= SHARED_INSERT_MAX_ROWS)) {
          count += this.waiting[callers]!.rows.length;
          callers += 1;
        }
        await this.send(this.waiting.splice(0, callers));
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(group: Waiting<Row>[]): Promise<void> {
    try {
      const assigned = await this.insert(group.flatMap((caller) => caller.rows));
      let at = 0;
      for (const caller of group) {
        caller.resolve(assigned.slice(at, at + caller.rows.length));
        at += caller.rows.length;
      }
    } catch (error) {
      if (group.length === 1 || !refusedValues(error)) {
        for (const caller of group) caller.reject(error);
        return;
      }
      // One caller's rows may be what the database refused: each caller's rows again, on their own,
      // so that only that caller fails.
      for (const caller of group) {
        await this.insert(caller.rows).then(caller.resolve, caller.reject);
      }
    }
  }
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
