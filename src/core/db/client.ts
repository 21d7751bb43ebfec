import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import { getConfig } from "../config";

export type { PrismaClient } from "../../generated/prisma/client";

const globalForPrisma = globalThis as unknown as { pulsePrisma?: PrismaClient };

export function createPrismaClient(connectionString = getConfig().postgres.url): PrismaClient {
  // 32 MB per sort or hash (PostgreSQL's default is 4 MB): a breakdown over months of facts groups a
  // few hundred thousand rows, which spilled to disk at 4 MB (bench/dimension-storage.ts, bench:dashboard).
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, options: "-c work_mem=32MB" }) });
}

/** One client per process; kept on globalThis so Next's dev reloads do not open new pools. */
export function getPrisma(): PrismaClient {
  globalForPrisma.pulsePrisma ??= createPrismaClient();
  return globalForPrisma.pulsePrisma;
}

/** Closes this process's client; the next getPrisma() opens one with the configuration of then. */
export async function closePrisma(): Promise<void> {
  await globalForPrisma.pulsePrisma?.$disconnect();
  globalForPrisma.pulsePrisma = undefined;
}
