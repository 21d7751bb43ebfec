import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { logger } from "../logging/logger";
import { insertFromCsvSql, listedKeysSql, pruneSessionKeysSql, quoted, SESSION_KEY_TABLES_SQL, syncKeysSql } from "./sessionKeys";
import { columnList, createTableSql, STORE_TABLES } from "./tables";
import { DATA_VERSION_SQL, MAX_LISTED_SESSIONS, WHOLE_SITE } from "./versions";

/**
 * The dashboard's columnar copy of the facts (docs/dashboard-store.md): an in-memory DuckDB
 * database in the web process that answers the range reports and breakdowns with the same SQL
 * text PostgreSQL would run, several times faster over months of facts. PostgreSQL stays the
 * source of truth: the copy is loaded from it once, then brought up to date before a query that
 * asks for a newer data_version by copying only the (site, date) pairs stamped since
 * (./versions.ts), all read in one PostgreSQL snapshot and applied in one DuckDB transaction.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What a sync copies: everything (the first load), or whole sites, some dates and some sessions of others. */
type Scope = { all: true } | { all: false; sites: Set<string>; dates: Map<string, Set<string>>; sessions: Map<string, Set<string>> };

/** How the last sync chose what to copy, for tests and logs. */
export type SyncScope = "all" | "pairs" | "sessions";

function scopeOf(rows: readonly { site_id: string; date: string }[]): Scope {
  const sites = new Set<string>();
  const dates = new Map<string, Set<string>>();
  for (const { site_id: site, date } of rows) {
    if (!UUID.test(site)) throw new Error(`fact_versions holds a site id that is not a UUID: ${JSON.stringify(site)}`);
    // A date that is not a plain day (-infinity, or a year past 9999) reloads the whole site.
    if (date === WHOLE_SITE || !DATE.test(date)) sites.add(site);
    else dates.set(site, (dates.get(site) ?? new Set()).add(date));
  }
  for (const site of sites) dates.delete(site);
  return { all: false, sites, dates, sessions: new Map() };
}

/**
 * The sessions listed for every version in (held, version] (fact_session_changes), or null when
 * one is not listed (a whole site, a big pass, or a version whose list was dropped), there are
 * too many, or an id is one this file will not inline.
 */
function sessionScopeOf(rows: readonly SessionList[], held: bigint, version: bigint): Scope | null {
  if (BigInt(rows.length) !== version - held) return null;
  const sessions = new Map<string, Set<string>>();
  let count = 0;
  for (const { site_ids: siteIds, session_ids: sessionIds } of rows) {
    if (!siteIds || !sessionIds || siteIds.length !== sessionIds.length) return null;
    for (const [i, site] of siteIds.entries()) {
      const id = sessionIds[i]!;
      if (!UUID.test(site) || !plainId(id)) return null;
      const ids = sessions.get(site) ?? new Set();
      if (!ids.has(id)) count++;
      sessions.set(site, ids.add(id));
    }
  }
  return count > MAX_LISTED_SESSIONS ? null : { all: false, sites: new Set(), dates: new Map(), sessions };
}

interface SessionList {
  site_ids: string[] | null;
  session_ids: string[] | null;
}

/** Session ids inlined in a condition: no backslash (whatever standard_conforming_strings says) and no NUL. */
const plainId = (id: string): boolean => id.length > 0 && !id.includes("\\") && !id.includes("\u0000");

const isEmpty = (scope: Scope) => !scope.all && scope.sites.size === 0 && scope.dates.size === 0 && scope.sessions.size === 0;

/**
 * The rows of a scope, as a condition on PostgreSQL's facts or, with `keyed`, on the copy's, whose
 * session_id is a key (./sessionKeys.ts). The ids and dates are inlined (COPY takes no
 * parameters), which is safe: scopeOf let only UUIDs and plain dates through, sessionScopeOf only
 * UUIDs and ids without backslashes, whose quotes are doubled.
 */
function scopeWhere(scope: Scope, keyed: boolean): string {
  if (scope.all) return "TRUE";
  const parts = [...scope.sites].map((site) => `site_id = '${site}'::uuid`);
  for (const [site, dates] of scope.dates) {
    parts.push(`(site_id = '${site}'::uuid AND date IN (${[...dates].map((d) => `'${d}'::date`).join(", ")}))`);
  }
  for (const [site, ids] of scope.sessions) {
    const sessions = keyed ? listedKeysSql(ids) : [...ids].map(quoted).join(", ");
    parts.push(`(site_id = '${site}'::uuid AND session_id IN (${sessions}))`);
  }
  return parts.join(" OR ");
}

/** A query's parameters as DuckDB binds them: whole numbers as BIGINT (LIMIT), the rest as they are. */
const toDuckValue = (value: unknown): DuckDBValue =>
  typeof value === "number" && Number.isInteger(value) ? BigInt(value) : (value as DuckDBValue);

/** Counts and sums come back as bigint; the reports use plain numbers (exact below 2^53). */
const fromDuckValue = (value: unknown): unknown => (typeof value === "bigint" ? Number(value) : value);

export interface FactStoreOptions {
  postgresUrl: string;
  /** DuckDB's threads; the machine's cores by default. */
  threads?: number;
}

export class FactStore {
  private readonly pool: pg.Pool;
  private instance: Promise<DuckDBInstance> | undefined;
  /** The data_version the copy holds; -1 before the first load. */
  private version = -1n;
  private syncing: Promise<void> | undefined;
  private syncScope: SyncScope | undefined;

