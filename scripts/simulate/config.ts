import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

const range = (what: string, min: number, max: number) =>
  z
    .object({ min: z.number().min(min).max(max), max: z.number().min(min).max(max) })
    .strict()
    .refine((r) => r.min <= r.max, { message: `${what}: min must not be greater than max` });

const probability = z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");

const pageSchema = z
  .object({
    path: z.string().min(1).max(2048).startsWith("/", "must start with /"),
    /** Relative chance of landing on / moving to this page. */
    weight: z.number().positive().default(1),
    buttons: z
      .array(z.string().min(1).max(256))
      .default([])
      .refine((b) => new Set(b).size === b.length, { message: "button ids must be unique on a page" }),
  })
  .strict();

/** event_simulator_config.yaml. Every setting has a default, so `{}` is a valid config. */
export const simulatorConfigSchema = z
  .object({
    target_url: z.url().default("http://localhost:3000"),
    users: z.number().int().min(1).max(10_000_000).default(200),
    duration_seconds: z
      .number()
      .positive()
      .max(366 * 86_400)
      .default(60),
    events_per_second: z.number().positive().max(1_000_000).default(50),
    concurrency: z.number().int().min(1).max(1000).default(4),
    batch_size: z.number().int().min(1).max(500, "must be at most 500 (the API's batch limit)").default(20),
    max_retries: z.number().int().min(0).max(100).default(5),
    request_timeout_seconds: z.number().positive().max(300).default(10),
    seed: z.number().int().nullable().default(null),
    /** Send each event's `context` (referrer, campaign tags, user agent, address, language) so every dashboard panel fills. */
    send_context: z.boolean().default(true),
    probabilities: z
      .object({
        bounce: probability.default(0.35),
        click: probability.default(0.45),
        page_closed: probability.default(0.85),
        session_ended: probability.default(0.8),
        custom_event: probability.default(0.05),
      })
      .strict()
      .default({ bounce: 0.35, click: 0.45, page_closed: 0.85, session_ended: 0.8, custom_event: 0.05 }),
    pages_per_session: range("pages_per_session", 1, 1000).default({ min: 2, max: 8 }),
    max_clicks_per_page: z.number().int().min(0).max(100).default(4),
    think_time_seconds: range("think_time_seconds", 0, 86_400).default({ min: 2, max: 30 }),
    click_delay_seconds: range("click_delay_seconds", 0, 86_400).default({ min: 0.3, max: 8 }),
    custom_event_types: z
      .array(z.string().regex(/^[a-z0-9_.:-]{1,64}$/, "must be 1-64 characters of a-z 0-9 _ . : -"))
      .default(["video.play", "form.submit", "search"]),
    pages: z
      .array(pageSchema)
      .min(1, "needs at least one page")
      .default([
        { path: "/", weight: 5, buttons: ["signup_btn", "hero_cta", "login_btn"] },
        { path: "/pricing", weight: 2, buttons: ["buy_pro", "buy_team", "contact_sales"] },
        { path: "/docs", weight: 2, buttons: ["search_btn", "copy_code"] },
        { path: "/blog", weight: 1, buttons: ["subscribe_btn"] },
        { path: "/signup", weight: 1, buttons: ["submit_signup"] },
      ])
      .refine((pages) => new Set(pages.map((p) => p.path)).size === pages.length, { message: "page paths must be unique" }),
  })
  .strict();

export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;
export type SimulatorConfigInput = z.input<typeof simulatorConfigSchema>;
export type PageConfig = SimulatorConfig["pages"][number];

export class SimulatorConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "SimulatorConfigError";
  }
}

/** Validates a config object; throws SimulatorConfigError naming each bad setting. */
export function parseSimulatorConfig(input: unknown, source = "config"): SimulatorConfig {
  const result = simulatorConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new SimulatorConfigError(
    result.error.issues.map((issue) => `${source}: ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`),
  );
}

export function loadSimulatorConfig(file: string): SimulatorConfig {
  const name = path.basename(file);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new SimulatorConfigError([`${name}: ${(err as Error).message}`]);
  }
  return parseSimulatorConfig(raw, name);
}
