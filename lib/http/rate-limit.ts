// In-process counters for the request rate limit and brute-force detection. They live on
// globalThis so every route module of the process shares them.

/** Counts hits per key in fixed one-window buckets (the request rate limit). */
export class FixedWindowLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly windowMs: number) {}

  /** Counts a hit; answers whether it is within `limit` and, if not, seconds until the window resets. */
  hit(key: string, limit: number, now = Date.now()): { allowed: boolean; retryAfterSeconds: number } {
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
      if (this.windows.size > 50_000) this.prune(now);
    }
    window.count += 1;
    const retryAfterSeconds = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    return { allowed: window.count <= limit, retryAfterSeconds };
  }

  private prune(now: number): void {
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}

/** Remembers the times of events per key within a sliding window (failed logins). */
export class SlidingWindowLog {
  private readonly events = new Map<string, number[]>();
  private readonly alerted = new Map<string, number>();

  constructor(readonly windowMs: number) {}

  private recent(key: string, now: number): number[] {
    const times = (this.events.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (times.length) this.events.set(key, times);
    else this.events.delete(key);
    return times;
  }

  add(key: string, now = Date.now()): number {
    const times = this.recent(key, now);
    times.push(now);
    this.events.set(key, times);
    return times.length;
  }

  count(key: string, now = Date.now()): number {
    return this.recent(key, now).length;
  }

  /** Seconds until fewer than `threshold` events remain in the window. */
  secondsUntilBelow(key: string, threshold: number, now = Date.now()): number {
    const times = this.recent(key, now);
    const expiring = times[times.length - threshold];
    if (expiring === undefined) return 0;
    return Math.max(1, Math.ceil((expiring + this.windowMs - now) / 1000));
  }

  /** True the first time it is asked for a key within a window, so an alert is raised once. */
  firstAlert(key: string, now = Date.now()): boolean {
    const last = this.alerted.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.alerted.set(key, now);
    return true;
  }

  clear(key: string): void {
    this.events.delete(key);
  }
}

const shared = globalThis as unknown as {
  __memoricRequestLimiter?: FixedWindowLimiter;
  __memoricLoginFailures?: SlidingWindowLog;
};

export const requestLimiter = (shared.__memoricRequestLimiter ??= new FixedWindowLimiter(60_000));
export const loginFailures = (shared.__memoricLoginFailures ??= new SlidingWindowLog(15 * 60_000));
