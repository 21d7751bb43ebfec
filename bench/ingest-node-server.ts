/**
 * The ingest handler of the Next route, served straight from node:http (no Next router), for
 * bench/ingest.ts to compare: what a custom server in front of Next would give POST /api/events.
 * Usage: PORT=3199 tsx bench/ingest-node-server.ts   (same settings/env as the app)
 */
import http from "node:http";
import { getEventProducer } from "../src/core/kafka/producer";
import { fastIngestRoute } from "../src/server/ingest/nodeServer";

const port = Number(process.env.PORT ?? 3199);
const server = http.createServer((req, res) => {
  const route = fastIngestRoute(req);
  if (route) return route(req, res);
  res.writeHead(404).end();
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => process.stdout.write(`ready on ${port}\n`));
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    server.close();
    void getEventProducer()
      .close()
      .finally(() => process.exit(0));
  });
}
