// The windows of days a text search page reads (textSearchPage in query.ts): from the day of the
// page's first row outwards, cut to the search's range, so that a page of a common word reads a
// day or a few of its matches instead of all of them.
import { searchDayOf, searchDayStart } from "./search-day";

export interface TimeWindow {
  startTime: Date;
  endTime: Date;
}

export class SearchWindows {
  /** Where the page starts: the range's end (newest first) or its start, or the cursor's time in the range. */
  readonly anchor: Date;
  private readonly step: 1 | -1;

  constructor(
    private readonly start: Date,
    private readonly end: Date,
    private readonly ascending: boolean,
    cursorTime?: Date,
  ) {
    this.step = ascending ? 1 : -1;
    this.anchor = cursorTime
      ? new Date(ascending ? Math.max(start.getTime(), cursorTime.getTime()) : Math.min(end.getTime(), cursorTime.getTime()))
      : ascending
        ? start
        : end;
  }

  /** The anchor's day and the `days - 1` days beyond it in page order, cut to the range. */
  of(days: number): TimeWindow {
    const day = searchDayOf(this.anchor);
    return this.ascending
      ? { startTime: this.anchor, endTime: new Date(Math.min(this.end.getTime(), searchDayStart(day + days).getTime() - 1)) }
      : { startTime: new Date(Math.max(this.start.getTime(), searchDayStart(day - days + 1).getTime())), endTime: this.anchor };
  }

  /** True when `window` reaches the far end of the range: no day is left to read. */
  covers(window: TimeWindow): boolean {
    return this.ascending ? window.endTime.getTime() >= this.end.getTime() : window.startTime.getTime() <= this.start.getTime();
  }

  /**
   * How many days from the anchor's hold `need` matches by the counts there are: `held` of them in
   * the first `days`, then `byDay`'s count of each day after those (the whole days the roll-up has
   * counted; a day it has not is taken as none), up to the range's far day.
   */
  daysToHold(need: number, held: number, days: number, byDay: ReadonlyMap<number, number>): number {
    const farthest = searchDayOf(this.ascending ? this.end : this.start);
    let day = searchDayOf(this.anchor) + this.step * (days - 1);
    while (held < need && (this.ascending ? day < farthest : day > farthest)) {
      day += this.step;
      held += byDay.get(day) ?? 0;
      days++;
    }
    return days;
  }
}
