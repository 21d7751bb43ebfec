import type pg from "pg";
import { MAX_LISTED_SESSIONS } from "../../src/core/store/versions";
import { sessionKey } from "./logReader";
import { writeSessionFacts, type RefusedSession, type SessionPairs, type SiteSessionFacts } from "./writeFacts";

/** Sessions per COPY: large enough to keep COPY's per-statement cost small, small enough to bound memory. */
const BATCH_SESSIONS = 10_000;

/**
 * Writes session facts while the pass is still reading: every BATCH_SESSIONS summarized sessions
 * go out as one COPY (sorted by primary key, so index inserts stay mostly sequential), chained on
 * the pass's connection and transaction. PostgreSQL then works on one batch on the other core
 * while this process reads the next, and a pass holds one batch of facts instead of all of them
 * (docs/etl.md, "Writing while reading").
 *
 * A write that fails stops the chain: finish() throws it, and the caller rolls the transaction back.
 */
export class FactWriter {
  private batch: SiteSessionFacts[] = [];
  private chain: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  /** (site, date) pairs whose daily rows the pass rebuilds: the written sessions' and any added, keyed `${siteId}:${date}`. */
  readonly dates = new Map<string, { siteId: string; date: string }>();
  readonly refused: RefusedSession[] = [];
  /** Sessions summarized (written or refused). */
  count = 0;
  /**
   * Those sessions, while they are few enough for the copies to reload by their list
   * (src/core/store/versions.ts); null after that, so a big pass does not hold every id twice.
   */
  listed: SessionPairs | null = { siteIds: [], sessionIds: [] };
  rows = 0;

  constructor(
    private readonly db: pg.ClientBase,
    private readonly batchSessions: number = BATCH_SESSIONS,
  ) {}

  add(facts: SiteSessionFacts): void {
    this.count++;
    if (this.listed && this.count > MAX_LISTED_SESSIONS) this.listed = null;
    this.listed?.siteIds.push(facts.siteId);
    this.listed?.sessionIds.push(facts.facts.sessionId);
    this.batch.push(facts);
    if (this.batch.length >= this.batchSessions) this.flush();
  }

  /** Waits for every batch; throws the first write's failure. */
  async finish(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure) throw this.failure.error;
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch.sort(byKey);
    this.batch = [];
    // Caught here so that a failure waits for finish() instead of surfacing as an unhandled rejection.
    this.chain = this.chain
      .then(() => (this.failure ? undefined : this.write(batch)))
      .catch((error: unknown) => {
        this.failure ??= { error };
      });
  }

  private async write(batch: SiteSessionFacts[]): Promise<void> {
    const written = await writeSessionFacts(this.db, batch);
    this.rows += written.rows;
    this.refused.push(...written.refused);
    const refused = new Set(written.refused.map((r) => sessionKey(r.siteId, r.sessionId)));
    for (const { siteId, facts: f } of batch) {
      if (refused.has(sessionKey(siteId, f.sessionId))) continue;
      this.addDate(siteId, f.date);
      for (const v of f.visits) this.addDate(siteId, v.date);
      for (const c of f.clicks) this.addDate(siteId, c.date);
    }
  }

  addDate(siteId: string, date: string): void {
    this.dates.set(`${siteId}:${date}`, { siteId, date });
  }
}

function byKey(a: SiteSessionFacts, b: SiteSessionFacts): number {
  if (a.siteId !== b.siteId) return a.siteId < b.siteId ? -1 : 1;
  const x = a.facts.sessionId;
  const y = b.facts.sessionId;
  return x < y ? -1 : x > y ? 1 : 0;
}
