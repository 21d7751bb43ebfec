import { Prisma } from "../../generated/prisma/client";

/**
 * round(n / d, 2), half away from zero, for n, d >= 0; NULL when d is 0. One division of whole
 * numbers, then floor: exact in PostgreSQL's numeric, and in DuckDB, which divides in double
 * precision, as long as 200 * n + d stays below 2^53 (n under 4.5e13: some 1,400 years of milliseconds).
 */
export const rounded2 = (n: Prisma.Sql, d: Prisma.Sql): Prisma.Sql =>
  // bigint first: 200 * an integer column overflows 32 bits from 10.7 million on (both engines refuse).
  Prisma.sql`(floor((200 * CAST(${n} AS BIGINT) + (${d})) / nullif(2.0 * (${d}), 0)) / 100.0)`;
