"use client";

import { Card } from "@tremor/react";
import { useId, useState, type FormEvent } from "react";
import { formatDateTime } from "@/components/format";
import { EmptyState, ErrorState, Skeleton } from "@/components/ui/states";
import { dangerButton, inputClass, labelClass, primaryButton } from "@/components/ui/styles";
import { ALERT_CONDITIONS, ALERT_METRICS, ALERT_WINDOWS, METRIC_LABELS, type AlertCondition } from "@/core/alerts/definitions";
import { api, type RouterOutputs } from "@/trpc/react";
import { EmailReportsCard } from "./EmailReportsCard";

type Rule = RouterOutputs["alerts"]["list"]["rules"][number];

const CONDITION_LABELS: Record<AlertCondition, string> = {
  above: "is above",
  below: "is below (complete windows)",
  rise: "rises by % against the last 4 weeks",
  drop: "drops by % against the last 4 weeks (complete windows)",
};

function describeRule(rule: Rule): string {
  const metric = rule.metric === "custom_event" ? `"${rule.eventType}" events` : METRIC_LABELS[rule.metric];
  const cond =
    rule.condition === "rise" || rule.condition === "drop"
      ? `${rule.condition}s ${rule.threshold}%`
      : `${rule.condition} ${rule.threshold}`;
  return `${metric} per ${rule.window} ${cond}`;
}

