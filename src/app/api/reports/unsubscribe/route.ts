import { escapeHtml } from "@/core/mail";
import { unsubscribe } from "@/core/reports/subscriptions";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * The unsubscribe link of an email report (docs/reports.md). GET shows a button and changes
 * nothing, because mail scanners open links; POST (the button, or a mail client's one-click
 * unsubscribe, RFC 8058) stops the report. The token is the only credential: no sign-in needed.
 */
const page = (status: number, body: string) =>
  new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Pulse email reports</title></head>` +
      `<body style="font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">${body}</body></html>`,
    { status, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } },
  );

const tokenOf = (request: Request) => new URL(request.url).searchParams.get("token") ?? "";
const valid = (token: string) => /^[A-Za-z0-9_-]{16,64}$/.test(token);

export function GET(request: Request): Response {
  const token = tokenOf(request);
  if (!valid(token)) return page(400, "<p>This unsubscribe link is not complete.</p>");
  return page(
    200,
    `<h1>Stop this email report?</h1><form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}"><button type="submit">Unsubscribe</button></form>`,
  );
}

export async function POST(request: Request): Promise<Response> {
  const token = tokenOf(request);
  if (!valid(token)) return page(400, "<p>This unsubscribe link is not complete.</p>");
  const stopped = await unsubscribe(token);
  if (!stopped) return page(404, "<p>This report was already stopped, or the link is not one of ours.</p>");
  return page(
    200,
    `<h1>Unsubscribed</h1><p>You will no longer get the ${escapeHtml(stopped.frequency)} report of ${escapeHtml(stopped.siteName)}.</p>`,
  );
}
