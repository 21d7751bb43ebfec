import { escapeHtml } from "../mail";
import type { ReportContent } from "./content";
import type { ReportFrequency } from "./periods";

/** A report as an email: subject, text part and HTML part (every value escaped), with its links. */
export interface RenderedReport {
  subject: string;
  text: string;
  html: string;
}

const LABELS = [
  ["sessions", "Sessions"],
  ["users", "Users"],
  ["page_views", "Page views"],
  ["avg_duration_seconds", "Avg. session (s)"],
] as const;

export function formatChange(change: number | null): string {
  if (change === null) return "new";
  return `${change > 0 ? "+" : ""}${change}%`;
}

export function renderReport(
  c: ReportContent,
  frequency: ReportFrequency,
  links: { dashboard: string; unsubscribe: string },
): RenderedReport {
  const kind = frequency === "weekly" ? "Weekly" : "Monthly";
  const subject = `${kind} report for ${c.siteName}: ${c.period.from} to ${c.period.to}`;
  const figures = LABELS.map(([key, label]) => ({ label, value: c.summary[key], change: formatChange(c.changes[key]) }));
  const text = [
    subject,
    "",
    ...figures.map((f) => `${f.label}: ${f.value} (${f.change} on ${c.previous.from} to ${c.previous.to})`),
    "",
    "Top pages:",
    ...(c.topPages.length ? c.topPages.map((p) => `  ${p.page || "(no page)"}: ${p.visits} visits`) : ["  none"]),
    "",
    "Top sources:",
    ...(c.topSources.length ? c.topSources.map((s) => `  ${s.channel}: ${s.sessions} sessions`) : ["  none"]),
    "",
    `Dashboard: ${links.dashboard}`,
    `Stop these emails: ${links.unsubscribe}`,
    "",
  ].join("\n");
  const rows = (items: Array<[string, string | number]>) =>
    items
      .map(
        ([k, v]) =>
          `<tr><td style="padding:2px 12px 2px 0">${escapeHtml(k)}</td><td style="text-align:right">${escapeHtml(String(v))}</td></tr>`,
      )
      .join("");
  const html = `<h2 style="font-family:sans-serif">${escapeHtml(subject)}</h2>
<table style="font-family:sans-serif">${figures
    .map(
      (f) =>
        `<tr><td style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</td><td style="text-align:right"><strong>${f.value}</strong></td><td style="padding-left:12px;color:#666">${escapeHtml(f.change)}</td></tr>`,
    )
    .join("")}</table>
<h3 style="font-family:sans-serif">Top pages</h3><table style="font-family:sans-serif">${rows(c.topPages.map((p) => [p.page || "(no page)", p.visits]))}</table>
<h3 style="font-family:sans-serif">Top sources</h3><table style="font-family:sans-serif">${rows(c.topSources.map((s) => [s.channel, s.sessions]))}</table>
<p style="font-family:sans-serif"><a href="${escapeHtml(links.dashboard)}">Open the dashboard</a></p>
<p style="font-family:sans-serif;font-size:12px;color:#666"><a href="${escapeHtml(links.unsubscribe)}">Stop these emails</a></p>`;
  return { subject, text, html };
}
