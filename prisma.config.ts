import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import { loadConfig } from "./src/core/config/load";

const databaseUrl = loadConfig().postgres.url;
// The schema's datasource reads DATABASE_URL; give it the validated setting.
process.env.DATABASE_URL = databaseUrl;

// Offline recipe (STACK.md): the JS schema engine through the pg driver adapter,
// so no native engine is downloaded.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPg({ connectionString: databaseUrl }),
});
