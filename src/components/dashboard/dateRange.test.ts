import { describe, expect, it } from "vitest";
import { datesInRange, selectionFromParams, selectionToParams, selectionToRange, validateCustomRange } from "./dateRange";

const NOW = Date.parse("2026-03-10T23:30:00Z");

describe("date range selection", () => {
  it("defaults to the last 7 days including today (UTC)", () => {
    const sel = selectionFromParams(new URLSearchParams(""));
    expect(sel).toEqual({ kind: "preset", preset: "7d" });
    expect(selectionToRange(sel, NOW)).toEqual({ from: "2026-03-04", to: "2026-03-10" });
    expect(selectionToParams(sel).toString()).toBe("");
  });

  it("reads presets and custom dates from the URL and writes them back", () => {
    const thirty = selectionFromParams(new URLSearchParams("period=30d"));
    expect(selectionToRange(thirty, NOW)).toEqual({ from: "2026-02-09", to: "2026-03-10" });
    expect(selectionToParams(thirty).toString()).toBe("period=30d");

    const custom = selectionFromParams(new URLSearchParams("from=2026-01-01&to=2026-01-31"));
    expect(custom).toEqual({ kind: "custom", from: "2026-01-01", to: "2026-01-31" });
    expect(selectionToParams(custom).toString()).toBe("from=2026-01-01&to=2026-01-31");
  });

  it("ignores unknown periods and malformed dates", () => {
    expect(selectionFromParams(new URLSearchParams("period=1y"))).toEqual({ kind: "preset", preset: "7d" });
    expect(selectionFromParams(new URLSearchParams("from=yesterday&to=today"))).toEqual({ kind: "preset", preset: "7d" });
  });

  it("validates a custom range", () => {
    expect(validateCustomRange("2026-01-02", "2026-01-01")).toMatch(/start date/);
    expect(validateCustomRange("", "2026-01-01")).toMatch(/both/);
    expect(validateCustomRange("2020-01-01", "2026-01-01")).toMatch(/at most/);
    expect(validateCustomRange("2026-01-01", "2026-01-01")).toBeNull();
  });

  it("lists every day of a range for the trend chart", () => {
    expect(datesInRange({ from: "2026-02-27", to: "2026-03-02" })).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
  });
});
