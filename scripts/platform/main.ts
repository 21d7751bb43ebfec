/**
 * The whole platform in one command (`npm start`): checks PostgreSQL and Redis, starts a local
 * Kafka when KAFKA_BROKERS is not set, applies migrations, creates topics and the admin, builds
 * the web app when its sources changed, then runs and supervises the web app, the consumer,
 * the ETL worker and the live worker. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { ROOT, stopLocalKafka } from "../lib/services";
import { webServerCommand } from "../lib/webServer";
import { formatLine } from "./logs";
import { ConfigError, ServiceError, setUp } from "./setup";

interface ChildSpec {
  name: string;
  command: string;
  args: string[];
}

function supervise(specs: ChildSpec[], env: NodeJS.ProcessEnv, onGiveUp: (why: string) => void): { stop: () => Promise<void> } {
  const children = new Map<string, ChildProcess>();
  const crashes = new Map<string, number[]>();
  let stopping = false;

  const launch = (spec: ChildSpec): void => {
    // Own process group, so a forced stop reaches anything the child started too.
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
      if (recent.length >= 5)
        return onGiveUp(`${spec.name} exited ${recent.length} times in a minute (last: code ${code}, signal ${signal})`);
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
  const { config, env, startedKafka, adminNote } = await setUp({ build: true });
  const port = process.env.PORT ?? (new URL(config.app.base_url).port || "3000");
  // Workers run as one node process each with tsx's loader, so signals reach them directly.
  const specs: ChildSpec[] = [
    { name: "web", command: process.execPath, args: webServerCommand(ROOT, Number(port)) },
    { name: "consumer", command: process.execPath, args: ["--import", "tsx", "workers/consumer/main.ts"] },
    { name: "etl", command: process.execPath, args: ["--import", "tsx", "workers/etl/main.ts"] },
    { name: "live", command: process.execPath, args: ["--import", "tsx", "workers/live/main.ts"] },
  ];

  let shuttingDown = false;
  const shutdown = async (code: number, why?: string): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (why) console.error(`\n✗ ${why}; stopping.`);
    else console.log("\nStopping the web app, consumer, ETL worker and live worker…");
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
