// The server's periodic work (sealer, roll-up, checkpoints, retention): each job every so many
// seconds, never two runs of one job at once, failures logged rather than thrown. Shutdown stops
// them and waits for the runs in flight before it closes the database, which a run would
// otherwise lose mid-statement ("audit sealer failed: write CONNECTION_ENDED").

type Log = (message: string) => void;

interface Job {
  timer: NodeJS.Timeout;
  /** The run in flight, if any. */
  run?: Promise<void>;
}

export class BackgroundJobs {
  private readonly jobs: Job[] = [];
  private stopped = false;

  constructor(private readonly log: Log = (message) => console.error(message)) {}

  /** Runs `job` every `seconds` until stop(); a run still going when the next is due skips that turn. */
  every(seconds: number, name: string, job: () => Promise<unknown>): void {
    if (this.stopped) return;
    const scheduled: Job = {
      timer: setInterval(() => {
        if (scheduled.run) return;
        scheduled.run = job()
          .then(
            () => undefined,
            (error: unknown) => this.log(`[memoric] ${name} failed: ${error instanceof Error ? error.message : String(error)}`),
          )
          .finally(() => {
            scheduled.run = undefined;
          });
      }, seconds * 1000),
    };
    scheduled.timer.unref();
    this.jobs.push(scheduled);
  }

  /** Starts no run from now on; resolves once the runs in flight have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.jobs) clearInterval(timer);
    await Promise.all(this.jobs.map((job) => job.run));
  }
}
