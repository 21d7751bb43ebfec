import { Redis } from "ioredis";
import { getConfig } from "@/core/config";
import type { LiveFeedItem } from "@/core/live/entry";
import { liveKeys } from "@/core/live/keys";
import { itemsAfter, parseLiveMessage, readLiveFeed, readLiveSnapshot } from "@/core/live/reader";
import { logger } from "@/core/logging/logger";
import { getRedis } from "@/core/redis";
import { releaseLease, renewLeases } from "./connections";
import { sse } from "./sse";

/** Feed entries are gathered this long and sent as one message per client (one write per client, not per event). */
const FLUSH_MS = 200;
/** Counters are read again at most this often while events come in… */
const SNAPSHOT_MIN_MS = 1_000;
/** …and at least this often without any, so "visitors now" falls as visitors leave. */
const SNAPSHOT_MAX_MS = 10_000;
const HEARTBEAT_MS = 15_000;
/** Entries sent to a new client (or one that resumes from further back). */
const INITIAL_FEED = 50;

const encoder = new TextEncoder();

export interface LiveClient {
  siteId: string;
  /** The id of the last feed entry sent (from Last-Event-ID until the first one). */
  lastId: string | null;
  holder: string;
  connectionId: string;
  write: (chunk: Uint8Array) => void;
  close: () => void;
}

interface SiteState {
  clients: Set<LiveClient>;
  pending: LiveFeedItem[];
  dirty: boolean;
  snapshotAt: number;
  reading: boolean;
  /** The latest entry any client here was sent: where to re-read the feed after a lost subscription. */
  lastId: string | null;
  subscribed: Promise<unknown>;
}

/**
 * One per web process (docs/live.md, "Fan-out"): one Redis subscriber connection whatever the
 * number of clients, subscribed to the channels of the sites someone is watching. The live worker
 * publishes each event once; every web instance that has a watcher of that site gets it, so any
 * instance serves any client.
 */
export class LiveHub {
  private readonly sites = new Map<string, SiteState>();
  private readonly subscriber: Redis;
  private readonly timers: NodeJS.Timeout[];
  private connectedOnce = false;

  constructor(private readonly redis: Redis = getRedis()) {
    this.subscriber = new Redis(getConfig().redis.url, { maxRetriesPerRequest: null, connectTimeout: 2_000 });
    this.subscriber.on("error", (err: Error) => logger.debug({ err }, "live subscriber connection error (retrying)"));
    this.subscriber.on("message", (channel: string, message: string) => this.onMessage(channel, message));
    // ioredis subscribes again after a reconnect; what was published meanwhile is read from the feed.
    this.subscriber.on("ready", () => {
      if (this.connectedOnce) for (const siteId of this.sites.keys()) void this.resync(siteId);
      this.connectedOnce = true;
    });
    this.timers = [setInterval(() => this.flush(), FLUSH_MS), setInterval(() => this.heartbeat(), HEARTBEAT_MS)];
    for (const timer of this.timers) timer.unref();
  }

  get clientCount(): number {
    let n = 0;
    for (const site of this.sites.values()) n += site.clients.size;
    return n;
  }

  /** Starts a client: subscribes first, then sends the counters and the feed, so nothing falls between. */
  async add(client: LiveClient): Promise<void> {
    let site = this.sites.get(client.siteId);
    if (!site) {
      const subscribed = this.subscriber.subscribe(liveKeys.channel(client.siteId));
      site = { clients: new Set(), pending: [], dirty: false, snapshotAt: 0, reading: false, lastId: null, subscribed };
      this.sites.set(client.siteId, site);
    }
    site.clients.add(client);
    await site.subscribed;
    const [snapshot, feed] = await Promise.all([
      readLiveSnapshot(this.redis, client.siteId),
      readLiveFeed(this.redis, client.siteId, client.lastId ? 200 : INITIAL_FEED, client.lastId),
    ]);
    client.write(encoder.encode(sse.retry(2_000) + sse.snapshot(snapshot)));
    this.sendFeed(client, feed);
  }

