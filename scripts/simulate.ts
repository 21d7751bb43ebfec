/**
 * Event simulator: realistic visitor sessions sent to POST /api/events, each event with the
 * context of its visitor (referrer, campaign tags, user agent, address, language: simulate/visitors.ts).
 *
 *   npm run simulate                                   # settings from event_simulator_config.yaml
 *   npm run simulate -- --key pk_... --duration 30 --rate 200
 *   npm run simulate -- --dry-run --limit 20           # print events as JSON lines, send nothing
 *
 * API key: --key or PULSE_API_KEY. Target: --url, else PULSE_URL, else target_url in the config.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import { loadSimulatorConfig, parseSimulatorConfig, SimulatorConfigError } from "./simulate/config";
import { createRng } from "./simulate/rng";
import { runLive, sumValues } from "./simulate/run";
import { generateEvents } from "./simulate/sessions";
import { visitorRng } from "./simulate/visitors";

const USAGE = `Usage: npm run simulate -- [options]
  --config <file>     settings file (default event_simulator_config.yaml)
  --key <key>         ingest API key (default: $PULSE_API_KEY)
  --url <url>         base URL of the app (default: $PULSE_URL, else target_url from the config)
  --duration <s>      override duration_seconds
  --rate <n>          override events_per_second
  --seed <n>          seeded run: same seed, same sessions and event ids
  --dry-run           print the events as JSON lines instead of sending them
  --limit <n>         with --dry-run: stop after n events
  -h, --help`;

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: "string" },
        key: { type: "string" },
        url: { type: "string" },
        duration: { type: "string" },
        rate: { type: "string" },
        seed: { type: "string" },
        "dry-run": { type: "boolean" },
        limit: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const file = path.resolve(args.config ?? "event_simulator_config.yaml");
  let config;
  try {
    config = loadSimulatorConfig(file);
    const overrides: Record<string, unknown> = {};
    if (args.duration !== undefined) overrides.duration_seconds = Number(args.duration);
    if (args.rate !== undefined) overrides.events_per_second = Number(args.rate);
    if (args.seed !== undefined) overrides.seed = Number(args.seed);
    if (Object.keys(overrides).length > 0) config = parseSimulatorConfig({ ...config, ...overrides }, "command line");
  } catch (err) {
    if (err instanceof SimulatorConfigError) fail(`Invalid simulator settings:\n  - ${err.problems.join("\n  - ")}`);
    throw err;
  }
  const seed = config.seed ?? (Date.now() ^ (process.pid << 16)) >>> 0;

  if (args["dry-run"]) {
    const limit = args.limit === undefined ? undefined : Number(args.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) fail("--limit must be a positive integer");
    for (const event of generateEvents(config, createRng(seed), {
      limit,
      visitors: config.send_context ? visitorRng(seed) : undefined,
    }))
      process.stdout.write(`${JSON.stringify(event)}\n`);
    return;
  }

  const apiKey = args.key ?? process.env.PULSE_API_KEY;
  if (!apiKey) fail("No API key: pass --key <key> or set PULSE_API_KEY (create one with: npm run apikey:create -- --name simulator)");
  const url = args.url ?? process.env.PULSE_URL ?? config.target_url;
  try {
    new URL(url);
  } catch {
    fail(`Invalid target URL "${url}" (from ${args.url ? "--url" : process.env.PULSE_URL ? "PULSE_URL" : "target_url"})`);
  }

  console.log(
    `Simulating ${config.users} users for ${config.duration_seconds}s at ~${config.events_per_second} events/s -> ${url}/api/events ` +
      `(batch ${config.batch_size}, concurrency ${config.concurrency}, seed ${seed})`,
  );
  const controller = new AbortController();
  process.once("SIGINT", () => {
    console.log("Stopping: finishing requests in flight (Ctrl-C again to quit now)");
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  const { stats, generated, elapsedMs } = await runLive({ config, url, apiKey, seed, signal: controller.signal });
  const rejected = sumValues(stats.rejected);
  const secs = elapsedMs / 1000;
  console.log("\nSummary");
  console.log(`  events sent      ${generated} in ${secs.toFixed(1)} s (${Math.round(generated / Math.max(secs, 0.001))}/s)`);
  console.log(`  accepted (202)   ${stats.accepted}`);
  console.log(
    `  rejected         ${rejected}${
      rejected
        ? ` (${Object.entries(stats.rejected)
            .map(([s, n]) => `${s}: ${n}`)
            .join(", ")})`
        : ""
    }`,
  );
  console.log(`  requests         ${stats.requests} (${stats.retries} retries)`);
  for (const sample of stats.errorSamples) console.log(`  error            ${sample}`);
  if (rejected > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
