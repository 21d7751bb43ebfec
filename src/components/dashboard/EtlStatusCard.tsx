"use client";

import { Card, ProgressBar } from "@tremor/react";
import { useEffect, useState } from "react";
import { formatDuration, formatElapsed, formatInteger, formatRelative, formatShortDateTime } from "@/components/format";
import { PlayIcon } from "@/components/ui/icons";
import { Skeleton } from "@/components/ui/states";
import { api, type RouterOutputs } from "@/trpc/react";

type JobState = RouterOutputs["etl"]["job"];
type Quarantine = RouterOutputs["etl"]["status"]["quarantine"];

/** How far a pass has got, from its BullMQ state and the stage the ETL worker reports. */
function describeProgress(job: JobState | undefined, waitedMs: number): { percent: number; text: string } {
  if (!job || job.state === "waiting" || job.state === "delayed" || job.state === "unknown") {
    const slow = waitedMs > 15_000;
    return {
      percent: 5,
      text: slow
        ? "Queued, but no ETL worker has picked it up yet. Is the ETL worker running (npm run etl:worker)?"
        : "Queued, waiting for the ETL worker…",
    };
  }
  const progress = (job.progress ?? {}) as { stage?: string; detail?: Record<string, number> };
  const d = progress.detail ?? {};
  switch (progress.stage) {
    case "waiting_for_lock":
      return { percent: 10, text: "Waiting for another pass to finish…" };
    case "read":
      return { percent: 45, text: `Read ${formatInteger(d.eventsRead ?? 0)} new events; computing metrics…` };
    case "computed":
      return { percent: 70, text: `Computed ${formatInteger(d.sessions ?? 0)} sessions; writing aggregates…` };
    case "written":
      return { percent: 95, text: `Wrote ${formatInteger(d.rows ?? 0)} rows; finishing…` };
    default:
      return { percent: 20, text: "Reading new events…" };
  }
}

function Stat({ label, value, detail, testId }: { label: string; value: string; detail?: string; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-gray-400">{label}</dt>
      <dd className="mt-0.5 truncate text-sm font-medium text-gray-100" data-testid={testId}>
        {value}
      </dd>
      {detail ? (
        <dd className="truncate text-xs text-gray-500" title={detail}>
          {detail}
        </dd>
      ) : null}
    </div>
  );
}

const KIND_LABEL: Record<Quarantine["recent"][number]["kind"], string> = {
  line: "line",
  session: "session",
  file: "file",
};

/** What passes set aside instead of stopping: counted, listed with where to find each line and why. */
function QuarantineList({ quarantine }: { quarantine: Quarantine }) {
  if (quarantine.total === 0) return null;
  const parts = [
    quarantine.lines ? `${formatInteger(quarantine.lines)} log line${quarantine.lines === 1 ? "" : "s"}` : "",
    quarantine.sessions ? `${formatInteger(quarantine.sessions)} session${quarantine.sessions === 1 ? "" : "s"}` : "",
    quarantine.files ? `${formatInteger(quarantine.files)} file notice${quarantine.files === 1 ? "" : "s"}` : "",
  ].filter(Boolean);
  return (
    <details
      className="mt-3 rounded-md border border-amber-900/50 bg-amber-950/20 px-3 py-2 text-sm text-amber-100"
      data-testid="etl-quarantine"
    >
      <summary className="cursor-pointer select-none">Set aside, not counted: {parts.join(", ")}. Everything else was counted.</summary>
      <ul className="mt-2 space-y-2">
        {quarantine.recent.map((q) => (
          <li key={q.id} className="min-w-0">
            <p className="break-all text-xs text-amber-200">
              <span className="font-semibold uppercase tracking-wide">{KIND_LABEL[q.kind]}</span>{" "}
              {q.kind === "session"
                ? `session ${q.sessionKey ?? ""}`
                : q.kind === "line"
                  ? `${q.file} at byte ${formatInteger(q.byteOffset)}`
                  : q.file}
              {" · "}
              {formatShortDateTime(q.createdAt)}
            </p>
            <p className="break-words text-xs text-amber-100/90">{q.reason}</p>
            {q.excerpt ? (
              <pre className="mt-1 overflow-x-auto rounded bg-gray-950/60 px-2 py-1 font-mono text-[11px] text-gray-300">{q.excerpt}</pre>
            ) : null}
          </li>
        ))}
      </ul>
      {quarantine.total > quarantine.recent.length ? (
        <p className="mt-2 text-xs text-amber-200/80">
          Showing the latest {quarantine.recent.length} of {formatInteger(quarantine.total)}; all are in the etl_quarantine table.
        </p>
      ) : null}
    </details>
  );
}

