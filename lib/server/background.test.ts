import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BackgroundJobs } from "./background";

/** A job whose runs end (or fail), oldest first, when the test says so. */
function controlledJob() {
  const runs: { resolve(): void; reject(error: Error): void }[] = [];
  const job = vi.fn(() => new Promise<void>((resolve, reject) => runs.push({ resolve, reject })));
  return { job, end: () => runs.shift()!.resolve(), fail: (error: Error) => runs.shift()!.reject(error) };
}

describe("BackgroundJobs", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs a job every interval, skipping turns while a run is still going", async () => {
    const jobs = new BackgroundJobs();
    const { job, end } = controlledJob();
    jobs.every(1, "sealer", job);
    await vi.advanceTimersByTimeAsync(999);
    expect(job).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(job).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(3000);
    expect(job).toHaveBeenCalledTimes(1);
    end();
    await vi.advanceTimersByTimeAsync(1000);
    expect(job).toHaveBeenCalledTimes(2);
    end();
    await jobs.stop();
  });

  it("logs a failed run with the job's name and runs it again at the next turn", async () => {
    const log = vi.fn();
    const jobs = new BackgroundJobs(log);
    const { job, fail, end } = controlledJob();
    jobs.every(2, "audit roll-up", job);
    await vi.advanceTimersByTimeAsync(2000);
    fail(new Error("connection lost"));
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toHaveBeenCalledWith("[memoric] audit roll-up failed: connection lost");
    await vi.advanceTimersByTimeAsync(2000);
    expect(job).toHaveBeenCalledTimes(2);
    end();
    await jobs.stop();
  });

  it("stop() waits for the runs in flight and starts no run after it", async () => {
    const jobs = new BackgroundJobs();
    const sealer = controlledJob();
    const idle = vi.fn(async () => undefined);
    jobs.every(1, "sealer", sealer.job);
    jobs.every(5, "checkpoint", idle);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sealer.job).toHaveBeenCalledTimes(1);

    let stopped = false;
    const stopping = jobs.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(10_000);
    // The sealer's run is still going: stop() has not resolved, and nothing else started.
    expect(stopped).toBe(false);
    expect(sealer.job).toHaveBeenCalledTimes(1);
    expect(idle).toHaveBeenCalledTimes(0);
    sealer.end();
    await stopping;
    expect(stopped).toBe(true);

    jobs.every(1, "late", idle);
    await vi.advanceTimersByTimeAsync(5000);
    expect(idle).toHaveBeenCalledTimes(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
