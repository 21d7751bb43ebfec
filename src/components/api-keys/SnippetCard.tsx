"use client";

import Link from "next/link";
import { useEffect, useReducer } from "react";
import { formatDateTime, formatRelative } from "@/components/format";
import { CopyButton } from "@/components/ui/CopyButton";
import { Skeleton } from "@/components/ui/states";
import { cardClass, primaryButton } from "@/components/ui/styles";
import { useOrigin } from "@/components/ui/useOrigin";
import { api, type RouterOutputs } from "@/trpc/react";
import { snippetFor } from "./snippet";

type ApiKeyRow = RouterOutputs["apiKeys"]["list"][number];

/** While no event has come, the page asks often; after, only to keep "last one …" fresh. */
const WAITING_POLL_MS = 5_000;
const RECEIVING_POLL_MS = 60_000;

/**
 * "Add Pulse to your website": the snippet with the site's newest active publishable key (or a
 * button that makes one), where it works (the site's hostnames), and whether events arrive.
 */
export function SnippetCard({ siteId, hostnames, keys }: { siteId: string; hostnames: string[]; keys: ApiKeyRow[] | undefined }) {
  const origin = useOrigin();
  const utils = api.useUtils();
  const create = api.apiKeys.create.useMutation({ onSuccess: () => void utils.apiKeys.list.invalidate() });
  // The list is newest first; a publishable key made before keys were kept whole has no publicKey.
  const publishable = keys?.find((k) => k.kind === "publishable" && k.status === "active" && k.publicKey);
  const snippet = publishable?.publicKey && origin ? snippetFor(origin, publishable.publicKey) : "";

  return (
    <section aria-labelledby="snippet-title" className={cardClass}>
      <h2 id="snippet-title" className="text-base font-semibold text-gray-100">
        Add Pulse to your website
      </h2>
      {keys === undefined ? (
        <Skeleton className="mt-4 h-20 w-full" />
      ) : publishable ? (
        <>
          <p className="mt-1 text-sm text-gray-400">
            Paste this into the <span className="font-mono">&lt;head&gt;</span> of every page. It counts page views (single-page apps too),
            time on page, clicks on <span className="whitespace-nowrap font-mono">data-pulse-button</span> elements and outbound links,
            without cookies. Its key, <span className="whitespace-nowrap font-mono">{publishable.prefix}_…</span>, is publishable: it may
            sit in pages, and works only from this site&apos;s hostnames.
          </p>
          <div className="mt-4">
            <div className="flex items-center justify-between gap-2">
              <p id="snippet-label" className="text-sm font-medium text-gray-300">
                Snippet
              </p>
              <CopyButton text={snippet} label="Copy snippet" />
            </div>
            <pre
              aria-labelledby="snippet-label"
              data-testid="snippet"
              className="mt-1.5 max-h-56 overflow-auto whitespace-pre-wrap break-all rounded-md border border-gray-800 bg-gray-950 p-3 font-mono text-xs leading-relaxed text-gray-300"
            >
              {snippet}
            </pre>
          </div>
          <Hostnames siteId={siteId} hostnames={hostnames} />
          <CollectStatus siteId={siteId} />
        </>
      ) : (
        <>
          <p className="mt-1 text-sm text-gray-400">
            A one-line script counts page views, time on page, clicks and outbound links on your pages, with no cookies. It needs a
            publishable key: a key that may sit in web pages and only sends events from this site&apos;s hostnames.
          </p>
          {create.error ? (
            <p role="alert" className="mt-3 rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
              {create.error.message}
            </p>
          ) : null}
          <button
            type="button"
            className={`${primaryButton} mt-4`}
            disabled={create.isPending}
            onClick={() => create.mutate({ siteId, kind: "publishable", name: "Website snippet" })}
          >
            {create.isPending ? "Creating…" : "Create a publishable key"}
          </button>
          <Hostnames siteId={siteId} hostnames={hostnames} />
        </>
      )}
    </section>
  );
}

function Hostnames({ siteId, hostnames }: { siteId: string; hostnames: string[] }) {
  return hostnames.length > 0 ? (
    <p className="mt-3 text-sm text-gray-400" data-testid="snippet-hostnames">
      Works on{" "}
      {hostnames.map((h, i) => (
        <span key={h}>
          {i > 0 ? ", " : null}
          <span className="font-mono text-gray-200">{h}</span>
        </span>
      ))}
      .{" "}
      <Link href={`/s/${siteId}/settings`} className="text-indigo-300 underline-offset-2 hover:underline">
        Change in settings
      </Link>
    </p>
  ) : (
    <p
      className="mt-3 rounded-md border border-amber-900/50 bg-amber-950/30 px-3 py-2 text-sm text-amber-200"
      data-testid="snippet-hostnames"
    >
      No hostnames yet: no page&apos;s events are accepted until you add your site&apos;s hostname in{" "}
      <Link href={`/s/${siteId}/settings`} className="font-medium underline underline-offset-2">
        settings
      </Link>
      .
    </p>
  );
}

function CollectStatus({ siteId }: { siteId: string }) {
  const status = api.collect.status.useQuery(
    { siteId },
    { refetchInterval: (query) => (query.state.data?.lastEventAt ? RECEIVING_POLL_MS : WAITING_POLL_MS) },
  );
  const last = status.data?.lastEventAt ?? null;
  // "last one 2 min ago" moves on between polls.
  const [, tick] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    const timer = setInterval(tick, 15_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <p role="status" data-testid="collect-status" className="mt-4 flex items-center gap-2 text-sm">
      {last ? (
        <>
          <span aria-hidden="true" className="h-2 w-2 shrink-0 rounded-full bg-emerald-400 shadow-[0_0_0_3px_rgba(52,211,153,0.2)]" />
          <span className="text-emerald-300">
            Receiving events — last one <time title={formatDateTime(last)}>{formatRelative(last)}</time>
          </span>
        </>
      ) : (
        <>
          <span aria-hidden="true" className="h-2 w-2 shrink-0 animate-pulse rounded-full bg-gray-500" />
          <span className="text-gray-400">
            {status.isError ? "Could not check for events; trying again…" : "Waiting for the first event…"}
          </span>
        </>
      )}
    </p>
  );
}
