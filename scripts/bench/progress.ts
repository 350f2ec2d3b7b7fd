// A progress bar for long command-line steps: redrawn in place on a terminal, a line per 10 % otherwise.
export class Progress {
  private readonly started = performance.now();
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
  ) {}

  update(done: number): void {
    const fraction = this.total ? done / this.total : 1;
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const bar = "#".repeat(Math.round(fraction * 30)).padEnd(30, "-");
    const text = `${this.label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${done.toLocaleString("en")}/${this.total.toLocaleString("en")} ${this.unit}, ${Math.round(rate).toLocaleString("en")}/s, ETA ${eta.toFixed(0)} s`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${text}`);
    } else if (Math.floor(fraction * 10) > this.lastDecile) {
      this.lastDecile = Math.floor(fraction * 10);
      process.stderr.write(`${text}\n`);
    }
  }

  done(): void {
    const seconds = (performance.now() - this.started) / 1000;
    if (process.stderr.isTTY) process.stderr.write("\n");
    process.stderr.write(`${this.label}: done in ${seconds.toFixed(1)} s\n`);
  }
}
