// npm run apikey:create -- --site <site id> --name "My server" [--scopes ingest,read,backfill] [--kind publishable]
// Creates an API key of a site, prints it once (only its hash is stored) and a curl example.
import { parseArgs } from "node:util";
import { ConfigError, getConfig } from "../src/core/config";
import { API_KEY_SCOPES, ApiKeyInputError, createApiKey } from "../src/core/db/apiKeys";
import { getRedis } from "../src/core/redis";
import { getPrisma } from "../src/core/db/client";
import { getSite } from "../src/core/db/sites";

const USAGE = `Usage: npm run apikey:create -- --site <site id> --name <name> [--scopes ${API_KEY_SCOPES.join(",")}] [--kind secret|publishable]

  --site     the site the key belongs to (its id, as in the dashboard's URL /s/<id>); may be
             left out when there is only one site
  --name     a label to tell keys apart (required)
  --kind     secret (default; sk_…, for servers) or publishable (pk_…, for the browser snippet)
  --scopes   secret keys only, comma-separated: ingest (POST /api/events), read (GET /api/analytics),
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

/** The --site given (it must exist), or the only site when there is one. */
async function chooseSite(given: string | undefined): Promise<string> {
  if (given) {
    const site = /^[0-9a-f-]{36}$/i.test(given) ? await getSite(given) : null;
    if (!site) fail(`no site with id ${given}; the dashboard's sites page lists them`, 2);
    return site.id;
  }
  const sites = await getPrisma().site.findMany({ select: { id: true, name: true }, take: 2 });
  if (sites.length === 1) return sites[0]!.id;
  fail(
    `${sites.length === 0 ? "there is no site yet: create one on the dashboard" : "there are several sites: say which with --site <id>"}\n\n${USAGE}`,
    2,
  );
}

async function main(): Promise<void> {
  let values: { site?: string; name?: string; scopes?: string; kind?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        site: { type: "string" },
        name: { type: "string" },
        scopes: { type: "string" },
        kind: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
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

  const kind = values.kind ?? "secret";
  if (kind !== "secret" && kind !== "publishable") fail(`--kind must be secret or publishable\n\n${USAGE}`, 2);

  let created;
  try {
    const siteId = await chooseSite(values.site);
    created = await createApiKey({ siteId, name: values.name, kind, scopes: values.scopes?.split(",") });
  } catch (err) {
    if (err instanceof ApiKeyInputError) fail(`${err.message}\n\n${USAGE}`, 2);
    fail(explainDbError(err, config.postgres.url));
  }
  const { key, secret } = created;
  const base = config.app.base_url.replace(/\/$/, "");
  console.log(`Created ${key.kind} API key "${key.name}" for site ${key.siteId} (id ${key.id}, prefix ${key.prefix}${key.kind === "secret" ? `, scopes: ${key.scopes.join(", ")}` : ""})

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
