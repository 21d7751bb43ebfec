/**
 * `npm test`: every check and test, against real services.
 *   1. format (Prettier --check), lint (ESLint) and typecheck (tsc, strict);
 *   2. PostgreSQL and Redis checked, Kafka started locally unless KAFKA_BROKERS is set;
 *   3. unit and integration tests (Vitest; integration tests start the web app, consumer and
 *      ETL as real processes and make their own databases, topics and log dirs);
 *   4. end-to-end tests in Debian's Chromium (Playwright).
 * Tests use Redis DB 15 unless TEST_REDIS_URL says otherwise, so a dev instance's data is safe.
 * Pass --skip-e2e or --only-e2e to run part of it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig } from "../../src/core/config";
import { checkRedis, ensureKafka, ensurePostgres, ROOT, ServiceError } from "../lib/services";

const args = new Set(process.argv.slice(2));
const bin = (name: string): string => path.join(ROOT, "node_modules/.bin", name);

function run(title: string, command: string, commandArgs: string[], env: NodeJS.ProcessEnv = process.env): void {
  console.log(`\n━━ ${title} ━━  ${path.basename(command)} ${commandArgs.join(" ")}`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    console.error(`\n✗ ${title} failed after ${seconds} s (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${title} passed in ${seconds} s`);
}

function testRedisUrl(configured: string): string {
  if (process.env.TEST_REDIS_URL) return process.env.TEST_REDIS_URL;
  const url = new URL(configured);
  url.pathname = "/15";
  return url.toString();
}

async function main(): Promise<void> {
  if (!args.has("--only-e2e")) {
    run("Format (Prettier)", bin("prettier"), ["--check", "--log-level", "warn", "."]);
    run("Lint", bin("eslint"), ["."]);
    run("Typecheck", bin("tsc"), ["--noEmit"]);
  }

  const config = loadConfig();
  console.log("\n━━ Services ━━");
  await ensurePostgres(config.postgres.url);
  console.log(`✓ PostgreSQL ${new URL(config.postgres.url).host} (each test file makes its own database there)`);
  const redisUrl = testRedisUrl(config.redis.url);
  await checkRedis(redisUrl);
  console.log(`✓ Redis ${redisUrl}`);
  const kafka = await ensureKafka(config);
  console.log(`✓ Kafka ${kafka.brokers.join(",")}${kafka.startedLocal ? " (started locally)" : ""}`);

  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  const runE2e = !args.has("--skip-e2e");
  if (runE2e && !existsSync(chromium)) {
    throw new ServiceError(
      "Chromium",
      `Chromium is needed for the end-to-end tests and is not at ${chromium}.\n` +
        "  Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH; --skip-e2e runs the rest.",
    );
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: config.postgres.url,
    REDIS_URL: redisUrl,
    KAFKA_BROKERS: kafka.brokers.join(","),
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  };
  if (!args.has("--only-e2e")) run("Unit and integration tests", bin("vitest"), ["run"], env);
  if (runE2e) run("End-to-end tests (Chromium)", bin("playwright"), ["test"], env);
  console.log("\n✓ All checks and tests passed.");
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof ServiceError) console.error(`\n✗ ${err.message}`);
  else console.error(err);
  process.exit(1);
});
