/**
 * Everything the platform needs before its processes start: configuration, PostgreSQL (database
 * and migrations), Redis, Kafka (a local broker when KAFKA_BROKERS is not set) and its topics,
 * the admin user, and optionally the web app build. Used by `npm start` and `npm run setup`.
 */
import path from "node:path";
import { ConfigError, loadConfig, type AppConfig } from "../../src/core/config";
import { getPrisma } from "../../src/core/db/client";
import { ensureAdminFromEnv, upsertUserWithPassword } from "../../src/core/db/users";
import { ensureTopics } from "../../src/core/kafka/topics";
import { buildNextApp } from "../lib/nextBuild";
import { checkRedis, ensureKafka, ensurePostgres, migrateDatabase, ROOT, ServiceError } from "../lib/services";
import { ADMIN_PASSWORD_FILE, authSecret, GENERATED_ADMIN_EMAIL, generatedAdminPassword } from "./secrets";

export { ConfigError, ServiceError };

const step = (text: string): void => console.log(`• ${text}`);
const ok = (text: string): void => console.log(`  ✓ ${text}`);

export async function setUp(options: {
  build: boolean;
}): Promise<{ config: AppConfig; env: NodeJS.ProcessEnv; startedKafka: boolean; adminNote: string }> {
  // Secrets first, so the configuration below sees them.
  process.env.AUTH_SECRET ??= process.env.NEXTAUTH_SECRET ?? authSecret();
  step("Configuration (global_config.yaml + environment)");
  const config = loadConfig();
  ok(`valid; logs in ${path.resolve(config.logs.dir)}, ETL every ${config.cron.etl_interval_seconds} s`);

  step("PostgreSQL");
  const { created } = await ensurePostgres(config.postgres.url);
  ok(`${created ? "database created; " : ""}${await migrateDatabase(config.postgres.url)}`);

  step("Redis");
  await checkRedis(config.redis.url);
  ok("reachable");

  step(config.kafka.brokers.length > 0 ? "Kafka (KAFKA_BROKERS)" : "Kafka (local single-node broker)");
  const kafka = await ensureKafka(config);
  const topics = await ensureTopics({ config });
  ok(
    `${kafka.brokers.join(",")}${kafka.startedLocal ? " started" : " reachable"}; topics ${[...topics.created, ...topics.existing].join(", ")}`,
  );

  step("Admin user");
  let adminNote: string;
  if (!config.auth.admin_email && (await getPrisma().user.count()) === 0) {
    // First start without ADMIN_EMAIL/ADMIN_PASSWORD: make an admin rather than lock everyone out.
    const { password, file } = generatedAdminPassword();
    await upsertUserWithPassword(GENERATED_ADMIN_EMAIL, password);
    adminNote = `sign in as ${GENERATED_ADMIN_EMAIL} with password ${password} (saved in ${file}; change it with npm run admin:password)`;
  } else {
    const admin = await ensureAdminFromEnv();
    const generated = admin.status === "skipped" && (await getPrisma().user.findUnique({ where: { email: GENERATED_ADMIN_EMAIL } }));
    adminNote =
      admin.status !== "skipped"
        ? `sign in as ${admin.email}`
        : generated
          ? `sign in as ${GENERATED_ADMIN_EMAIL} (password in ${ADMIN_PASSWORD_FILE} unless you changed it)`
          : "sign in with your existing account";
  }
  ok(adminNote);
  await getPrisma().$disconnect();

  if (options.build) {
    step("Web app build");
    const started = Date.now();
    const built = await buildNextApp({ appDir: ROOT, distDir: ".next" });
    ok(built ? `built in ${((Date.now() - started) / 1000).toFixed(0)} s` : "up to date");
  }

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: ".next" };
  return { config, env, startedKafka: kafka.startedLocal, adminNote };
}
