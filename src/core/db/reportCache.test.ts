import { describe, expect, it } from "vitest";
import type { AnalyticsReport } from "../analytics/types";
import { BoundedCache, createReportCache, estimateReportBytes } from "./reportCache";

/** A report with `rows` pages and buttons whose paths are `pathLength` characters. */
function report(rows: number, pathLength = 20, days = 7): AnalyticsReport {
  const path = (i: number) => `/page-${i}-`.padEnd(pathLength, "x");
  return {
    range: { from: "2026-01-01", to: "2026-01-07" },
    summary: { sessions: rows, users: rows, avg_duration_seconds: 12.5, page_views: rows },
    session_metrics: Array.from({ length: days }, (_, i) => ({
      date: `2026-01-${String(i + 1).padStart(2, "0")}`,
      total_sessions: i,
      unique_users: i,
      avg_duration_seconds: 1.5,
      avg_page_views: 2.25,
      total_page_views: i,
      bounce_rate: 33.33,
    })),
    page_engagement: Array.from({ length: rows }, (_, i) => ({
      page_path: path(i),
      total_visits: i,
      unique_users: i,
      total_time_spent_seconds: i * 3,
      avg_time_spent_seconds: 3,
    })),
    click_through_rates: Array.from({ length: rows }, (_, i) => ({
      page_path: path(i),
      button_id: `button-${i}`,
      clicks: 1,
      views: 3,
      ctr: 33.33,
    })),
  };
}

describe("BoundedCache", () => {
  const sized = (maxEntries: number, maxBytes: number) => new BoundedCache<number>({ maxEntries, maxBytes }, (bytes) => bytes);

  it("never holds more than its byte bound, evicting the least recently used first", () => {
    const cache = sized(100, 1_000);
    cache.set("a", 400);
    cache.set("b", 400);
    expect(cache.get("a")).toBe(400); // a is now more recent than b
    cache.set("c", 400);
    expect(cache.bytes).toBe(800);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(400);
    expect(cache.get("c")).toBe(400);
  });

  it("never holds more than its entry bound", () => {
    const cache = sized(3, 1_000_000);
    for (const key of ["a", "b", "c", "d", "e"]) cache.set(key, 1);
    expect(cache.size).toBe(3);
    expect(cache.get("a")).toBeUndefined();
    expect(cache.get("e")).toBe(1);
  });

  it("does not cache a value bigger than the whole bound, and keeps what it had", () => {
    const cache = sized(100, 1_000);
    cache.set("small", 10);
    cache.set("huge", 5_000);
    expect(cache.get("huge")).toBeUndefined();
    expect(cache.get("small")).toBe(10);
    expect(cache.bytes).toBe(10);
  });

  it("replacing a key counts its new size, not both", () => {
    const cache = sized(100, 1_000);
    cache.set("a", 600);
    cache.set("a", 700);
    expect(cache.bytes).toBe(700);
    expect(cache.size).toBe(1);
  });
});

describe("estimateReportBytes", () => {
  it("is at least the report's JSON size and grows with rows and text", () => {
    for (const r of [report(0), report(100), report(10_000), report(1_000, 2_000, 731)]) {
      expect(estimateReportBytes(r)).toBeGreaterThanOrEqual(JSON.stringify(r).length);
    }
    expect(estimateReportBytes(report(200))).toBeGreaterThan(estimateReportBytes(report(100)));
    expect(estimateReportBytes(report(100, 500))).toBeGreaterThan(estimateReportBytes(report(100, 20)));
  });
});

describe("the analytics report cache", () => {
  it("holds at most 32 MiB however many huge reports it is given (limit=10000 over two years)", () => {
    const cache = createReportCache();
    const huge = report(10_000, 200, 731);
    const hugeBytes = estimateReportBytes(huge);
    for (let i = 0; i < 50; i++) cache.set(`huge-${i}`, huge);
    expect(cache.bytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(cache.size).toBe(Math.floor((32 * 1024 * 1024) / hugeBytes));
    // The newest are the ones kept.
    expect(cache.get("huge-49")).toBe(huge);
    expect(cache.get("huge-0")).toBeUndefined();
  });

  it("still keeps up to 200 everyday dashboard reports", () => {
    const cache = createReportCache();
    const everyday = report(25);
    for (let i = 0; i < 250; i++) cache.set(`day-${i}`, everyday);
    expect(cache.size).toBe(200);
  });
});
