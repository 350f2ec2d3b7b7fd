// Verification's worker threads. Reading a sealed leaf's row and checking it (decoding its columns,
// canonical JSON, five SHA-256 and an HMAC, the tree's nodes among them) is nearly all of
// verification's time, and on the main thread alone it held verification to one core. Each worker
// reads and checks whole batches on a connection of its own (checkSealedBatch in sealed-batch.ts) and
// hands back only what the walk in sealed order needs: a few subtrees and counts a batch, and its
// first problem. The main thread joins the subtrees, compares checkpoints and decides, as before.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { CheckedBatch } from "./sealed-batch";

/** What a worker is started with. */
export interface VerifyWorkerData {
  url: string;
  /** The writer MAC's key (the thread gets no other key). */
  macKey: Uint8Array;
}

/** A batch to check: the sealed leaves [start, end), cut into segments at the checkpoint sizes `cuts`. */
export interface BatchRequest {
  start: number;
  end: number;
  cuts: number[];
}

export type VerifyWorkerRequest = ({ id: number } & BatchRequest) | { stop: true };

export type VerifyWorkerReply<T> = { ready: true } | { failed: unknown } | { id: number; result: T } | { id: number; error: unknown };

/** How long a worker may take to load and connect before verification goes on without workers. */
const START_TIMEOUT_MS = 30_000;

// Kept in a variable so that the Next.js bundler does not try to bundle the TypeScript loader.
const TSX_HOOKS = "tsx/cjs";

function spawn(data: VerifyWorkerData): Worker {
  // In the Next.js server the bundler builds the worker from this URL. Scripts and tests run
  // TypeScript through tsx, whose hooks a new thread has to register for itself.
  if (process.env.NEXT_RUNTIME) return new Worker(new URL("./verify-worker.ts", import.meta.url), { workerData: data });
  const hooks = createRequire(import.meta.url).resolve(TSX_HOOKS);
  const entry = fileURLToPath(new URL("./verify-worker.ts", import.meta.url));
  return new Worker(`require(${JSON.stringify(hooks)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: data });
}

interface Pending<T> {
  resolve: (result: T) => void;
  reject: (error: unknown) => void;
}

/** A started worker: its requests in flight, and what broke it, if anything did. */
class Thread<T> {
  readonly pending = new Map<number, Pending<T>>();
  broken: unknown = null;
  readonly exited: Promise<void>;

  constructor(readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
    worker.on("message", (reply: VerifyWorkerReply<T>) => {
      if (!("id" in reply)) return;
      const request = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ("error" in reply) request?.reject(reply.error);
      else request?.resolve(reply.result);
    });
    worker.on("error", (error) => this.fail(error));
    worker.on("exit", (code) => this.fail(new Error(`a verification worker stopped (exit code ${code})`)));
  }

  fail(error: unknown) {
    this.broken ??= error;
    for (const request of this.pending.values()) request.reject(this.broken);
    this.pending.clear();
  }
}

const describe = (problem: unknown) => (problem instanceof Error ? problem.message : String(problem));

/** Waits for a new worker's word that it has connected: true, or what went wrong. */
function started(worker: Worker): Promise<true | unknown> {
  return new Promise((resolve) => {
    const done = (outcome: true | unknown) => {
      clearTimeout(timer);
      worker.off("message", onMessage).off("error", onError).off("exit", onExit);
      resolve(outcome);
    };
    const onMessage = (reply: VerifyWorkerReply<unknown>) => {
      if ("ready" in reply) done(true);
      else if ("failed" in reply) done(reply.failed);
    };
    const onError = (error: unknown) => done(error);
    const onExit = (code: number) => done(new Error(`it stopped with exit code ${code}`));
    const timer = setTimeout(() => done(new Error(`it did not connect within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.on("message", onMessage).on("error", onError).on("exit", onExit);
  });
}

/** Worker threads that each run `checkSealedBatch` for the batches handed to them. */
export class VerifyWorkers {
  private nextId = 0;

  private constructor(private readonly threads: Thread<CheckedBatch>[]) {}

  /**
   * Starts `count` workers on the database at `data.url`. Resolves with null when any of them
   * cannot start (no TypeScript loader, a bundle without the worker, no connection): the caller
   * then reads on its own thread.
   */
  static async start(data: VerifyWorkerData, count: number): Promise<VerifyWorkers | null> {
    const workers: Worker[] = [];
    let problem: unknown = null;
    try {
      for (let i = 0; i < count; i++) workers.push(spawn(data));
      const outcomes = await Promise.all(workers.map(started));
      problem = outcomes.find((outcome) => outcome !== true) ?? null;
    } catch (error) {
      problem = error;
    }
    if (problem === null) return new VerifyWorkers(workers.map((w) => new Thread<CheckedBatch>(w)));
    await Promise.all(workers.map((w) => w.terminate()));
    console.warn(`[memoric] audit verification: worker threads could not start (${describe(problem)}); verifying on one thread`);
    return null;
  }

  get size(): number {
    return this.threads.length;
  }

  /** The batch read and checked by the least busy worker. */
  read(batch: BatchRequest): Promise<CheckedBatch> {
    const thread = this.threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    if (thread.broken) return Promise.reject(thread.broken);
    const id = this.nextId++;
    return new Promise<CheckedBatch>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, ...batch } satisfies VerifyWorkerRequest);
    });
  }

  /** Asks each worker to close its connection and stop; stops those that do not within 5 s. */
  async close(): Promise<void> {
    await Promise.all(
      this.threads.map(async ({ worker, exited }) => {
        worker.postMessage({ stop: true } satisfies VerifyWorkerRequest);
        const timer = setTimeout(() => void worker.terminate(), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
