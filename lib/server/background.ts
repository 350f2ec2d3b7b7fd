// The server's periodic work (sealer, roll-up, checkpoints, retention): each job every so many
// seconds, never two runs of one job at once, failures logged rather than thrown. Shutdown stops
// them and waits for the runs in flight before it closes the database, which a run would
// otherwise lose mid-statement ("audit sealer failed: write CONNECTION_ENDED").

export type Log = (message: string) => void;

export class BackgroundJobs {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly log: Log = (message) => console.error(message)) {}

  /** Runs `job` every `seconds` until stop(); a run still going when the next is due skips that turn. */
  every(seconds: number, name: string, job: () => Promise<unknown>): void {
    if (this.stopped) return;
    let running = false;
    const timer = setInterval(() => {
      if (running || this.stopped) return;
      running = true;
      const run = job()
        .then(
          () => undefined,
          (error: unknown) => this.log(`[memoric] ${name} failed: ${error instanceof Error ? error.message : String(error)}`),
        )
        .finally(() => {
          running = false;
          this.inFlight.delete(run);
        });
      this.inFlight.add(run);
    }, seconds * 1000);
    timer.unref();
    this.timers.push(timer);
  }

  /** Starts no run from now on; resolves once the runs in flight have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all([...this.inFlight]);
  }
}
