import { z } from "zod";
import { emailSchema } from "../auth/email";
import { isIpOrCidr } from "../http/clientAddress";

const broker = z.string().regex(/^[A-Za-z0-9.\-_]+:\d{1,5}$/, "must be host:port");

export const configSchema = z
  .object({
    app: z
      .object({
        base_url: z.url(),
        // Addresses (IPs or CIDR ranges) of reverse proxies whose X-Forwarded-For is believed; none by default.
        trusted_proxies: z.array(
          z.string().refine(isIpOrCidr, "must be an IP address or a CIDR range (e.g. 10.0.0.5, 192.168.0.0/16, fd00::/8)"),
        ),
      })
      .strict(),
    kafka: z
      .object({
        brokers: z.array(broker),
        client_id: z.string().min(1),
        topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/),
        dlq_topic: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/),
        consumer_group: z.string().min(1),
        partitions: z.number().int().min(1).max(1000),
        linger_ms: z.number().int().min(0).max(1000),
        send_timeout_ms: z.number().int().min(100).max(120_000),
      })
      .strict(),
    postgres: z.object({ url: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL") }).strict(),
    redis: z.object({ url: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL") }).strict(),
    logs: z.object({ dir: z.string().min(1) }).strict(),
    cron: z
      .object({
        etl_interval_seconds: z.number().int().min(5).max(86_400),
        // Sites are split into this many shards, each an ETL job any worker takes (docs/etl.md, "Several workers").
        etl_shards: z.number().int().min(1).max(64),
      })
      .strict(),
    ingest: z
      .object({
        max_body_bytes: z
          .number()
          .int()
          .min(1024)
          .max(100 * 1024 * 1024),
        max_batch_events: z.number().int().min(1).max(10_000),
        max_future_seconds: z.number().int().min(0),
        // event_time older than this is refused, unless the key has the backfill scope.
        max_past_days: z.number().int().min(1).max(36_500),
        // How far back a key with the backfill scope may send events (never before 1970).
        max_backfill_days: z.number().int().min(1).max(36_500),
        rate_limit_per_minute: z.number().int().min(1),
      })
      .strict(),
    // The live view (docs/live.md): its worker's own consumer group, and how many live streams one
    // user (or read key) may hold open at once, over every web instance.
    live: z
      .object({
        consumer_group: z.string().min(1).default("pulse-live"),
        max_connections_per_user: z.number().int().min(1).max(1000).default(10),
      })
      .strict()
      .prefault({}),
    // Raw exports prepared as files by a job (docs/exports.md): where they are kept, and for how long.
    exports: z
      .object({
        dir: z.string().min(1).default("./data/exports"),
        keep_hours: z
          .number()
          .int()
          .min(1)
          .max(24 * 90)
          .default(24),
      })
      .strict()
      .prefault({}),
    // Where the web app's range reports and breakdowns run (docs/dashboard-store.md): "duckdb", a
    // columnar copy of the facts in the process, kept up to date from PostgreSQL; "postgres", the database itself.
    analytics: z
      .object({ engine: z.enum(["duckdb", "postgres"]).default("duckdb") })
      .strict()
      .prefault({}),
    // Mail for alerts and reports (docs/alerts.md): nothing is sent while smtp_url is unset.
    mail: z
      .object({
        smtp_url: z
          .string()
          .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
          .optional(),
        from: z.string().min(3).default("Pulse <pulse@localhost>"),
      })
      .strict()
      .prefault({}),
    // Secrets come from the environment only (see ENV_ONLY in load.ts), never from the YAML file.
    auth: z
      .object({
        secret: z.string().min(32, "must be at least 32 characters").optional(),
        admin_email: emailSchema.optional(),
        admin_password: z.string().min(8, "must be at least 8 characters").optional(),
        github_id: z.string().min(1).optional(),
        github_secret: z.string().min(1).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type AppConfig = z.infer<typeof configSchema>;
