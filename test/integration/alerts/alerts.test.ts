/**
 * Alerts end to end (docs/alerts.md): the real ETL worker process checks the rules after its pass,
 * a real SMTP server (smtp-server) receives the email and a real HTTP receiver the webhook. A
 * spike fires once for its hour and never again for it; the quiet hour before it does not fire; a
 * webhook that fails is tried again; its signature verifies with the rule's secret.
 */
import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertRule, type AlertRuleRecord } from "@/core/alerts/rules";
import { createSite } from "@/core/db/sites";
import { loadConfig } from "@/core/config/load";
import { ALERTS_QUEUE } from "@/core/queues/alerts";
import { ETL_QUEUE } from "@/core/queues/etl";
import { createTestDatabase, queryRows, type TestDatabase } from "../../support/db";
import { storedEvent, writeLogEvents } from "../../support/etl";
import { closeCoreConnections } from "../../support/ingest-env";
import { startTestSmtpServer, type TestSmtpServer } from "../../support/smtp";
import { emptyQueue, startEtlWorkerProcess, waitUntil, type WorkerProcess } from "../../support/worker";

const HOUR = 3_600_000;
const REDIS_DB = 14;

let db: TestDatabase;
let logsDir: string;
let redisUrl: string;
let worker: WorkerProcess | undefined;
let smtp: TestSmtpServer;
let receiver: http.Server;
const hooks: Array<{ status: number; body: string; signature: string | undefined }> = [];
let spike: AlertRuleRecord;
let currentHour: number;

async function emptyQueues(): Promise<void> {
  for (const name of [ETL_QUEUE, ALERTS_QUEUE]) await emptyQueue(redisUrl, name);
}

beforeAll(async () => {
  db = await createTestDatabase("alerts");
  process.env.DATABASE_URL = db.url; // before the first getConfig(), so sites and rules go there
  logsDir = await mkdtemp(path.join(os.tmpdir(), "pulse-alerts-"));
  const url = new URL(loadConfig().redis.url);
  url.pathname = `/${REDIS_DB}`;
  redisUrl = url.toString();
  await emptyQueues();

  smtp = await startTestSmtpServer();
  // The webhook receiver refuses its first delivery, as a receiver that is restarting would.
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const status = hooks.length === 0 ? 500 : 200;
      hooks.push({ status, body, signature: req.headers["x-pulse-signature"] as string | undefined });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));

  const site = await createSite({ name: "alerts.example" });
  const now = Date.now();
  currentHour = Math.floor(now / HOUR) * HOUR;
  // The hour before: 2 sessions (quiet). This hour: 30 sessions (a spike), all already past.
  const visit = (at: number, session: string) => [
    storedEvent(new Date(at).toISOString(), { site_id: site.id, event_type: "session_created", user_id: session, session_id: session }),
    storedEvent(new Date(at + 1).toISOString(), {
      site_id: site.id,
      event_type: "page_visited",
      user_id: session,
      session_id: session,
      page_path: "/",
    }),
  ];
  await writeLogEvents(logsDir, [
    ...[0, 1].flatMap((i) => visit(currentHour - HOUR + 600_000 + i * 1000, `quiet-${i}`)),
    ...Array.from({ length: 30 }, (_, i) => visit(Math.max(currentHour, now - 60_000) + i * 10, `spike-${i}`)).flat(),
  ]);
  spike = await createAlertRule(site.id, {
    name: "Traffic spike",
    metric: "sessions",
    window: "hour",
    condition: "above",
    threshold: 10,
    emails: ["ops@example.com"],
    webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
  });
  worker = startEtlWorkerProcess({
    databaseUrl: db.url,
    redisUrl,
    logsDir,
    intervalSeconds: 3600,
    env: { SMTP_URL: smtp.url, MAIL_FROM: "Pulse <alerts@pulse.test>" },
  });
});

afterAll(async () => {
  await worker?.stop();
  await emptyQueues().catch(() => undefined);
  await closeCoreConnections();
  await smtp?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  await db?.drop();
  if (logsDir) await rm(logsDir, { recursive: true, force: true });
});

const firings = () =>
  queryRows<{ window_start: Date; value: number; email_status: string; webhook_status: string }>(
    db.url,
    "SELECT window_start, value, email_status, webhook_status FROM alert_firings WHERE rule_id = $1",
    [spike.id],
  );

describe("alerts after an ETL pass", () => {
  it("a spike fires once for its hour, by email and by a signed webhook that is tried again after a failure", async () => {
    await waitUntil(
      async () => hooks.length >= 2 && smtp.mails.length >= 1,
      60_000,
      () => `webhook requests ${hooks.length}, emails ${smtp.mails.length}; worker: ${worker!.output.slice(-5).join(" | ")}`,
    );
    const rows = await firings();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.window_start.getTime()).toBe(currentHour);
    expect(rows[0]!.value).toBe(30);
    await waitUntil(
      async () => (await firings())[0]!.webhook_status === "sent",
      10_000,
      async () => JSON.stringify(await firings()),
    );
    expect((await firings())[0]).toMatchObject({ email_status: "sent", webhook_status: "sent" });

    // The webhook: refused once, then delivered; the same signed body both times.
    expect(hooks.map((h) => h.status)).toEqual([500, 200]);
    const body = hooks[1]!.body;
    expect(hooks[1]!.signature).toBe(`sha256=${createHmac("sha256", spike.secret).update(body).digest("hex")}`);
    expect(hooks[0]!.body).toBe(body);
    const payload = JSON.parse(body) as { text: string; pulse: { value: number; window_start: string; rule: string } };
    expect(payload.text).toContain("Traffic spike");
    expect(payload.pulse).toMatchObject({ value: 30, window_start: new Date(currentHour).toISOString(), rule: "Traffic spike" });

    // The email: once (the retry sent only the webhook), with text and HTML parts.
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toContain("Subject: Pulse alert: Traffic spike");
    expect(smtp.mails[0]).toContain("To: ops@example.com");
    expect(smtp.mails[0]).toMatch(/text\/plain/);
    expect(smtp.mails[0]).toMatch(/text\/html/);
  });

  it("another pass checks the rules again: the hour has fired already, and the quiet hour does not fire", async () => {
    const alerts = new Queue(ALERTS_QUEUE, { connection: { url: redisUrl } });
    const etl = new Queue(ETL_QUEUE, { connection: { url: redisUrl } });
    try {
      const checks = async () => (await alerts.getCompleted()).filter((j) => j.name === "check-rules").length;
      const before = await checks();
      await etl.add("etl-pass-manual", { trigger: "manual" });
      await waitUntil(
        async () => (await checks()) > before,
        60_000,
        () => "no second check of the rules",
      );
      expect(await firings()).toHaveLength(1);
      const all = await queryRows<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM alert_firings");
      expect(all[0]!.n).toBe(1);
      expect(hooks).toHaveLength(2);
      expect(smtp.mails).toHaveLength(1);
    } finally {
      await alerts.close();
      await etl.close();
    }
  });
});