  remove(client: LiveClient): void {
    const site = this.sites.get(client.siteId);
    if (site?.clients.delete(client) && site.clients.size === 0) {
      this.sites.delete(client.siteId);
      void this.subscriber.unsubscribe(liveKeys.channel(client.siteId)).catch(() => undefined);
    }
    void releaseLease(this.redis, client.holder, client.connectionId).catch(() => undefined);
  }

  /** Ends every stream (the web server is stopping): browsers reconnect to another instance or to the next start. */
  closeAll(): void {
    for (const site of this.sites.values()) for (const client of site.clients) client.close();
  }

  private onMessage(channel: string, message: string): void {
    const match = /^live:\{(.+)\}:events$/.exec(channel);
    const site = match ? this.sites.get(match[1]!) : undefined;
    const item = site ? parseLiveMessage(message) : null;
    if (!site || !item) return;
    site.pending.push(item);
    site.dirty = true;
  }

  /**
   * Sends the items the client has not had. `shared` is the message of all of them, encoded once
   * for every client of the site that is up to date (nearly always all of them).
   */
  private sendFeed(client: LiveClient, items: LiveFeedItem[], shared?: Uint8Array): void {
    const fresh = itemsAfter(items, client.lastId);
    if (fresh.length === 0) return;
    client.write(shared && fresh.length === items.length ? shared : encoder.encode(sse.feed(fresh)));
    client.lastId = fresh[fresh.length - 1]!.id;
    const site = this.sites.get(client.siteId);
    if (site) site.lastId = client.lastId;
  }

  private flush(): void {
    const now = Date.now();
    for (const [siteId, site] of this.sites) {
      if (site.pending.length > 0) {
        const items = site.pending;
        site.pending = [];
        const shared = encoder.encode(sse.feed(items));
        for (const client of site.clients) this.sendFeed(client, items, shared);
      }
      const due = site.dirty ? now - site.snapshotAt >= SNAPSHOT_MIN_MS : now - site.snapshotAt >= SNAPSHOT_MAX_MS;
      if (due && !site.reading) void this.sendSnapshot(siteId, site);
    }
  }

  /** Read once per site, sent to each of its clients. */
  private async sendSnapshot(siteId: string, site: SiteState): Promise<void> {
    site.reading = true;
    site.dirty = false;
    site.snapshotAt = Date.now();
    try {
      const message = encoder.encode(sse.snapshot(await readLiveSnapshot(this.redis, siteId)));
      for (const client of site.clients) client.write(message);
    } catch (err) {
      site.dirty = true;
      logger.warn({ err, siteId }, "could not read the live counters");
    } finally {
      site.reading = false;
    }
  }

  private async resync(siteId: string): Promise<void> {
    const site = this.sites.get(siteId);
    if (!site) return;
    try {
      site.pending.push(...(await readLiveFeed(this.redis, siteId, 200, site.lastId)));
      site.dirty = true;
    } catch (err) {
      logger.warn({ err, siteId }, "could not re-read the live feed");
    }
  }

  private heartbeat(): void {
    const leases: LiveClient[] = [];
    const ping = encoder.encode(sse.ping());
    for (const site of this.sites.values()) {
      for (const client of site.clients) {
        client.write(ping);
        leases.push(client);
      }
    }
    void renewLeases(this.redis, leases).catch((err: unknown) => logger.warn({ err }, "could not renew live stream leases"));
  }
}

const globalForLive = globalThis as unknown as { pulseLiveHub?: LiveHub };

/** The process's hub, made on the first live stream. src/server/web/main.ts closes its streams on shutdown. */
export function getLiveHub(): LiveHub {
  globalForLive.pulseLiveHub ??= new LiveHub();
  return globalForLive.pulseLiveHub;
}
