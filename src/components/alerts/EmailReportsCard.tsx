"use client";

import { Card } from "@tremor/react";
import { api } from "@/trpc/react";

const OPTIONS = [
  { frequency: "weekly", label: "Weekly report", hint: "Monday to Sunday, sent after the week ends" },
  { frequency: "monthly", label: "Monthly report", hint: "sent after the month ends" },
] as const;

/** The signed-in member's own email reports of this site (docs/reports.md). */
export function EmailReportsCard({ siteId }: { siteId: string }) {
  const mine = api.reports.mine.useQuery({ siteId });
  const utils = api.useUtils();
  const set = api.reports.set.useMutation({
    onSuccess: (data) => utils.reports.mine.setData({ siteId }, (old) => old && { ...old, ...data }),
  });
  const on = new Set(mine.data?.frequencies ?? []);
  return (
    <Card className="p-4 sm:p-6">
      <h2 className="text-base font-semibold text-gray-100">Email reports</h2>
      <p className="mt-1 text-sm text-gray-400">
        Key figures with their change on the period before, top pages and top sources, to your address. Each email has a link to stop it.
      </p>
      <fieldset className="mt-3 space-y-2" disabled={!mine.data || set.isPending} aria-label="Email reports">
        {OPTIONS.map((o) => (
          <label key={o.frequency} className="flex items-start gap-2 text-sm text-gray-200">
            <input
              type="checkbox"
              className="mt-0.5 h-4 w-4 accent-indigo-500"
              checked={on.has(o.frequency)}
              onChange={(e) => set.mutate({ siteId, frequency: o.frequency, on: e.target.checked })}
            />
            <span>
              {o.label} <span className="text-gray-500">({o.hint})</span>
            </span>
          </label>
        ))}
      </fieldset>
      {mine.data && !mine.data.mailConfigured ? (
        <p className="mt-2 text-xs text-amber-300">Nothing is sent until an SMTP server is configured (mail.smtp_url).</p>
      ) : null}
    </Card>
  );
}