/** `canRun`: the user may start a pass (editors and admins; etl.runNow refuses viewers). */
export function EtlStatusCard({ siteId, canRun, onPassFinished }: { siteId: string; canRun: boolean; onPassFinished: () => void }) {
  const utils = api.useUtils();
  const [jobId, setJobId] = useState<string | null>(null);
  const [followedExisting, setFollowedExisting] = useState(false);
  const [startedAt, setStartedAt] = useState(0);
  const [now, setNow] = useState(() => Date.now());

  const status = api.etl.status.useQuery(
    { siteId },
    {
      refetchInterval: (q) => (q.state.data?.running ? 3_000 : 60_000),
    },
  );
  const runNow = api.etl.runNow.useMutation({
    onSuccess: (res) => {
      setJobId(res.jobId);
      setFollowedExisting(res.alreadyRunning);
      const t = Date.now();
      setStartedAt(t);
      setNow(t);
    },
    onSettled: () => void utils.etl.status.invalidate(),
  });
  const job = api.etl.job.useQuery(
    { siteId, jobId: jobId ?? "" },
    {
      enabled: jobId !== null,
      refetchInterval: (q) => (q.state.data && (q.state.data.state === "completed" || q.state.data.state === "failed") ? false : 1_000),
    },
  );

  const jobState = job.data?.state;
  const jobDone = jobState === "completed" || jobState === "failed";

  useEffect(() => {
    if (jobDone) {
      void utils.etl.status.invalidate();
      onPassFinished();
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once per finished job
  }, [jobDone, jobId]);

  // Keeps "3 min ago" / "in 2 min" and the queued-too-long hint current between refreshes.
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(t);
  }, []);

  const s = status.data;
  const jobRunning = jobId !== null && !jobDone && !runNow.isError;
  const busy = runNow.isPending || jobRunning || Boolean(s?.running);
  const last = s?.lastRun ?? null;

  const result = job.data?.result;
  let runMessage: { tone: "info" | "ok" | "error"; text: string } | null = null;
  let progress: { percent: number; text: string } | null = null;
  if (runNow.isError) runMessage = { tone: "error", text: `Could not start the ETL: ${runNow.error.message}` };
  else if (jobRunning || runNow.isPending) {
    progress = describeProgress(job.data, startedAt ? now - startedAt : 0);
    if (followedExisting) progress.text = `A pass was already running, so no second one was started. ${progress.text}`;
  } else if (jobState === "completed" && result) {
    runMessage =
      "skipped" in result && result.skipped
        ? { tone: "info", text: `No pass was run: ${result.reason}` }
        : {
            tone: "ok",
            text:
              `ETL pass finished in ${formatElapsed(result.durationMs)}: ${formatInteger(result.eventsRead)} new events read, ${formatInteger(result.daysRecomputed)} days recomputed, ${formatInteger(result.rowsWritten)} rows written.` +
              (result.quarantined ? ` ${formatInteger(result.quarantined)} set aside (listed below).` : ""),
          };
  } else if (jobState === "failed")
    runMessage = { tone: "error", text: `The ETL pass failed: ${job.data?.error ?? "see the ETL worker's log"}` };
  else if (s?.running && !jobId) progress = { percent: 50, text: "An ETL pass is running (started by the schedule or npm run etl)…" };

  return (
    <Card className="p-4 sm:p-5">
      <section aria-labelledby="etl-title" aria-busy={status.isLoading}>
        <div className="flex flex-col gap-4 md:flex-row md:items-center md:justify-between">
          <div className="min-w-0 flex-1">
            <h2 id="etl-title" className="flex items-center gap-2 text-sm font-semibold text-gray-100">
              <span
                aria-hidden="true"
                className={`inline-block h-2 w-2 rounded-full ${
                  busy ? "animate-pulse bg-amber-400" : last?.status === "failed" ? "bg-red-500" : last ? "bg-emerald-500" : "bg-gray-600"
                }`}
              />
              ETL status
            </h2>
            {status.isLoading ? (
              <Skeleton className="mt-3 h-9 w-full max-w-lg" />
            ) : status.isError ? (
              <p role="alert" className="mt-2 text-sm text-red-300">
                Could not load the ETL status: {status.error.message}
              </p>
            ) : (
              <dl className="mt-3 grid grid-cols-2 gap-x-6 gap-y-3 sm:grid-cols-3">
                <Stat
                  label="Last run"
                  testId="etl-last-run"
                  value={last ? formatRelative(last.finishedAt ?? last.startedAt, now) : "Never"}
                  detail={
                    last
                      ? `${last.status} · ${formatShortDateTime(last.finishedAt ?? last.startedAt)}`
                      : "Run it now or wait for the schedule"
                  }
                />
                <Stat
                  label="Events processed"
                  testId="etl-events"
                  value={last ? formatInteger(last.eventsRead) : "–"}
                  detail={last ? `in the last run · ${formatInteger(last.rowsWritten)} rows written` : undefined}
                />
                <Stat
                  label="Next run"
                  testId="etl-next-run"
                  value={s?.nextRunAt ? formatRelative(s.nextRunAt, now) : "Not scheduled"}
                  detail={s?.nextRunAt ? `every ${formatDuration(s.intervalSeconds)}` : "no ETL worker is running (npm run etl:worker)"}
                />
              </dl>
            )}
            {last?.status === "failed" && last.error && !runMessage ? (
              <p className="mt-2 truncate text-xs text-red-300" title={last.error}>
                Last error: {last.error}
              </p>
            ) : null}
            {s?.overdue && !busy ? (
              <p role="alert" data-testid="etl-overdue" className="mt-2 text-xs text-amber-300">
                {s.overdue.message}
              </p>
            ) : null}
            {s ? <QuarantineList quarantine={s.quarantine} /> : null}
          </div>
          {canRun ? (
            <div className="flex flex-col items-stretch gap-2 md:w-64 md:items-end">
              <button
                type="button"
                onClick={() => {
                  setJobId(null);
                  runNow.mutate({ siteId });
                }}
                disabled={busy || status.isLoading}
                className="inline-flex items-center justify-center gap-2 rounded-md bg-indigo-500 px-3.5 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:cursor-not-allowed disabled:bg-gray-700 disabled:text-gray-300"
              >
                <PlayIcon width={14} height={14} />
                {busy ? "ETL running…" : "Run ETL now"}
              </button>
            </div>
          ) : null}
        </div>
        <div aria-live="polite">
          {progress ? (
            <div
              role="status"
              data-testid="etl-progress"
              className="mt-4 rounded-md border border-amber-900/50 bg-amber-950/20 px-3 py-2.5"
            >
              <p className="text-sm text-amber-100">{progress.text}</p>
              <ProgressBar value={progress.percent} color="amber" className="mt-2" aria-label="ETL progress" />
            </div>
          ) : null}
          {runMessage ? (
            <p
              role={runMessage.tone === "error" ? "alert" : "status"}
              data-testid="etl-run-message"
              className={`mt-3 rounded-md px-3 py-2 text-sm ${
                runMessage.tone === "error"
                  ? "border border-red-900/60 bg-red-950/40 text-red-200"
                  : runMessage.tone === "ok"
                    ? "border border-emerald-900/60 bg-emerald-950/30 text-emerald-200"
                    : "border border-amber-900/50 bg-amber-950/20 text-amber-200"
              }`}
            >
              {runMessage.text}
            </p>
          ) : null}
        </div>
      </section>
    </Card>
  );
}
