"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import { api } from "@/trpc/react";
import type { DateRange } from "@/core/analytics/types";
import type { PanelId } from "@/core/export/panels";
import type { FilterTriple } from "./useDashboardFilters";

/**
 * Download links of the signed-in dashboard (docs/exports.md): every panel's CSV, all of them as a
 * zip, and the raw events, for the page's range and filters. The routes read the session cookie;
 * the shared link has no session, so it provides no exports and the links are not shown.
 */
export interface Exports {
  panel: (panel: PanelId) => string;
  all: string;
  raw: (format: "ndjson" | "csv") => string;
  /** What a prepared export (a job, for big ranges) is made of. */
  job: { siteId: string; range: DateRange; triples: FilterTriple[] | undefined };
}

const ExportsContext = createContext<Exports | null>(null);

export function exportsFor(siteId: string, range: DateRange, triples: FilterTriple[] | undefined): Exports {
  const query = (extra: Record<string, string>) =>
    new URLSearchParams({
      site: siteId,
      from: range.from,
      to: range.to,
      ...(triples ? { filters: JSON.stringify(triples) } : {}),
      ...extra,
    });
  return {
    panel: (panel) => `/api/export/panel?${query({ panel })}`,
    all: `/api/export/panels?${query({})}`,
    raw: (format) => `/api/export/events?${query({ format })}`,
    job: { siteId, range, triples },
  };
}

export function ExportsProvider({ value, children }: { value: Exports | null; children: ReactNode }) {
  return <ExportsContext.Provider value={value}>{children}</ExportsContext.Provider>;
}

export function useExports(): Exports | null {
  return useContext(ExportsContext);
}

const linkClass =
  "rounded px-1.5 py-0.5 text-xs font-medium text-gray-400 hover:bg-gray-800 hover:text-gray-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500";

/** "Export CSV" on a panel; nothing where there are no exports (the shared link). */
export function PanelExportLink({ panel, label }: { panel: PanelId; label: string }) {
  const exports = useExports();
  if (!exports) return null;
  return (
    <a href={exports.panel(panel)} download className={linkClass} aria-label={`Export ${label} as CSV`} data-testid={`export-${panel}`}>
      Export CSV
    </a>
  );
}

/** The page-wide downloads: every panel as a zip, and the raw events of the range. */
export function ExportBar() {
  const exports = useExports();
  if (!exports) return null;
  return (
    <nav aria-label="Exports" className="flex flex-wrap items-center gap-1 text-xs text-gray-500">
      <span className="mr-1">Export:</span>
      <a href={exports.panel("summary")} download className={linkClass} data-testid="export-summary">
        Summary (CSV)
      </a>
      <a href={exports.all} download className={linkClass} data-testid="export-all">
        All panels (zip)
      </a>
      <a href={exports.raw("ndjson")} download className={linkClass} data-testid="export-raw-ndjson">
        Raw events (NDJSON)
      </a>
      <a href={exports.raw("csv")} download className={linkClass} data-testid="export-raw-csv">
        Raw events (CSV)
      </a>
      <PreparedExport job={exports.job} />
    </nav>
  );
}

/**
 * "Prepare a file": the raw events as a job (docs/exports.md, "Big exports") with its progress, then
 * a download link, for ranges too big to wait for in one request.
 */
function PreparedExport({ job }: { job: Exports["job"] }) {
  const [jobId, setJobId] = useState<string | null>(null);
  const start = api.exports.start.useMutation({ onSuccess: (r) => setJobId(r.jobId) });
  const status = api.exports.status.useQuery(
    { siteId: job.siteId, jobId: jobId ?? "" },
    { enabled: jobId !== null, refetchInterval: (q) => (q.state.data?.download || q.state.data?.error ? false : 1_000) },
  );
  const s = status.data;
  if (s?.download) {
    return (
      <a href={s.download} download className={linkClass} data-testid="export-prepared-download">
        Download prepared file ({s.events.toLocaleString("en-US")} events, {((s.bytes ?? 0) / 1e6).toFixed(1)} MB)
      </a>
    );
  }
  if (jobId !== null) {
    return (
      <span role="status" className="px-1.5 text-xs text-gray-400" data-testid="export-prepared-progress">
        {s?.error ? `Export failed: ${s.error}` : `Preparing… ${(s?.events ?? 0).toLocaleString("en-US")} events so far`}
      </span>
    );
  }
  return (
    <button
      type="button"
      className={linkClass}
      disabled={start.isPending}
      onClick={() => start.mutate({ siteId: job.siteId, ...job.range, ...(job.triples ? { filters: job.triples } : {}), format: "ndjson" })}
      data-testid="export-prepare"
    >
      Prepare a file (big ranges)
    </button>
  );
}
