"use client";

import { useId, useState, type FormEvent } from "react";
import type { DateRange } from "@/core/analytics/types";
import { PRESETS, todayInZone, validateCustomRange, type RangeSelection } from "./dateRange";

const segment =
  "px-3 py-1.5 text-sm font-medium transition-colors focus:outline-none focus-visible:z-10 focus-visible:ring-2 focus-visible:ring-indigo-500";
const dateInput =
  "mt-1 block w-full rounded-md border border-gray-700 bg-gray-950 px-2.5 py-1.5 text-sm text-gray-100 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 sm:w-40";

export function DateRangeFilter({
  selection,
  range,
  timeZone,
  onChange,
}: {
  selection: RangeSelection;
  range: DateRange;
  timeZone: string;
  onChange: (selection: RangeSelection) => void;
}) {
  const [customOpen, setCustomOpen] = useState(selection.kind === "custom");
  const [error, setError] = useState<string | null>(null);
  const formId = useId();
  const customActive = selection.kind === "custom";

  function applyCustom(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const from = String(data.get("from") ?? "");
    const to = String(data.get("to") ?? "");
    const problem = validateCustomRange(from, to);
    setError(problem);
    if (!problem) onChange({ kind: "custom", from, to });
  }

  return (
    <div className="flex flex-col items-stretch gap-2 sm:items-end">
      <div
        role="group"
        aria-label="Date range"
        className="inline-flex w-full overflow-hidden rounded-lg border border-gray-800 bg-gray-900/60 sm:w-auto"
      >
        {PRESETS.map((p) => {
          const active = selection.kind === "preset" && selection.preset === p.id;
          return (
            <button
              key={p.id}
              type="button"
              aria-pressed={active}
              aria-label={p.long}
              onClick={() => {
                setCustomOpen(false);
                setError(null);
                onChange({ kind: "preset", preset: p.id });
              }}
              className={`${segment} flex-1 border-r border-gray-800 sm:flex-none ${active ? "bg-indigo-500/20 text-indigo-200" : "text-gray-400 hover:bg-gray-800/60 hover:text-gray-100"}`}
            >
              {p.label}
            </button>
          );
        })}
        <button
          type="button"
          aria-pressed={customActive}
          aria-expanded={customOpen}
          aria-controls={formId}
          onClick={() => setCustomOpen((o) => !o)}
          className={`${segment} flex-1 sm:flex-none ${customActive ? "bg-indigo-500/20 text-indigo-200" : "text-gray-400 hover:bg-gray-800/60 hover:text-gray-100"}`}
        >
          Custom
        </button>
      </div>
      {customOpen ? (
        <form
          id={formId}
          onSubmit={applyCustom}
          aria-label="Custom date range"
          className="flex flex-col gap-2 rounded-lg border border-gray-800 bg-gray-900/80 p-3 sm:flex-row sm:items-end"
        >
          <label className="text-xs font-medium text-gray-400">
            From
            <input name="from" type="date" required defaultValue={range.from} max={todayInZone(timeZone)} className={dateInput} />
          </label>
          <label className="text-xs font-medium text-gray-400">
            To
            <input name="to" type="date" required defaultValue={range.to} className={dateInput} />
          </label>
          <button
            type="submit"
            className="rounded-md bg-indigo-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-400 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
          >
            Apply
          </button>
          {error ? (
            <p role="alert" className="text-xs text-red-300 sm:basis-full">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
