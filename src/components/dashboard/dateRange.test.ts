import { describe, expect, it } from "vitest";
import { datesInRange, selectionFromParams, selectionToParams, selectionToRange, todayInZone, validateCustomRange } from "./dateRange";

const NOW = Date.parse("2026-03-10T23:30:00Z");

describe("date range selection", () => {
  it("defaults to the last 7 days including today (UTC)", () => {
    const sel = selectionFromParams(new URLSearchParams(""));
    expect(sel).toEqual({ kind: "preset", preset: "7d" });
    expect(selectionToRange(sel, "UTC", NOW)).toEqual({ from: "2026-03-04", to: "2026-03-10" });
    expect(selectionToParams(sel).toString()).toBe("");
  });

  it("counts days in the site's time zone: 23:30 UTC is already tomorrow in Berlin", () => {
    const sel = selectionFromParams(new URLSearchParams(""));
    expect(todayInZone("Europe/Berlin", NOW)).toBe("2026-03-11");
    expect(selectionToRange(sel, "Europe/Berlin", NOW)).toEqual({ from: "2026-03-05", to: "2026-03-11" });
    // West of UTC it is still the same day, and a custom range is taken as it is.
    expect(selectionToRange(sel, "America/New_York", NOW)).toEqual({ from: "2026-03-04", to: "2026-03-10" });
    expect(selectionToRange({ kind: "custom", from: "2026-01-01", to: "2026-01-02" }, "Europe/Berlin", NOW)).toEqual({
      from: "2026-01-01",
      to: "2026-01-02",
    });
  });

  it("reads presets and custom dates from the URL and writes them back", () => {
    const thirty = selectionFromParams(new URLSearchParams("period=30d"));
    expect(selectionToRange(thirty, "UTC", NOW)).toEqual({ from: "2026-02-09", to: "2026-03-10" });
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
