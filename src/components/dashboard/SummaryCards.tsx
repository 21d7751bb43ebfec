import { Card } from "@tremor/react";
import type { Summary } from "@/core/analytics/types";
import { formatDuration, formatInteger } from "@/components/format";
import { Skeleton } from "@/components/ui/states";

const CARDS = [
  { key: "sessions", label: "Sessions", hint: "Sessions that started in the range", format: formatInteger },
  { key: "users", label: "Users", hint: "Distinct users of those sessions", format: formatInteger },
  {
    key: "avg_duration_seconds",
    label: "Avg. session duration",
    hint: "Mean time from a session's first event to its end",
    format: formatDuration,
  },
  { key: "page_views", label: "Page views", hint: "page_visited events in those sessions", format: formatInteger },
] as const;

export function SummaryCards({ summary, loading }: { summary?: Summary; loading: boolean }) {
  return (
    <section aria-label="Summary" className="grid grid-cols-2 gap-3 lg:grid-cols-4 lg:gap-4">
      {CARDS.map((c) => {
        const id = `summary-${c.key}`;
        return (
          <Card key={c.key} className="p-4 sm:p-5" role="group" aria-labelledby={`${id}-label`}>
            <p
              id={`${id}-label`}
              className="text-xs font-medium uppercase tracking-wide text-gray-400 sm:text-sm sm:normal-case sm:tracking-normal"
            >
              {c.label}
            </p>
            {loading || !summary ? (
              <Skeleton className="mt-3 h-8 w-24" />
            ) : (
              <p
                data-testid={id}
                aria-labelledby={`${id}-label`}
                title={c.key === "avg_duration_seconds" ? `${summary[c.key]} seconds` : String(summary[c.key])}
                className="mt-2 text-2xl font-semibold tabular-nums tracking-tight text-gray-50 sm:text-3xl"
              >
                {c.format(summary[c.key])}
              </p>
            )}
            <p className="mt-1 hidden text-xs text-gray-500 sm:block">{c.hint}</p>
          </Card>
        );
      })}
    </section>
  );
}
