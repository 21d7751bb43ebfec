// 429 with Retry-After from the running app, started with a limit of 10 events per minute per key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../support/app";
import { closeCoreConnections, createIngestTestEnv, event, postEvents, type IngestTestEnv } from "../../support/ingest-env";

const LIMIT = 10;
let env: IngestTestEnv;
let app: RunningApp;

beforeAll(async () => {
  env = await createIngestTestEnv("ratelimit");
  app = await startApp({ env: { ...env.appEnv, PULSE_INGEST_RATE_LIMIT_PER_MINUTE: String(LIMIT) }, name: "ingest-ratelimit" });
});

afterAll(async () => {
  await app?.stop();
  await env?.cleanup();
  await closeCoreConnections();
});

const batch = (n: number) => ({ events: Array.from({ length: n }, () => event()) });

describe("per-key rate limit, counted in events", () => {
  it("429 with Retry-After once a key's events for the minute are used up; other keys are unaffected", async () => {
    const { secret } = await env.newKey();
    expect((await postEvents(app.url, batch(8), { key: secret })).status).toBe(202);

    // 8 + 5 > 10: the whole batch is refused...
    const over = await postEvents(app.url, batch(5), { key: secret });
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ error: "rate_limited", retry_after_seconds: expect.any(Number) });
    const retryAfter = Number(over.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // ...and not charged, so the 2 events left still fit.
    expect((await postEvents(app.url, batch(2), { key: secret })).status).toBe(202);
    const spent = await postEvents(app.url, event(), { key: secret });
    expect(spent.status).toBe(429);
    expect(Number(spent.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

    // A key known to be out of events is refused before its body is even read.
    expect((await postEvents(app.url, event({ user_id: 1 }), { key: secret })).status).toBe(429);

    const other = await env.newKey();
    expect((await postEvents(app.url, event(), { key: other.secret })).status).toBe(202);
  });

  it("does not charge invalid requests", async () => {
    const { secret } = await env.newKey();
    for (let i = 0; i < 3; i++) {
      const invalid = { events: Array.from({ length: LIMIT }, () => event({ user_id: "" })) };
      expect((await postEvents(app.url, invalid, { key: secret })).status).toBe(400);
    }
    expect((await postEvents(app.url, batch(LIMIT), { key: secret })).status).toBe(202);
  });
});