/** A site's alert rules, the form to add one (editors), and what fired (docs/alerts.md). */
export function AlertsView({ siteId, canEdit }: { siteId: string; canEdit: boolean }) {
  const list = api.alerts.list.useQuery({ siteId }, { refetchInterval: 30_000 });
  const utils = api.useUtils();
  const remove = api.alerts.delete.useMutation({ onSuccess: () => void utils.alerts.list.invalidate({ siteId }) });

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-xl font-semibold tracking-tight text-gray-50 sm:text-2xl">Alerts</h1>
        <p className="mt-1 text-sm text-gray-400">
          Rules are checked after every ETL pass; each fires at most once per hour or day it watches.
        </p>
      </div>
      {list.data && !list.data.mailConfigured ? (
        <p role="status" className="rounded-md border border-amber-700/50 bg-amber-950/40 px-3 py-2 text-sm text-amber-200">
          No SMTP server is configured (mail.smtp_url / SMTP_URL), so alert emails are not sent; webhooks are.
        </p>
      ) : null}
      <EmailReportsCard siteId={siteId} />
      {canEdit ? <NewRuleForm siteId={siteId} onCreated={() => void utils.alerts.list.invalidate({ siteId })} /> : null}

      <Card className="p-4 sm:p-6">
        <h2 className="text-base font-semibold text-gray-100">Rules</h2>
        {list.isError ? (
          <ErrorState title="Could not load the rules" message={list.error.message} onRetry={() => void list.refetch()} />
        ) : list.isLoading || !list.data ? (
          <Skeleton className="mt-3 h-16 w-full" />
        ) : list.data.rules.length === 0 ? (
          <div className="mt-3">
            <EmptyState title="No alert rules yet">{canEdit ? "Add one above." : "The site's editors add them."}</EmptyState>
          </div>
        ) : (
          <ul className="mt-3 divide-y divide-gray-800" data-testid="alert-rules">
            {list.data.rules.map((rule) => (
              <li key={rule.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                <div className="min-w-0">
                  <p className="font-medium text-gray-100">{rule.name}</p>
                  <p className="text-sm text-gray-400">{describeRule(rule)}</p>
                  <p className="break-all text-xs text-gray-500">
                    {[...rule.emails, ...(rule.webhookUrl ? [rule.webhookUrl] : [])].join(", ")}
                  </p>
                </div>
                {canEdit ? (
                  <button
                    type="button"
                    className={dangerButton}
                    disabled={remove.isPending}
                    onClick={() => remove.mutate({ siteId, id: rule.id })}
                    aria-label={`Delete rule ${rule.name}`}
                  >
                    Delete
                  </button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card className="p-4 sm:p-6">
        <h2 className="text-base font-semibold text-gray-100">History</h2>
        {!list.data ? null : list.data.firings.length === 0 ? (
          <p className="mt-3 text-sm text-gray-400">Nothing has fired yet.</p>
        ) : (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="alert-history">
              <thead className="text-xs uppercase tracking-wide text-gray-400">
                <tr>
                  <th className="px-2 py-2">Fired</th>
                  <th className="px-2 py-2">Rule</th>
                  <th className="px-2 py-2">Window</th>
                  <th className="px-2 py-2 text-right">Value</th>
                  <th className="px-2 py-2">Email</th>
                  <th className="px-2 py-2">Webhook</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-800 text-gray-200">
                {list.data.firings.map((f) => (
                  <tr key={f.id}>
                    <td className="whitespace-nowrap px-2 py-2">{formatDateTime(f.firedAt)}</td>
                    <td className="px-2 py-2">{f.ruleName}</td>
                    <td className="whitespace-nowrap px-2 py-2">
                      {new Date(f.windowStart).toISOString().slice(0, 16).replace("T", " ")} UTC
                    </td>
                    <td className="px-2 py-2 text-right tabular-nums">{Math.round(f.value * 100) / 100}</td>
                    <td className="px-2 py-2 text-xs text-gray-400">{f.emailStatus}</td>
                    <td className="px-2 py-2 text-xs text-gray-400">{f.webhookStatus}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

function NewRuleForm({ siteId, onCreated }: { siteId: string; onCreated: () => void }) {
  const id = useId();
  const [metric, setMetric] = useState<(typeof ALERT_METRICS)[number]>("sessions");
  const [error, setError] = useState<string | null>(null);
  const create = api.alerts.create.useMutation({
    onSuccess: () => {
      setError(null);
      onCreated();
    },
    onError: (err) => setError(err.message),
  });

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const emails = text("emails")
      .split(/[\s,;]+/)
      .filter(Boolean);
    create.mutate({
      siteId,
      rule: {
        name: text("name"),
        metric,
        ...(metric === "custom_event" ? { eventType: text("eventType") } : {}),
        window: text("window") as (typeof ALERT_WINDOWS)[number],
        condition: text("condition") as AlertCondition,
        threshold: Number(text("threshold")),
        emails,
        ...(text("webhookUrl") ? { webhookUrl: text("webhookUrl") } : {}),
      },
    });
  }

  return (
    <Card className="p-4 sm:p-6">
      <h2 className="text-base font-semibold text-gray-100">New rule</h2>
      <form onSubmit={submit} className="mt-3 grid grid-cols-1 gap-4 sm:grid-cols-2" aria-label="New alert rule">
        <label className={labelClass}>
          Name
          <input name="name" required maxLength={100} className={inputClass} placeholder="Traffic spike" />
        </label>
        <label className={labelClass}>
          Metric
          <select name="metric" className={inputClass} value={metric} onChange={(e) => setMetric(e.target.value as typeof metric)}>
            {ALERT_METRICS.map((m) => (
              <option key={m} value={m}>
                {METRIC_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        {metric === "custom_event" ? (
          <label className={labelClass}>
            Event type
            <input name="eventType" required className={inputClass} placeholder="signup" />
          </label>
        ) : null}
        <label className={labelClass}>
          Per
          <select name="window" className={inputClass} defaultValue="hour">
            {ALERT_WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label className={labelClass}>
          When it
          <select name="condition" className={inputClass} defaultValue="above">
            {ALERT_CONDITIONS.map((c) => (
              <option key={c} value={c}>
                {CONDITION_LABELS[c]}
              </option>
            ))}
          </select>
        </label>
        <label className={labelClass}>
          Value (or %)
          <input name="threshold" type="number" min={0} step="any" required className={inputClass} defaultValue={100} />
        </label>
        <label className={labelClass}>
          Email to (comma-separated)
          <input name="emails" className={inputClass} placeholder="ops@example.com" />
        </label>
        <label className={labelClass}>
          Webhook URL (Slack-compatible, signed)
          <input name="webhookUrl" type="url" className={inputClass} placeholder="https://hooks.slack.com/services/…" />
        </label>
        <div className="flex items-center gap-3 sm:col-span-2">
          <button type="submit" className={primaryButton} disabled={create.isPending}>
            Add rule
          </button>
          {error ? (
            <p role="alert" id={`${id}-error`} className="text-sm text-red-300">
              {error}
            </p>
          ) : null}
        </div>
      </form>
    </Card>
  );
}
