import { describe, expect, it } from "vitest";
import { InvalidRangeError, resolveRange } from "./range";

describe("resolveRange", () => {
  // 23:30 UTC on the 10th: already the 11th in Berlin, still the 10th in UTC.
  const now = Date.parse("2026-11-10T23:30:00.000Z");

  it("defaults to the last 7 days of the site's own today", () => {
    expect(resolveRange({}, "Europe/Berlin", now)).toEqual({ from: "2026-11-05", to: "2026-11-11" });
    expect(resolveRange({}, "UTC", now)).toEqual({ from: "2026-11-04", to: "2026-11-10" });
    expect(resolveRange({}, "America/Los_Angeles", now)).toEqual({ from: "2026-11-04", to: "2026-11-10" });
  });

  it("from alone runs to the site's today; to alone covers the 7 days ending then", () => {
    expect(resolveRange({ from: "2026-11-01" }, "Europe/Berlin", now)).toEqual({ from: "2026-11-01", to: "2026-11-11" });
    expect(resolveRange({ to: "2026-11-03" }, "Europe/Berlin", now)).toEqual({ from: "2026-10-28", to: "2026-11-03" });
  });

  it("refuses from after to, impossible dates and ranges over two years", () => {
    expect(() => resolveRange({ from: "2026-11-05", to: "2026-11-01" }, "UTC", now)).toThrow(InvalidRangeError);
    expect(() => resolveRange({ from: "2026-02-30" }, "UTC", now)).toThrow(/real calendar date/);
    expect(() => resolveRange({ from: "2020-01-01", to: "2026-01-01" }, "UTC", now)).toThrow(/at most 731 days/);
  });
});
