// Big requests against the running web app (Next behind src/server/web/main.ts) and the same handler
// on bare node:http (src/server/ingest/nodeServer.ts), with real PostgreSQL, Redis and Kafka: an
// over-limit body or a refused key gets its JSON answer, not a reset connection, however it is sent
// (docs/api.md); and the biggest valid request is accepted while small ones go through beside it.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../support/app";
import {
  closeCoreConnections,
  createIngestTestEnv,
  event,
  postEvents,
  readEventsFromTopic,
  type IngestTestEnv,
} from "../../support/ingest-env";
import { startNodeIngestServer, type NodeIngestServer } from "../../support/node-ingest-server";
import { upload, type UploadOptions } from "../../support/upload";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";

const MiB = 1024 * 1024;
/** Each size, framing and client this many times: the old race lost about one upload in a few dozen under load. */
const ROUNDS = Number(process.env.BIG_UPLOAD_ROUNDS ?? 10);
const SIZES_MIB = [1.5, 4, 8];
const CLIENTS = ["node:http", "fetch"] as const;
const SLOW = 300_000;

let env: IngestTestEnv;
let app: RunningApp;
let nodeServer: NodeIngestServer;
let key: string;
let readKey: string;

beforeAll(async () => {
  env = await createIngestTestEnv("big");
  [app, nodeServer] = await Promise.all([startApp({ env: env.appEnv, name: "ingest-big" }), startNodeIngestServer(env.appEnv)]);
  ({ secret: key } = await env.newKey(["ingest"]));
  ({ secret: readKey } = await env.newKey(["read"]));
});

afterAll(async () => {
  await Promise.all([app?.stop(), nodeServer?.stop()]);
  await env?.cleanup();
  await closeCoreConnections();
});

/**
 * Every size × framing × client, `rounds` times; returns what went wrong (wrong answer or a client
 * error), so a failure lists all of them at once. A keep-alive agent carries the node:http uploads,
 * so each one after the first runs on a connection an earlier refused upload left behind.
 */
async function uploadAll(
  url: string,
  rounds: number,
  options: Pick<UploadOptions, "key">,
  expected: { status: number; error: string },
): Promise<string[]> {
  const failures: string[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const mib of SIZES_MIB) {
        for (const chunked of [false, true]) {
          for (const client of CLIENTS) {
            const label = `round ${round}, ${mib} MiB, ${chunked ? "chunked" : "Content-Length"}, ${client}`;
            try {
              const res = await upload(url, { ...options, bytes: Math.round(mib * MiB), chunked, client, agent });
              if (res.status !== expected.status || res.body.error !== expected.error || typeof res.body.message !== "string") {
                failures.push(`${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
              } else if (client === "node:http" && res.connection === "close") {
                failures.push(`${label}: answered with connection: close, so the body was not drained`);
              }
            } catch (err) {
              const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
              failures.push(`${label}: client error ${e.code ?? e.cause?.code ?? ""} ${e.message}`);
            }
          }
        }
      }
    }
  } finally {
    agent.destroy();
  }
  return failures;
}

const servers = [
  { name: "the web app (Next route)", url: () => app.url },
  { name: "node:http adapter", url: () => nodeServer.url },
];

describe.each(servers)("big uploads through $name", ({ url }) => {
  it(
    `413 with its JSON body for 1.5, 4 and 8 MiB, with and without Content-Length, by node:http and fetch, ${ROUNDS} rounds`,
    async () => {
      expect(await uploadAll(url(), ROUNDS, { key }, { status: 413, error: "payload_too_large" })).toEqual([]);
    },
    SLOW,
  );

  it(
    "401 without a key and 403 with a key lacking the ingest scope are readable too, for the same uploads",
    async () => {
      expect(await uploadAll(url(), 2, { key: null }, { status: 401, error: "unauthorized" })).toEqual([]);
      expect(await uploadAll(url(), 1, { key: readKey }, { status: 403, error: "forbidden" })).toEqual([]);
    },
    SLOW,
  );

  it(
    "a 16 MiB upload may be cut, and the server carries on",
    async () => {
      for (const chunked of [false, true]) {
        for (const client of CLIENTS) {
          for (const k of [key, null]) {
            // Whatever the client saw (a 413 / 401 or a reset) is allowed here.
            await upload(url(), { bytes: 16 * MiB, chunked, client, key: k }).catch(() => undefined);
          }
        }
      }
      const res = await postEvents(url(), event(), { key });
      expect(res.status).toBe(202);
    },
    SLOW,
  );
});

/** A batch of 500 events of one session whose JSON is as close to max_body_bytes (1 MiB) as it gets. */
function maximumBatch(session: string): string {
  const make = (pad: number) =>
    JSON.stringify({
      events: Array.from({ length: 500 }, (_, i) => ({
        event_type: "page_visited",
        user_id: "user_max",
        session_id: session,
        page_path: `/max/${i % 10}`,
        props: { pad: "x".repeat(pad) },
      })),
    });
  const empty = Buffer.byteLength(make(0));
  const body = make(Math.floor((MiB - empty) / 500));
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MiB);
  expect(Buffer.byteLength(body)).toBeGreaterThan(MiB - 500);
  return body;
}

describe("the biggest valid request", () => {
  it(
    "10 maximum requests of one session (~10.5 MiB for one partition) and 40 small ones at once all get 202, and all is on the topic",
    async () => {
      const session = `sess_max_${randomUUID()}`;
      const body = maximumBatch(session);
      const [big, small] = await Promise.all([
        Promise.all(Array.from({ length: 10 }, () => postEvents(app.url, null, { key, raw: body }))),
        Promise.all(Array.from({ length: 40 }, () => postEvents(app.url, event(), { key }))),
      ]);
      expect(big.map((r) => r.status)).toEqual(Array(10).fill(202));
      expect(small.map((r) => r.status)).toEqual(Array(40).fill(202));

      const bigIds = big.flatMap((r) => r.body.event_ids as string[]);
      expect(new Set(bigIds).size).toBe(5_000);
      const smallIds = small.map((r) => r.body.event_id as string);
      const found = await readEventsFromTopic(env.brokers, env.topic, [...bigIds, ...smallIds], 60_000);
      expect(found.size).toBe(5_040);
      // One session, one key, one partition: each maximum request went in as a single record batch there.
      expect(new Set(bigIds.map((id) => found.get(id)?.partition)).size).toBe(1);
      expect(found.get(bigIds[0]!)?.key).toBe(`${DEFAULT_SITE_ID}:${session}`);
    },
    SLOW,
  );
});
