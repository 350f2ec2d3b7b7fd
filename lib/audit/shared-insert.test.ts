import { describe, expect, it } from "vitest";
import { SHARED_INSERT_MAX_ROWS, SharedAuditInsert, type AssignedIds } from "./shared-insert";

/** A fake INSERT that records each statement's rows and answers once `release` is called. */
function fakeInsert(options: { refuse?: (row: string) => boolean; code?: string } = {}) {
  const statements: string[][] = [];
  const pending: (() => void)[] = [];
  let next = 1;
  const insert = (rows: string[]) =>
    new Promise<AssignedIds[]>((resolve, reject) => {
      statements.push(rows);
      const txId = statements.length;
      pending.push(() => {
        if (rows.some((row) => options.refuse?.(row))) reject(Object.assign(new Error(`refused ${rows.join(",")}`), { code: options.code ?? "22021" }));
        else resolve(rows.map(() => ({ id: next++, txId })));
      });
    });
  /** Answers the statements sent so far, and lets the writer send the next. */
  const release = async () => {
    for (const answer of pending.splice(0)) answer();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { insert, statements, release };
}

describe("SharedAuditInsert", () => {
  it("sends a lone caller's rows at once, in a statement of their own", async () => {
    const fake = fakeInsert();
    const writer = new SharedAuditInsert(fake.insert);
    const written = writer.write(["a", "b"]);
    expect(fake.statements).toEqual([["a", "b"]]);
    await fake.release();
    await expect(written).resolves.toEqual([
      { id: 1, txId: 1 },
      { id: 2, txId: 1 },
    ]);
  });

  it("sends the rows recorded while a statement is on its way together in the next, each caller answered with its own ids", async () => {
    const fake = fakeInsert();
    const writer = new SharedAuditInsert(fake.insert);
    const first = writer.write(["a"]);
    const second = writer.write(["b", "c"]);
    const third = writer.write(["d"]);
    expect(fake.statements).toEqual([["a"]]);
    await fake.release();
    expect(fake.statements).toEqual([["a"], ["b", "c", "d"]]);
    await fake.release();
    await expect(first).resolves.toEqual([{ id: 1, txId: 1 }]);
    await expect(second).resolves.toEqual([
      { id: 2, txId: 2 },
      { id: 3, txId: 2 },
    ]);
    await expect(third).resolves.toEqual([{ id: 4, txId: 2 }]);
    // Nothing waits: the next row goes at once again.
    void writer.write(["e"]);
    expect(fake.statements.at(-1)).toEqual(["e"]);
  });

  it("settles no caller before the statement holding its rows has answered", async () => {
    const fake = fakeInsert();
    const writer = new SharedAuditInsert(fake.insert);
    let settled = false;
    void writer.write(["a"]);
    void writer.write(["b"]).then(() => (settled = true));
    await fake.release();
    expect(settled).toBe(false);
    await fake.release();
    expect(settled).toBe(true);
  });

  it("when a shared statement fails, sends each caller's rows again on their own, and fails only the caller whose rows are refused", async () => {
    const fake = fakeInsert({ refuse: (row) => row === "bad" });
    const writer = new SharedAuditInsert(fake.insert);
    const first = writer.write(["a"]);
    const good = writer.write(["b"]);
    const bad = writer.write(["bad"]).catch((error: unknown) => error);
    const alsoGood = writer.write(["c"]);
    await fake.release(); // ["a"]
    await fake.release(); // ["b", "bad", "c"]: refused
    await fake.release(); // ["b"]
    await fake.release(); // ["bad"]: refused
    await fake.release(); // ["c"]
    await expect(first).resolves.toHaveLength(1);
    await expect(good).resolves.toHaveLength(1);
    expect(String(await bad)).toContain("refused bad");
    await expect(alsoGood).resolves.toHaveLength(1);
    expect(fake.statements).toEqual([["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]);
  });

  it("when a shared statement fails for another reason than its values (the connection lost), fails every caller of it at once", async () => {
    const fake = fakeInsert({ refuse: () => true, code: "08006" });
    const writer = new SharedAuditInsert(fake.insert);
    const first = writer.write(["a"]).catch((error: unknown) => error);
    const second = writer.write(["b"]).catch((error: unknown) => error);
    const third = writer.write(["c"]).catch((error: unknown) => error);
    await fake.release(); // ["a"]
    await fake.release(); // ["b", "c"]: no retries
    for (const caller of [first, second, third]) expect(String(await caller)).toContain("refused");
    expect(fake.statements).toEqual([["a"], ["b", "c"]]);
  });

  it(`puts at most ${SHARED_INSERT_MAX_ROWS} rows in a statement, never splitting a caller's rows`, async () => {
    const fake = fakeInsert();
    const writer = new SharedAuditInsert(fake.insert);
    void writer.write(["first"]);
    const big = Array.from({ length: SHARED_INSERT_MAX_ROWS - 1 }, (_, i) => `r${i}`);
    void writer.write(big);
    void writer.write(["x", "y"]);
    const huge = Array.from({ length: SHARED_INSERT_MAX_ROWS + 5 }, (_, i) => `h${i}`);
    void writer.write(huge);
    await fake.release();
    await fake.release();
    await fake.release();
    expect(fake.statements.map((rows) => rows.length)).toEqual([1, SHARED_INSERT_MAX_ROWS - 1, 2, SHARED_INSERT_MAX_ROWS + 5]);
  });
});
