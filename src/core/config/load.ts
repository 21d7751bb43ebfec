import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { configSchema, type AppConfig } from "./schema";

const SECTIONS = new Set(Object.keys(configSchema.shape));

/** Well-known environment names, beside the generic PULSE_<SECTION>_<KEY>. */
const ENV_ALIASES: Record<string, string> = {
  APP_URL: "app.base_url",
  NEXTAUTH_URL: "app.base_url",
  KAFKA_BROKERS: "kafka.brokers",
  KAFKA_TOPIC: "kafka.topic",
  DATABASE_URL: "postgres.url",
  REDIS_URL: "redis.url",
  LOGS_DIR: "logs.dir",
  ETL_INTERVAL_SECONDS: "cron.etl_interval_seconds",
  ETL_SHARDS: "cron.etl_shards",
  SMTP_URL: "mail.smtp_url",
  MAIL_FROM: "mail.from",
  AUTH_SECRET: "auth.secret",
  NEXTAUTH_SECRET: "auth.secret",
  ADMIN_EMAIL: "auth.admin_email",
  ADMIN_PASSWORD: "auth.admin_password",
  AUTH_GITHUB_ID: "auth.github_id",
  AUTH_GITHUB_SECRET: "auth.github_secret",
};

/** Settings that may only come from the environment, so secrets never sit in a committed file. */
const ENV_ONLY_SECTIONS = new Set(["auth"]);

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Tree = Record<string, unknown>;

function coerce(raw: string, current: unknown): unknown {
  if (Array.isArray(current))
    return raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (typeof current === "number") return raw.trim() === "" ? Number.NaN : Number(raw);
  if (typeof current === "boolean") return raw === "true" || raw === "1";
  return raw;
}

function setPath(tree: Tree, dotted: string, raw: string): void {
  const [section, key] = dotted.split(".") as [string, string];
  const sec = (tree[section] ??= {}) as Tree;
  sec[key] = coerce(raw, sec[key]);
}

function envTargets(env: Readonly<Record<string, string | undefined>>): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const [name, value] of Object.entries(env)) {
    // An empty variable (e.g. `ADMIN_EMAIL=` from a compose file) means "not set".
    if (value === undefined || value === "") continue;
    const alias = ENV_ALIASES[name];
    if (alias) out.push([name, alias, value]);
    // Only names of real sections, so e.g. PULSE_API_KEY (the simulator's key) is not a setting.
    const m = /^PULSE_([A-Z]+)_([A-Z0-9_]+)$/.exec(name);
    if (m && SECTIONS.has(m[1]!.toLowerCase())) out.push([name, `${m[1]!.toLowerCase()}.${m[2]!.toLowerCase()}`, value]);
  }
  return out;
}

/**
 * Reads global_config.yaml (or PULSE_CONFIG), applies environment overrides and
 * validates everything; a bad value throws a ConfigError naming the setting and its source.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): AppConfig {
  // Read at run time from the working directory; the bundler must not trace it as a source file.
  const file = path.resolve(/* turbopackIgnore: true */ process.cwd(), env.PULSE_CONFIG ?? "global_config.yaml");
  let tree: Tree;
  try {
    tree = (parseYaml(readFileSync(/* turbopackIgnore: true */ file, "utf8")) ?? {}) as Tree;
  } catch (err) {
    throw new ConfigError([`${file}: ${(err as Error).message}`]);
  }
  const sources = new Map<string, string>();
  for (const section of ENV_ONLY_SECTIONS) {
    if (tree[section] !== undefined) {
      throw new ConfigError([`${section}: set these secrets in the environment, not in ${path.basename(file)}`]);
    }
  }
  for (const [name, dotted, value] of envTargets(env)) {
    setPath(tree, dotted, value);
    sources.set(dotted, name);
  }
  const result = configSchema.safeParse(tree);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const dotted = issue.path.map(String).join(".");
      const top = issue.path.slice(0, 2).map(String).join(".");
      const from = sources.get(top) ? `environment ${sources.get(top)}` : path.basename(file);
      return `${dotted || "(root)"} (from ${from}): ${issue.message}`;
    }),
  );
}
