import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./load";

const repoConfig = path.resolve(import.meta.dirname, "../../../global_config.yaml");

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ PULSE_CONFIG: repoConfig, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("loadConfig", () => {
  it("reads global_config.yaml with its documented defaults", () => {
    const config = loadConfig({ PULSE_CONFIG: repoConfig });
    expect(config.kafka.topic).toBe("web_events");
    expect(config.cron.etl_interval_seconds).toBe(300);
    expect(config.ingest.max_body_bytes).toBe(1_048_576);
    expect(config.auth).toEqual({});
  });

  it("takes well-known and PULSE_<SECTION>_<KEY> overrides, typed like the file", () => {
    const config = loadConfig({
      PULSE_CONFIG: repoConfig,
      KAFKA_BROKERS: "k1:9092, k2:9093",
      ETL_INTERVAL_SECONDS: "60",
      PULSE_INGEST_RATE_LIMIT_PER_MINUTE: "100",
      PULSE_API_KEY: "pk_not_a_setting",
      ADMIN_EMAIL: "",
    });
    expect(config.auth.admin_email).toBeUndefined();
    expect(config.kafka.brokers).toEqual(["k1:9092", "k2:9093"]);
    expect(config.cron.etl_interval_seconds).toBe(60);
    expect(config.ingest.rate_limit_per_minute).toBe(100);
  });

  it("names the setting and where a bad value came from", () => {
    expect(problemsOf({ ETL_INTERVAL_SECONDS: "soon" })).toEqual([
      expect.stringMatching(/^cron\.etl_interval_seconds \(from environment ETL_INTERVAL_SECONDS\): /),
    ]);
    expect(problemsOf({ KAFKA_BROKERS: "nohost" })[0]).toMatch(/^kafka\.brokers\.0 \(from environment KAFKA_BROKERS\): must be host:port/);
    expect(problemsOf({ DATABASE_URL: "mysql://x" })[0]).toMatch(/^postgres\.url .*must be a postgresql:\/\/ URL/);
    expect(problemsOf({ AUTH_SECRET: "short" })[0]).toMatch(/^auth\.secret .*at least 32 characters/);
  });

  it("accepts the admins a self-hosted install has, admin@localhost included (the one npm start creates)", () => {
    for (const email of ["admin@localhost", "ops@intranet", "Admin@Example.com", "first.last+pulse@mail.example.co.uk", "a@b-c.d"]) {
      expect(problemsOf({ ADMIN_EMAIL: email }), email).toEqual([]);
      expect(loadConfig({ PULSE_CONFIG: repoConfig, ADMIN_EMAIL: email }).auth.admin_email).toBe(email);
    }
  });

  it("still refuses an ADMIN_EMAIL that cannot be an address, naming the setting and its source", () => {
    for (const email of [
      "admin",
      "admin@",
      "@localhost",
      "ad min@localhost",
      "admin@@localhost",
      "admin@-localhost",
      "admin@local..host",
      ".admin@localhost",
      "admin@localhost.",
    ]) {
      expect(problemsOf({ ADMIN_EMAIL: email }), email).toEqual([
        "auth.admin_email (from environment ADMIN_EMAIL): must be an email address such as you@example.com or admin@localhost",
      ]);
    }
  });

  it("takes trusted proxies as IPs and CIDR ranges and names a bad one", () => {
    const config = loadConfig({ PULSE_CONFIG: repoConfig, PULSE_APP_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8,fd00::/8" });
    expect(config.app.trusted_proxies).toEqual(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);
    expect(loadConfig({ PULSE_CONFIG: repoConfig }).app.trusted_proxies).toEqual([]);
    expect(problemsOf({ PULSE_APP_TRUSTED_PROXIES: "10.0.0.1,proxy.local" })[0]).toMatch(
      /^app\.trusted_proxies\.1 \(from environment PULSE_APP_TRUSTED_PROXIES\): must be an IP address or a CIDR range/,
    );
  });

  it("rejects unknown settings and secrets written into the file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "pulse-config-"));
    const file = path.join(dir, "config.yaml");
    writeFileSync(file, "kafka:\n  brokerz: [a:1]\n");
    expect(() => loadConfig({ PULSE_CONFIG: file })).toThrow(/Unrecognized key.*brokerz|brokerz/);
    writeFileSync(file, "auth:\n  secret: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    expect(() => loadConfig({ PULSE_CONFIG: file })).toThrow(/auth: set these secrets in the environment/);
  });
});
