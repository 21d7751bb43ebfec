import { describe, expect, it } from "vitest";
import { formatDuration, formatElapsed, formatPercent, formatRelative } from "./format";

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [56.25, "56s"],
    [59.6, "1m"],
    [60, "1m"],
    [75.5, "1m 16s"],
    [3600, "1h"],
    [3660, "1h 1m"],
    [3725, "1h 2m 5s"],
    [3605, "1h 0m 5s"],
    [null, "–"],
  ])("%s s → %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe("formatPercent", () => {
  it("keeps two decimals and shows a dash for no views", () => {
    expect(formatPercent(66.67)).toBe("66.67%");
    expect(formatPercent(100)).toBe("100%");
    expect(formatPercent(null)).toBe("–");
  });
});

describe("formatRelative", () => {
  const now = Date.parse("2026-01-10T12:00:00Z");
  it("says how long ago or how soon", () => {
    expect(formatRelative(new Date(now - 10_000), now)).toBe("just now");
    expect(formatRelative(new Date(now - 3 * 60_000), now)).toBe("3 min ago");
    expect(formatRelative(new Date(now + 2 * 60_000), now)).toBe("in 2 min");
    expect(formatRelative(new Date(now - 5 * 3_600_000), now)).toBe("5 h ago");
    expect(formatRelative(new Date(now - 86_400_000), now)).toBe("1 day ago");
    expect(formatRelative(null, now)).toBe("never");
  });
});

describe("formatElapsed", () => {
  it("keeps sub-second runs readable", () => {
    expect(formatElapsed(240)).toBe("0.24 s");
    expect(formatElapsed(3400)).toBe("3.4 s");
    expect(formatElapsed(75_000)).toBe("1m 15s");
  });
});