  constructor(private readonly options: FactStoreOptions) {
    // One connection, closed when idle so a quiet dashboard holds none; an idle connection that
    // PostgreSQL drops (a restart) is only logged: the next sync opens a new one.
    this.pool = new pg.Pool({ connectionString: options.postgresUrl, max: 1, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    this.pool.on("error", (error) => logger.warn({ error: error.message }, "fact store: idle PostgreSQL connection lost"));
  }

  /** The data_version the copy holds (-1 before its first load). */
  get heldVersion(): bigint {
    return this.version;
  }

  /** What the last sync copied: everything, the stamped (site, date) pairs, or listed sessions. */
  get lastSync(): SyncScope | undefined {
    return this.syncScope;
  }

  /** Runs one query (PostgreSQL-style $1 parameters) once the copy holds at least `atLeast`. */
  async query<T>(text: string, values: readonly unknown[], atLeast: bigint): Promise<T[]> {
    await this.reach(atLeast);
    const connection = await (await this.database()).connect();
    try {
      const reader = await connection.runAndReadAll(text, values.map(toDuckValue));
      return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, fromDuckValue(v)])) as T);
    } finally {
      connection.closeSync();
    }
  }

  /** Brings the copy up to `version`: one sync at a time, shared by every query waiting for it. */
  async reach(version: bigint): Promise<void> {
    // The data_version a caller read was committed before, so one sync started after it reaches it;
    // a second covers a sync that was already running (on an older snapshot) when the caller came.
    for (let attempt = 0; this.version < version; attempt++) {
      if (attempt === 2) throw new Error(`the fact store did not reach data version ${version} (holds ${this.version})`);
      this.syncing ??= this.sync().finally(() => {
        this.syncing = undefined;
      });
      await this.syncing;
    }
  }

  async close(): Promise<void> {
    await this.syncing?.catch(() => undefined);
    await this.pool.end();
    const instance = await this.instance?.catch(() => undefined);
    instance?.closeSync();
    this.instance = undefined;
  }

  private database(): Promise<DuckDBInstance> {
    this.instance ??= (async () => {
      const threads = String(this.options.threads ?? os.availableParallelism());
      const instance = await DuckDBInstance.create(":memory:", { threads });
      const connection = await instance.connect();
      try {
        for (const sql of SESSION_KEY_TABLES_SQL) await connection.run(sql);
        for (const table of STORE_TABLES) await connection.run(createTableSql(table));
      } finally {
        connection.closeSync();
      }
      return instance;
    })();
    return this.instance;
  }

  private async sync(): Promise<void> {
    const dir = await mkdtemp(path.join(os.tmpdir(), "pulse-store-"));
    const client = await this.pool.connect();
    try {
      // One snapshot for the version, the changed pairs and their rows.
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const version = BigInt((await client.query<{ version: string }>(DATA_VERSION_SQL)).rows[0]?.version ?? "0");
      let scope: Scope = { all: true };
      let kind: SyncScope = "all";
      if (this.version >= 0n) {
        // After small ETL passes, only the sessions they rewrote; otherwise every (site, date) pair
        // stamped since (a whole day of facts each, the first request after a pass paid for it).
        const lists = await client.query<SessionList>(
          "SELECT site_ids::text[] AS site_ids, session_ids FROM fact_session_changes WHERE version > $1 AND version <= $2",
          [this.version.toString(), version.toString()],
        );
        const bySession = sessionScopeOf(lists.rows, this.version, version);
        kind = bySession ? "sessions" : "pairs";
        if (bySession) scope = bySession;
        else {
          const changed = await client.query<{ site_id: string; date: string }>(
            "SELECT site_id::text AS site_id, date::text AS date FROM fact_versions WHERE version > $1",
            [this.version.toString()],
          );
          scope = scopeOf(changed.rows);
        }
      }
      const where = scopeWhere(scope, false);
      const files = new Map<string, string>();
      if (!isEmpty(scope)) {
        for (const table of STORE_TABLES) {
          const file = path.join(dir, `${table.name}.csv`);
          const copy = client.query(copyTo(`COPY (SELECT ${columnList(table)} FROM ${table.name} WHERE ${where}) TO STDOUT (FORMAT csv)`));
          await pipeline(copy, createWriteStream(file));
          files.set(table.name, file);
        }
      }
      await client.query("COMMIT");
      if (files.size > 0) await this.apply(scope, files);
      if (version > this.version) this.version = version;
      this.syncScope = kind;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Replaces the scope's rows in one DuckDB transaction: queries meanwhile see the copy before it. */
  private async apply(scope: Scope, files: ReadonlyMap<string, string>): Promise<void> {
    const listed = scope.all ? [] : [...scope.sessions.values()].flatMap((ids) => [...ids]);
    const onlyListed = !scope.all && scope.sites.size === 0 && scope.dates.size === 0;
    const connection = await (await this.database()).connect();
    try {
      await connection.run("BEGIN TRANSACTION");
      try {
        // The keys of the sync's session ids (new ones get theirs), then the old rows out and the
        // new ones in. The temp tables are this connection's own and go with it.
        const { statements, keys } = syncKeysSql(onlyListed ? { listed } : { files, first: scope.all });
        for (const sql of statements) await connection.run(sql);
        const where = scopeWhere(scope, true);
        for (const table of STORE_TABLES) {
          await connection.run(`DELETE FROM ${table.name} WHERE ${where}`);
          await connection.run(insertFromCsvSql(table, files.get(table.name)!, keys));
        }
        if (!scope.all && scope.sites.size > 0) await connection.run(pruneSessionKeysSql());
        await connection.run("COMMIT");
      } catch (error) {
        await connection.run("ROLLBACK").catch(() => undefined);
        throw error;
      }
    } finally {
      connection.closeSync();
    }
  }
}
