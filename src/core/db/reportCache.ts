import type { AnalyticsReport, BreakdownReport } from "../analytics/types";

/**
 * A cache bounded both by entry count and by the estimated bytes of what it holds; when either
 * bound is passed, the least recently used entries go first. A value bigger than the byte bound
 * on its own is not cached at all.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private totalBytes = 0;

  constructor(
    readonly limits: { maxEntries: number; maxBytes: number },
    private readonly sizeOf: (value: V) => number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(value);
    if (bytes > this.limits.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.totalBytes += bytes;
    while (this.totalBytes > this.limits.maxBytes || this.entries.size > this.limits.maxEntries) {
      this.delete(this.entries.keys().next().value!);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.totalBytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes of everything cached. */
  get bytes(): number {
    return this.totalBytes;
  }
}

/**
 * Heap bytes of one row object besides its strings: measured at 124–130 on Node 20 for these
 * rows (5–7 number or string fields), rounded up.
 */
const ROW_OVERHEAD_BYTES = 160;
/** V8 keeps a string in 1 or 2 bytes per character; assume 2, so text outside Latin-1 is not undercounted. */
const BYTES_PER_CHAR = 2;

/** An upper estimate of the heap a report takes: per row a fixed overhead plus its strings. */
export function estimateReportBytes(report: AnalyticsReport): number {
  let chars = 0;
  for (const row of report.page_engagement) chars += row.page_path.length;
  for (const row of report.click_through_rates) chars += row.page_path.length + row.button_id.length;
  chars += report.session_metrics.length * 10; // the YYYY-MM-DD date
  const rows = report.session_metrics.length + report.page_engagement.length + report.click_through_rates.length + 2;
  return rows * ROW_OVERHEAD_BYTES + chars * BYTES_PER_CHAR;
}

/**
 * The in-process cache of analytics reports: a few dozen everyday dashboard reports, or a handful
 * of the largest ones (limit=10000 over two years is ~5 MB), never more than 32 MiB.
 */
export function createReportCache(): BoundedCache<AnalyticsReport> {
  return new BoundedCache<AnalyticsReport>({ maxEntries: 200, maxBytes: 32 * 1024 * 1024 }, estimateReportBytes);
}

export function estimateBreakdownBytes(report: BreakdownReport): number {
  let chars = 0;
  for (const row of report.rows) chars += row.value.length;
  return (report.rows.length + 2) * ROW_OVERHEAD_BYTES + chars * BYTES_PER_CHAR;
}

/** Breakdowns (a dashboard asks for one per panel tab) under the same kind of bound: at most 16 MiB. */
export function createBreakdownCache(): BoundedCache<BreakdownReport> {
  return new BoundedCache<BreakdownReport>({ maxEntries: 500, maxBytes: 16 * 1024 * 1024 }, estimateBreakdownBytes);
}
