import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import { getConfig } from "../config";

export type { PrismaClient } from "../../generated/prisma/client";

const globalForPrisma = globalThis as unknown as { pulsePrisma?: PrismaClient };

export function createPrismaClient(connectionString = getConfig().postgres.url): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
}

/** One client per process; kept on globalThis so Next's dev reloads do not open new pools. */
export function getPrisma(): PrismaClient {
  globalForPrisma.pulsePrisma ??= createPrismaClient();
  return globalForPrisma.pulsePrisma;
}
