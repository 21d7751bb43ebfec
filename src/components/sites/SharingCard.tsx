"use client";

import { CopyButton } from "@/components/ui/CopyButton";
import { cardClass } from "@/components/ui/styles";
import { useOrigin } from "@/components/ui/useOrigin";
import { api } from "@/trpc/react";
import type { SiteView } from "./SettingsView";

/** The site's read-only shared dashboard: on gives a new unguessable link, off ends the old one. */
export function SharingCard({ site }: { site: SiteView }) {
  const utils = api.useUtils();
  const origin = useOrigin();
  const setSharing = api.sites.setSharing.useMutation({
    onSuccess: (next) => utils.sites.get.setData({ siteId: site.id }, next),
  });
  const on = site.shareToken !== null;
  const url = site.shareToken ? `${origin}/share/${site.shareToken}` : "";

  return (
    <section aria-labelledby="sharing" className={cardClass}>
      <div className="flex items-start justify-between gap-4">
        <div className="min-w-0">
          <h2 id="sharing" className="text-base font-semibold text-gray-100">
            Shared link
          </h2>
          <p className="mt-1 text-sm text-gray-400">
            A link to a read-only copy of this site&apos;s dashboard, for people without an account.
          </p>
        </div>
        <button
          type="button"
          role="switch"
          aria-checked={on}
          aria-labelledby="sharing"
          disabled={setSharing.isPending}
          onClick={() => setSharing.mutate({ siteId: site.id, on: !on })}
          className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 focus-visible:ring-offset-gray-900 disabled:cursor-wait disabled:opacity-70 ${
            on ? "bg-indigo-500" : "bg-gray-700"
          }`}
        >
          <span
            aria-hidden="true"
            className={`inline-block h-5 w-5 rounded-full bg-white shadow transition-transform ${on ? "translate-x-5" : "translate-x-0.5"}`}
          />
        </button>
      </div>
      {setSharing.error ? (
        <p role="alert" className="mt-3 rounded-md border border-red-900/60 bg-red-950/40 px-3 py-2 text-sm text-red-200">
          {setSharing.error.message}
        </p>
      ) : null}
      {on ? (
        <div className="mt-4 space-y-2">
          <label htmlFor="share-url" className="block text-sm font-medium text-gray-300">
            Link
          </label>
          <div className="flex gap-2">
            <input
              id="share-url"
              readOnly
              value={url}
              onFocus={(e) => e.currentTarget.select()}
              className="block w-full min-w-0 rounded-md border border-gray-700 bg-gray-950 px-3 py-2 font-mono text-xs text-gray-100 focus:border-indigo-500 focus:outline-none"
            />
            <CopyButton text={url} label="Copy shared link" />
          </div>
          <p className="text-sm text-amber-200/90">
            Anyone with this link sees the dashboard, read-only, without signing in. Turn it off to end that; turning it on again makes a
            new link.
          </p>
        </div>
      ) : (
        <p className="mt-4 text-sm text-gray-400">
          Off. When you turn a link off, it stops working at once; turning sharing on again makes a new link.
        </p>
      )}
    </section>
  );
}
