/**
 * rounded2 (src/core/metrics/rounded.ts) gives round(n / d, 2), half away from zero, exactly, in
 * both engines the range queries run on: PostgreSQL and the dashboard's DuckDB copy of the facts
 * (docs/dashboard-store.md). Ties, values whose double is just below the tie, integer columns whose
 * 200-fold overflows 32 bits, and sums near the documented bound, against exact BigInt arithmetic.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../../../src/generated/prisma/client";
import { rounded2 } from "../../../src/core/metrics/rounded";
import { createTestDatabase, type TestDatabase } from "../../support/db";

/** [n, d, SQL type of n and d]. */
const CASES: [bigint, bigint, "INTEGER" | "BIGINT"][] = [
  [1n, 8n, "INTEGER"], // 0.125 -> 0.13
  [2675n, 1000n, "INTEGER"], // 2.675: its double is 2.67499999...
  [12345n, 1000n, "INTEGER"],
  [1n, 3n, "INTEGER"],
  [2n, 3n, "INTEGER"],
  [0n, 7n, "INTEGER"],
  [5n, 0n, "INTEGER"], // NULL
  [28_333_100n, 7_000_000n, "INTEGER"], // 200 * n is past 2^31
  [2_147_483_647n, 3n, "INTEGER"],
  [45_000_000_000_005n, 1_000n, "BIGINT"], // near the 2^53 bound of 200 * n + d
  [999_999_999_995n, 100_000_000_000n, "BIGINT"],
  ...Array.from({ length: 40 }, (_, i): [bigint, bigint, "INTEGER"] => [BigInt(i * 37 + 5), 1000n, "INTEGER"]),
];

/** round(n / d, 2) half away from zero, for n, d >= 0, exactly. */
const exact = (n: bigint, d: bigint): number | null => (d === 0n ? null : Number((200n * n + d) / (2n * d)) / 100);

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase("rounded");
});
afterAll(async () => {
  await db?.drop();
});

const sqlOf = ([n, d, type]: (typeof CASES)[number]) =>
  rounded2(Prisma.raw(`CAST(${n} AS ${type})`), Prisma.raw(`CAST(${d} AS ${type})`)).text + " AS v";

describe("rounded2", () => {
  it("is exact in PostgreSQL", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const c of CASES) {
        const { rows } = await client.query<{ v: string | null }>(`SELECT ${sqlOf(c)}`);
        expect([c[0], c[1], rows[0]!.v === null ? null : Number(rows[0]!.v)]).toEqual([c[0], c[1], exact(c[0], c[1])]);
      }
    } finally {
      await client.end();
    }
  });

  it("is exact in DuckDB", async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      for (const c of CASES) {
        const [row] = (await connection.runAndReadAll(`SELECT ${sqlOf(c)}`)).getRowObjectsJS();
        expect([c[0], c[1], row!.v === null ? null : Number(row!.v)]).toEqual([c[0], c[1], exact(c[0], c[1])]);
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
