"use client";

import { useEffect, useState } from "react";
import type { LiveFeedItem } from "@/core/live/entry";
import type { LiveSnapshot } from "@/core/live/reader";

/** How many feed entries the page keeps (newest first). */
export const FEED_SHOWN = 100;

export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface LiveStream {
  status: LiveStatus;
  snapshot: LiveSnapshot | null;
  /** Newest first. */
  feed: LiveFeedItem[];
}

/**
 * The site's live stream (GET /api/live, docs/live.md). EventSource reconnects by itself after a
 * dropped connection and sends the last feed id back; when the browser gives up (the server was
 * down, answered an error page), a new one is opened after a pause, resuming from the same id.
 */
export function useLiveStream(siteId: string, { withFeed = true }: { withFeed?: boolean } = {}): LiveStream {
  const [state, setState] = useState<LiveStream>({ status: "connecting", snapshot: null, feed: [] });

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let lastId: string | null = null;
    let closed = false;

    const open = () => {
      const params = new URLSearchParams({ site: siteId });
      if (lastId) params.set("last_event_id", lastId);
      source = new EventSource(`/api/live?${params.toString()}`);
      source.onopen = () => setState((s) => ({ ...s, status: "live" }));
      source.addEventListener("snapshot", (e) => {
        const snapshot = JSON.parse((e as MessageEvent<string>).data) as LiveSnapshot;
        setState((s) => ({ ...s, status: "live", snapshot }));
      });
      source.addEventListener("feed", (e) => {
        const message = e as MessageEvent<string>;
        lastId = message.lastEventId || lastId;
        if (!withFeed) return;
        const items = JSON.parse(message.data) as LiveFeedItem[];
        setState((s) => {
          const known = new Set(s.feed.map((item) => item.id));
          const fresh = items.filter((item) => !known.has(item.id)).reverse();
          return { ...s, feed: [...fresh, ...s.feed].slice(0, FEED_SHOWN) };
        });
      });
      source.onerror = () => {
        if (closed || !source) return;
        setState((s) => ({ ...s, status: "reconnecting" }));
        if (source.readyState === EventSource.CLOSED) {
          source = null;
          retry = setTimeout(open, 3_000);
        }
      };
    };
    open();
    return () => {
      closed = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [siteId, withFeed]);

  return state;
}
