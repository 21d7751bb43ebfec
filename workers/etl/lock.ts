import pg from "pg";

/** Arbitrary constant shared by every ETL process: PostgreSQL advisory lock key. */
const ETL_LOCK_KEY = 7_362_001;

interface EtlLock {
  /** The connection that holds the lock; the pass writes through it too. */
  client: pg.Client;
  release(): Promise<void>;
}

/**
 * One pass at a time across all ETL processes: a session-level advisory lock on its own
 * connection. If the process dies, PostgreSQL drops the connection and the lock with it.
 */
async function lock(connectionString: string, wait: boolean): Promise<EtlLock | null> {
  const client = new pg.Client({ connectionString, application_name: "pulse-etl" });
  await client.connect();
  try {
    const sql = wait ? "SELECT pg_advisory_lock($1), true AS locked" : "SELECT pg_try_advisory_lock($1) AS locked";
    const { rows } = await client.query<{ locked: boolean }>(sql, [ETL_LOCK_KEY]);
    if (!rows[0]?.locked) {
      await client.end();
      return null;
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return {
    client,
    async release() {
      await client.query("SELECT pg_advisory_unlock($1)", [ETL_LOCK_KEY]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

/** The lock, or null when another pass holds it. */
function tryAcquireEtlLock(connectionString: string): Promise<EtlLock | null> {
  return lock(connectionString, false);
}

/** Waits until no other pass runs, then holds the lock. */
async function waitForEtlLock(connectionString: string): Promise<EtlLock> {
  const held = await lock(connectionString, true);
  if (!held) throw new Error("advisory lock was not granted");
  return held;
}

/**
 * Runs `work` on the connection holding the ETL lock and releases it after. When another pass
 * holds the lock: waits for it (calling onWait once) if `wait`, else returns null without running.
 */
export async function withEtlLock<T>(
  connectionString: string,
  options: { wait: boolean; onWait?: () => void },
  work: (db: pg.Client) => Promise<T>,
): Promise<T | null> {
  let held = await tryAcquireEtlLock(connectionString);
  if (!held) {
    if (!options.wait) return null;
    options.onWait?.();
    held = await waitForEtlLock(connectionString);
  }
  try {
    return await work(held.client);
  } finally {
    await held.release();
  }
}
