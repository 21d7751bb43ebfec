import type { LiveFeedItem } from "@/core/live/entry";
import type { LiveSnapshot } from "@/core/live/reader";

/**
 * The live stream's messages (docs/live.md, "Stream"). `feed` carries the id of its last entry,
 * which the browser's EventSource sends back as Last-Event-ID when it reconnects; `snapshot`
 * carries no id, so it leaves that id as it was.
 */
export const sse = {
  /** How long a browser waits before reconnecting (ms). */
  retry: (ms: number) => `retry: ${ms}\n\n`,
  snapshot: (snapshot: LiveSnapshot) => `event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`,
  feed: (items: LiveFeedItem[]) => `id: ${items[items.length - 1]!.id}\nevent: feed\ndata: ${JSON.stringify(items)}\n\n`,
  /** A comment: keeps proxies from closing an idle stream, and tells a dead client from a live one. */
  ping: () => `: ping\n\n`,
};
