/**
 * The whole platform in one command (`npm start`): checks PostgreSQL and Redis, starts a local
 * Kafka when KAFKA_BROKERS is not set, applies migrations, creates topics and the admin, builds
 * the web app when its sources changed, then runs and supervises the web app, the consumer and
 * the ETL worker. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ConfigError, loadConfig, type AppConfig } from "../../src/core/config";
import { ensureAdminFromEnv, upsertUserWithPassword } from "../../src/core/db/users";
import { getPrisma } from "../../src/core/db/client";
import { ensureTopics } from "../../src/core/kafka/topics";
import { buildNextApp } from "../lib/nextBuild";
import { checkRedis, ensureKafka, ensurePostgres, migrateDatabase, ROOT, ServiceError, stopLocalKafka } from "../lib/services";
import { formatLine } from "./logs";
import { authSecret, GENERATED_ADMIN_EMAIL, generatedAdminPassword } from "./secrets";

const step = (text: string): void => console.log(`• ${text}`);
const ok = (text: string): void => console.log(`  ✓ ${text}`);

interface ChildSpec {
  name: string;
  command: string;
  args: string[];
}

async function setUp(): Promise<{ config: AppConfig; env: NodeJS.ProcessEnv; startedKafka: boolean; adminNote: string }> {
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
  ok(`${kafka.brokers.join(",")}${kafka.startedLocal ? " started" : " reachable"}; topics ${[...topics.created, ...topics.existing].join(", ")}`);

  step("Admin user");
  let adminNote: string;
  if (!config.auth.admin_email && (await getPrisma().user.count()) === 0) {
    // First start without ADMIN_EMAIL/ADMIN_PASSWORD: make an admin rather than lock everyone out.
    const { password, file } = generatedAdminPassword();
    await upsertUserWithPassword(GENERATED_ADMIN_EMAIL, password);
    adminNote = `sign in as ${GENERATED_ADMIN_EMAIL} with password ${password} (saved in ${file}; change it with npm run admin:password)`;
  } else {
    const admin = await ensureAdminFromEnv();
    adminNote = admin.status === "skipped" ? "sign in with your existing account" : `sign in as ${admin.email}`;
  }
  ok(adminNote);
  await getPrisma().$disconnect();

  step("Web app build");
  const started = Date.now();
  const built = await buildNextApp({ appDir: ROOT, distDir: ".next" });
  ok(built ? `built in ${((Date.now() - started) / 1000).toFixed(0)} s` : "up to date");

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", NEXT_DIST_DIR: ".next" };
  return { config, env, startedKafka: kafka.startedLocal, adminNote };
}

function supervise(specs: ChildSpec[], env: NodeJS.ProcessEnv, onGiveUp: (why: string) => void): { stop: () => Promise<void> } {
  const children = new Map<string, ChildProcess>();
  const crashes = new Map<string, number[]>();
  let stopping = false;

  const launch = (spec: ChildSpec): void => {
    // Own process group, so a forced stop reaches tsx's child node process too.
    const child = spawn(spec.command, spec.args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    children.set(spec.name, child);
    let pending = "";
    const onData = (data: Buffer): void => {
      pending += data.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) console.log(formatLine(spec.name, line));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code, signal) => {
      children.delete(spec.name);
      if (stopping) return;
      const now = Date.now();
      const recent = [...(crashes.get(spec.name) ?? []), now].filter((t) => now - t < 60_000);
      crashes.set(spec.name, recent);
      if (recent.length >= 5) return onGiveUp(`${spec.name} exited ${recent.length} times in a minute (last: code ${code}, signal ${signal})`);
      const delay = 1000 * 2 ** (recent.length - 1);
      console.log(formatLine(spec.name, `exited (code ${code}, signal ${signal}); restarting in ${delay / 1000} s`));
      setTimeout(() => !stopping && launch(spec), delay);
    });
  };
  for (const spec of specs) launch(spec);

  return {
    async stop() {
      stopping = true;
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 20_000);
              child.once("exit", () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill("SIGTERM");
            }),
        ),
      );
    },
  };
}

async function main(): Promise<void> {
  const { config, env, startedKafka, adminNote } = await setUp();
  const port = process.env.PORT ?? (new URL(config.app.base_url).port || "3000");
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const specs: ChildSpec[] = [
    { name: "web", command: process.execPath, args: [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", port] },
    { name: "consumer", command: tsx, args: ["workers/consumer/main.ts"] },
    { name: "etl", command: tsx, args: ["workers/etl/main.ts"] },
  ];

  let shuttingDown = false;
  const shutdown = async (code: number, why?: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (why) console.error(`\n✗ ${why}; stopping.`);
    else console.log("\nStopping the web app, consumer and ETL worker…");
    await children.stop();
    if (startedKafka) stopLocalKafka();
    process.exit(code);
  };
  const children = supervise(specs, env, (why) => void shutdown(1, why));
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  const url = config.app.base_url.replace(/:\d+$/, `:${port}`);
  console.log(`
Pulse is starting:
  Dashboard   ${url}  (${adminNote})
  Ingest      POST ${url}/api/events   (create a key: npm run apikey:create -- --name my-site)
  Health      ${url}/api/health
  Raw logs    ${path.resolve(config.logs.dir)}
Press Ctrl-C to stop.
`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof ServiceError) console.error(`\n✗ ${err.message}`);
  else console.error(err);
  process.exit(1);
});
