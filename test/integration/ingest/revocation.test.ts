/**
 * Keys are answered from memory on the ingest path (src/core/db/apiKeyMemo.ts), so a revocation
 * must reach every web instance: a key revoked through the dashboard of one instance is refused by
 * another, which was using it a moment before, within a second.
 */
import { randomBytes } from "node:crypto";
import superjson from "superjson";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_SITE_ID } from "@/core/sites/defaultSite";
import { startApp, type RunningApp } from "../../support/app";
import { closeCoreConnections, createIngestTestEnv, event, postEvents, type IngestTestEnv } from "../../support/ingest-env";
import { sessionCookie } from "../../support/session";

let env: IngestTestEnv;
let first: RunningApp;
let second: RunningApp;
let cookie: string;
const authSecret = randomBytes(32).toString("hex");

beforeAll(async () => {
  env = await createIngestTestEnv("revocation");
  cookie = await sessionCookie(authSecret);
  const appEnv = { ...env.appEnv, AUTH_SECRET: authSecret };
  [first, second] = await Promise.all([startApp({ env: appEnv, name: "revoke-a" }), startApp({ env: appEnv, name: "revoke-b" })]);
}, 300_000);

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await env?.cleanup();
  await closeCoreConnections();
});

it("a key revoked on one instance is refused by the other within a second", async () => {
  const key = await env.newKey(["ingest"]);
  // The second instance has the key in memory: it accepted events with it just now.
  for (let i = 0; i < 3; i++) expect((await postEvents(second.url, event(), { key: key.secret })).status).toBe(202);

  const revoked = await fetch(`${first.url}/api/trpc/apiKeys.revoke`, {
    method: "POST",
    headers: { cookie, origin: first.url, "content-type": "application/json" },
    body: JSON.stringify(superjson.serialize({ siteId: DEFAULT_SITE_ID, id: key.id })),
  });
  expect(revoked.status, await revoked.text()).toBe(200);
  const at = Date.now();

  let status = 202;
  while (status === 202 && Date.now() - at < 5_000) status = (await postEvents(second.url, event(), { key: key.secret })).status;
  const took = Date.now() - at;
  expect(status).toBe(401);
  expect(took, "refused by the other instance within a second").toBeLessThan(1_000);
  // And stays refused on both.
  expect((await postEvents(first.url, event(), { key: key.secret })).status).toBe(401);
  expect((await postEvents(second.url, event(), { key: key.secret })).status).toBe(401);
}, 60_000);
