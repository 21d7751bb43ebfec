import pg from "pg";

/** Arbitrary constant shared by every ETL process: the first key of the PostgreSQL advisory locks. */
const ETL_LOCK_KEY = 7_362_001;

export interface EtlLockScope {
  /** The shard count every ETL process of the installation uses (cron.etl_shards). */
  shards: number;
  /** One shard's lock; without it, every shard's (a pass over all sites: the CLI, a rebuild). */
  shard?: number;
}

interface EtlLock {
  /** The connection that holds the locks; the pass writes through it too. */
  client: pg.Client;
  release(): Promise<void>;
}

/** The shards a scope locks, ascending: every process takes them in the same order, so two never deadlock. */
function shardsOf(scope: EtlLockScope): number[] {
  return scope.shard === undefined ? Array.from({ length: scope.shards }, (_, i) => i) : [scope.shard];
}

/**
 * One pass per shard at a time across all ETL processes: session-level advisory locks
 * (ETL_LOCK_KEY, shard) on the pass's own connection. A pass over all sites holds every shard's.
 * If the process dies, PostgreSQL drops the connection and its locks with it. The application
 * name carries the process id, so a test (or an operator in pg_stat_activity) sees who holds one.
 */
async function lock(connectionString: string, scope: EtlLockScope, wait: boolean): Promise<EtlLock | null> {
  const client = new pg.Client({ connectionString, application_name: `pulse-etl-${process.pid}` });
  await client.connect();
  const held: number[] = [];
  const release = async (): Promise<void> => {
    for (const shard of held) await client.query("SELECT pg_advisory_unlock($1, $2)", [ETL_LOCK_KEY, shard]).catch(() => undefined);
    await client.end().catch(() => undefined);
  };
  try {
    for (const shard of shardsOf(scope)) {
      const sql = wait ? "SELECT pg_advisory_lock($1, $2), true AS locked" : "SELECT pg_try_advisory_lock($1, $2) AS locked";
      const { rows } = await client.query<{ locked: boolean }>(sql, [ETL_LOCK_KEY, shard]);
      if (!rows[0]?.locked) {
        await release();
        return null;
      }
      held.push(shard);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { client, release };
}

/**
 * Runs `work` on the connection holding the scope's ETL locks and releases them after. When
 * another pass holds one: waits for it (calling onWait once) if `wait`, else returns null without running.
 */
export async function withEtlLock<T>(
  connectionString: string,
  options: { wait: boolean; onWait?: () => void; scope?: EtlLockScope },
  work: (db: pg.Client) => Promise<T>,
): Promise<T | null> {
  const scope = options.scope ?? { shards: 1 };
  let held = await lock(connectionString, scope, false);
  if (!held) {
    if (!options.wait) return null;
    options.onWait?.();
    held = await lock(connectionString, scope, true);
    if (!held) throw new Error("advisory lock was not granted");
  }
  try {
    return await work(held.client);
  } finally {
    await held.release();
  }
}
