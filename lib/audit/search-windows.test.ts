import { describe, expect, it } from "vitest";
import { searchDayOf } from "./search-day";
import { SearchWindows } from "./search-windows";

const t = (iso: string) => new Date(iso);
const start = t("2026-11-04T01:42:00.000Z");
const end = t("2026-12-04T01:42:00.000Z");
const endDay = searchDayOf(end);
const startDay = searchDayOf(start);

describe("SearchWindows, newest first", () => {
  const windows = new SearchWindows(start, end, false);

  it("starts at the range's end and reads back from the start of earlier days", () => {
    expect(windows.anchor).toEqual(end);
    expect(windows.of(1)).toEqual({ startTime: t("2026-12-04T00:00:00.000Z"), endTime: end });
    expect(windows.of(2)).toEqual({ startTime: t("2026-12-03T00:00:00.000Z"), endTime: end });
  });

  it("stops at the range's start, and only then covers it", () => {
    expect(windows.covers(windows.of(30))).toBe(false);
    expect(windows.of(31)).toEqual({ startTime: start, endTime: end });
    expect(windows.of(500)).toEqual({ startTime: start, endTime: end });
    expect(windows.covers(windows.of(31))).toBe(true);
  });

  it("takes as many further days as their counts need, none when the first days hold the page", () => {
    const byDay = new Map([[endDay - 2, 40], [endDay - 3, 40], [endDay - 4, 40]]);
    expect(windows.daysToHold(101, 150, 2, byDay)).toBe(2);
    expect(windows.daysToHold(101, 30, 2, byDay)).toBe(4);
    expect(windows.daysToHold(101, 0, 2, byDay)).toBe(5);
    // Days without counts (not rolled up) are taken as none, up to the range's first day.
    expect(windows.daysToHold(101, 0, 2, new Map())).toBe(endDay - startDay + 1);
  });
});

describe("SearchWindows, oldest first", () => {
  const windows = new SearchWindows(start, end, true);

  it("starts at the range's start and reads forward to the end of later days, cut at the range's end", () => {
    expect(windows.anchor).toEqual(start);
    expect(windows.of(1)).toEqual({ startTime: start, endTime: t("2026-11-04T23:59:59.999Z") });
    expect(windows.of(2)).toEqual({ startTime: start, endTime: t("2026-11-05T23:59:59.999Z") });
    expect(windows.covers(windows.of(30))).toBe(false);
    expect(windows.of(31)).toEqual({ startTime: start, endTime: end });
    expect(windows.covers(windows.of(31))).toBe(true);
  });

  it("counts days forward", () => {
    const byDay = new Map([[startDay + 2, 60], [startDay + 3, 60]]);
    expect(windows.daysToHold(101, 0, 2, byDay)).toBe(4);
  });
});

describe("SearchWindows from a cursor", () => {
  it("starts at the cursor's time when it lies in the range, else at the range's edge", () => {
    const cursor = t("2026-11-20T12:00:00.000Z");
    expect(new SearchWindows(start, end, false, cursor).anchor).toEqual(cursor);
    expect(new SearchWindows(start, end, false, cursor).of(1)).toEqual({ startTime: t("2026-11-20T00:00:00.000Z"), endTime: cursor });
    expect(new SearchWindows(start, end, true, cursor).of(1)).toEqual({ startTime: cursor, endTime: t("2026-11-20T23:59:59.999Z") });
    expect(new SearchWindows(start, end, false, t("2027-01-01T00:00:00.000Z")).anchor).toEqual(end);
    expect(new SearchWindows(start, end, true, t("2026-01-01T00:00:00.000Z")).anchor).toEqual(start);
  });

  it("covers nothing further when the range is a single day", () => {
    const day = new SearchWindows(t("2026-12-04T00:10:00.000Z"), t("2026-12-04T01:00:00.000Z"), false);
    expect(day.covers(day.of(1))).toBe(true);
    expect(day.daysToHold(101, 0, 2, new Map())).toBe(2);
  });
});
