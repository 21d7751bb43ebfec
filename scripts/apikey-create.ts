// npm run apikey:create -- --name "My site" [--scopes ingest,read,backfill]
// Creates an API key, prints it once (only its hash is stored) and a curl example.
import { parseArgs } from "node:util";
import { ConfigError, getConfig } from "../src/core/config";
import { API_KEY_SCOPES, ApiKeyInputError, createApiKey } from "../src/core/db/apiKeys";
import { getRedis } from "../src/core/redis";
import { getPrisma } from "../src/core/db/client";

const USAGE = `Usage: npm run apikey:create -- --name <name> [--scopes ${API_KEY_SCOPES.join(",")}]

  --name     a label to tell keys apart (required)
  --scopes   comma-separated: ingest (POST /api/events), read (GET /api/analytics),
             backfill (with ingest: events older than ingest.max_past_days); default: ingest`;

function fail(message: string, code = 1): never {
  console.error(`apikey:create: ${message}`);
  process.exit(code);
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

function explainDbError(err: unknown, url: string): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const text = `${e.message ?? String(err)}`;
  const code = e.code ?? e.cause?.code ?? "";
  const detail = text.trim().split("\n").filter(Boolean).pop() ?? "";
  if (/^P100[01]$/.test(code) || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|reach database server|connect/i.test(`${code} ${text}`)) {
    return `cannot reach PostgreSQL at ${redactUrl(url)}: is it running? (set DATABASE_URL)\n  ${detail}`;
  }
  if (code === "P1003" || /database .* does not exist/i.test(text)) {
    return `the database at ${redactUrl(url)} does not exist: create it and run \`npm run db:migrate\`\n  ${detail}`;
  }
  if (code === "P2021" || /does not exist/i.test(text)) {
    return `the database at ${redactUrl(url)} has no api_keys table: run \`npm run db:migrate\` first\n  ${detail}`;
  }
  return text;
}

async function main(): Promise<void> {
  let values: { name?: string; scopes?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { name: { type: "string" }, scopes: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`, 2);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.name?.trim()) fail(`--name is required\n\n${USAGE}`, 2);

  let config;
  try {
    config = getConfig();
  } catch (err) {
    fail(err instanceof ConfigError ? err.message : String(err));
  }

  let created;
  try {
    created = await createApiKey({ name: values.name, scopes: values.scopes?.split(",") });
  } catch (err) {
    if (err instanceof ApiKeyInputError) fail(`${err.message}\n\n${USAGE}`, 2);
    fail(explainDbError(err, config.postgres.url));
  }
  const { key, secret } = created;
  const base = config.app.base_url.replace(/\/$/, "");
  console.log(`Created API key "${key.name}" (id ${key.id}, prefix ${key.prefix}, scopes: ${key.scopes.join(", ")})

  ${secret}

Store it now: it is shown only this once (the server keeps only its SHA-256 hash).
`);
  if (key.scopes.includes("ingest")) {
    console.log(`Send an event:

  curl -i -X POST ${base}/api/events \\
    -H "Authorization: Bearer ${secret}" \\
    -H "Content-Type: application/json" \\
    -d '{"event_type":"page_visited","user_id":"user_1","session_id":"session_1","page_path":"/home"}'
`);
  }
  if (key.scopes.includes("read")) {
    console.log(`Read the analytics:

  curl -s "${base}/api/analytics" -H "Authorization: Bearer ${secret}"
`);
  }
}

main()
  .catch((err: unknown) => fail(String((err as Error).stack ?? err)))
  .finally(async () => {
    await getPrisma()
      .$disconnect()
      .catch(() => undefined);
    // createApiKey does not touch Redis; close the connection only if something opened it.
    const g = globalThis as unknown as { pulseRedis?: ReturnType<typeof getRedis> };
    g.pulseRedis?.disconnect();
  });
