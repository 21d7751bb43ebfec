/**
 * The web app's server: `node --import tsx src/server/web/main.ts [-p PORT] [-H HOST]` on a
 * production build (npm run web, npm start, Docker, the tests and benches all start the app this
 * way; `npm run dev` stays `next dev`, where client addresses are unknown).
 *
 * It is `next start` plus two steps. The ingest routes (/api/events, /api/collect) and /pulse.js are
 * answered here on node:http, by the same handlers as their Next routes, ahead of Next's router,
 * which costs several times the handler's own work per request (README, "Tests and benchmarks").
 * And `next start` keeps an X-Forwarded-For sent by the client and
 * only fills it from the socket when absent, so behind it the socket's address is lost. Here every
 * request gets the client address the rule of src/core/http/clientAddress.ts gives (socket peer,
 * X-Forwarded-For, app.trusted_proxies) in a private header, replacing any copy the client sent,
 * before Next sees it. Everything else is Next's own request handler (next({ dir }) +
 * getRequestHandler(), the documented custom-server API), so routing and caching are unchanged.
 * NEXT_DIST_DIR picks the build, as with `next start` (next.config.mjs reads it).
 */
import http from "node:http";
import { parseArgs } from "node:util";
import { ConfigError, getConfig } from "@/core/config";
import { warmFactStore } from "@/core/db/analytics";
import { parseTrustedProxies, stampClientAddress } from "@/core/http/clientAddress";
import { logger } from "@/core/logging/logger";
import { fastIngestRoute } from "@/server/ingest/nodeServer";
import { loadTracker, TRACKER_PATH } from "./tracker";

const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p" },
    hostname: { type: "string", short: "H" },
  },
});
// Before Next loads: React and Next pick their production builds from NODE_ENV.
// (Assigned through Object.assign: Next's types declare NODE_ENV read-only.)
if (!process.env.NODE_ENV) Object.assign(process.env, { NODE_ENV: "production" });
const port = Number(values.port ?? process.env.PORT ?? 3000);
const log = logger.child({ service: "web" });

// Validated config first, so a bad setting stops the server with its name before anything listens.
let trustedProxies: string[];
try {
  trustedProxies = getConfig().app.trusted_proxies;
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(1);
}
const trusted = parseTrustedProxies(trustedProxies);

const { default: next } = await import("next");
const app = next({ dev: false, dir: process.cwd(), hostname: values.hostname ?? "localhost", port });
const handle = app.getRequestHandler();
await app.prepare();
const tracker = await loadTracker(process.cwd());

const server = http.createServer((req, res) => {
  stampClientAddress(req.headers, req.socket.remoteAddress, trusted);
  // The ingest routes and the tracker on the fast path: the handlers of their Next routes, without
  // Next's router in front (src/server/ingest/nodeServer.ts); `next dev` serves them as routes.
  const ingest = fastIngestRoute(req);
  if (ingest) return ingest(req, res);
  if (req.url === TRACKER_PATH || req.url?.startsWith(`${TRACKER_PATH}?`)) return tracker(req, res);
  handle(req, res).catch((err: unknown) => {
    log.error({ err, url: req.url }, "request failed");
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});

server.on("error", (err) => {
  log.fatal({ err }, "web server failed");
  process.exit(1);
});
server.listen(port, values.hostname, () => {
  log.info({ port, hostname: values.hostname ?? "all interfaces", trusted_proxies: trusted.size }, "web server ready");
  // The dashboard's copy of the facts loads now rather than on the first report (docs/dashboard-store.md).
  const loading = performance.now();
  warmFactStore().then(
    () => log.info({ ms: Math.round(performance.now() - loading) }, "dashboard copy of the facts loaded"),
    (err: unknown) => log.warn({ err }, "loading the dashboard's copy of the facts failed; the first report tries again"),
  );
});

// Like `next start`: stop accepting, let requests in flight finish, close Next, exit 128 + signal.
let stopping = false;
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(1), 10_000).unref();
  server.close(() => {
    void app.close().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
  // Live streams never end by themselves: end them so the server can close (src/server/live/hub.ts);
  // their connections are idle a moment later.
  (globalThis as { pulseLiveHub?: { closeAll(): void } }).pulseLiveHub?.closeAll();
  server.closeIdleConnections();
  setTimeout(() => server.closeIdleConnections(), 500).unref();
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
