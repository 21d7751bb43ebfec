/**
 * A fresh, migrated PostgreSQL database per test file, on the server DATABASE_URL (or the
 * configured postgres.url) points at: tests never share tables or depend on each other's rows.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";
import { loadConfig } from "../../src/core/config/load";
import { REPO_ROOT } from "./app";

const run = promisify(execFile);

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const base = loadConfig().postgres.url;
  const name = `pulse_t_${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${process.pid}`;
  const admin = new pg.Client({ connectionString: withDatabase(base, "postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(base, name);
  await run("npx", ["prisma", "migrate", "deploy"], { cwd: REPO_ROOT, env: { ...process.env, DATABASE_URL: url } });
  return {
    url,
    name,
    async drop() {
      const client = new pg.Client({ connectionString: withDatabase(base, "postgres") });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Runs one query on its own connection (for assertions on tables). */
export async function queryRows<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Ids of `shards` sites that fall one in each ETL shard: a site's shard is its id's first 32 bits
 * modulo the count (shardOfSite, src/core/queues/etl.ts), so shard k gets an id starting with k.
 */
export function oneSitePerShard(shards: number): string[] {
  return Array.from({ length: shards }, (_, k) => `${k.toString(16).padStart(8, "0")}${randomUUID().slice(8)}`);
}

/** Sites with these ids (named <prefix><i>.example, UTC) straight into the sites table. */
export async function insertSites(url: string, ids: readonly string[], prefix = "site"): Promise<void> {
  for (const [i, id] of ids.entries()) {
    await queryRows(url, "INSERT INTO sites (id, name, hostnames, updated_at) VALUES ($1, $2, '{}', now())", [id, `${prefix}${i}.example`]);
  }
}
