import { getConfig, type AppConfig } from "@/core/config";
import { getPrisma } from "@/core/db/client";
import { etlOverdue, getLastEtlRun } from "@/core/db/etlRuns";
import { getQuarantineSummary } from "@/core/db/quarantine";
import { logger } from "@/core/logging/logger";
import { consumerGroupLags, consumerGroups } from "./consumerLag";
import {
  checkDependencies,
  CHECK_TIMEOUT_MS,
  DEPENDENCIES,
  firstLine,
  sharedInFlight,
  withTimeout,
  type DependencyCheck,
  type DependencyChecks,
  type DependencyName,
} from "./dependencies";

/** What anyone may see (docs/api.md, health): whether each dependency is up, nothing more. */
export interface PublicHealth {
  status: "ok" | "unavailable";
  dependencies: Record<DependencyName, "ok" | "down">;
}

interface DetailInputs extends DependencyChecks {
  config: AppConfig;
}

/** Thrown by a section whose data lives in a dependency that is down (reported, not logged). */
class DependencyDownError extends Error {}

function requireUp(inputs: DetailInputs, name: DependencyName): void {
  if (!inputs.checks[name].ok) throw new DependencyDownError(`${name} is down`);
}

/** A section read from PostgreSQL: when PostgreSQL is down it says so without trying a query. */
function fromPostgres<T>(read: (inputs: DetailInputs) => Promise<T>): (inputs: DetailInputs) => Promise<T> {
  return async (inputs) => {
    requireUp(inputs, "postgres");
    return read(inputs);
  };
}

/** The ETL part of the detailed report. A new fact about the ETL is one more line in the object. */
async function etlDetails() {
  const prisma = getPrisma();
  const [run, lastSuccess, firstRun] = await Promise.all([
    getLastEtlRun(),
    prisma.etlRun.findFirst({ where: { status: "succeeded" }, orderBy: { id: "desc" }, select: { finishedAt: true } }),
    prisma.etlRun.findFirst({ orderBy: { id: "asc" }, select: { startedAt: true } }),
  ]);
  const overdue = etlOverdue(lastSuccess?.finishedAt ?? null, firstRun?.startedAt ?? null, getConfig().cron.etl_interval_seconds);
  return {
    overdue: overdue
      ? {
          last_success_at: overdue.lastSuccessAt?.toISOString() ?? null,
          expected_by: overdue.expectedBy.toISOString(),
          message: overdue.message,
        }
      : null,
    last_run: run
      ? {
          id: run.id,
          status: run.status,
          trigger: run.trigger,
          started_at: run.startedAt.toISOString(),
          finished_at: run.finishedAt?.toISOString() ?? null,
          events_read: run.eventsRead,
          rows_written: run.rowsWritten,
          quarantined: run.quarantined,
          error: run.error,
        }
      : null,
  };
}

/**
 * The sections of the detailed report after the dependency checks, computed in parallel, each
 * within CHECK_TIMEOUT_MS; a section that fails reads {"error": "…"} and the others still show.
 * A new section is one more entry here, and its type joins HealthDetails by itself.
 */
const detailSections = {
  consumer_groups: (inputs: DetailInputs) => consumerGroupLags(inputs.admin, consumerGroups(inputs.config)),
  etl: fromPostgres(etlDetails),
} satisfies Record<string, (inputs: DetailInputs) => Promise<unknown>>;

type Sections = typeof detailSections;
type SectionValue<K extends keyof Sections> = Awaited<ReturnType<Sections[K]>> | { error: string };

/** For a session or a `read` key: the public part plus latencies, consumer lags and the ETL. */
export type HealthDetails = PublicHealth & {
  checked_at: string;
  checks: Record<DependencyName, DependencyCheck>;
} & { [K in keyof Sections]: SectionValue<K> };

/** The sites whose set-aside lines a reader may see: theirs (a member, a site's key) or all (an admin). */
export type SiteScope = { sites: "all" } | { sites: readonly string[] };

/**
 * What the ETL set aside instead of stopping (docs/etl.md, "Quarantine"): counts and the latest
 * few, of the sites the reader may see only, since the excerpts are those sites' events.
 */
export async function quarantineSection(scope: SiteScope): Promise<Awaited<ReturnType<typeof getQuarantineSummary>> | { error: string }> {
  try {
    const options = scope.sites === "all" ? { recent: 5 } : { recent: 5, siteIds: scope.sites };
    return await withTimeout(getQuarantineSummary(options), CHECK_TIMEOUT_MS);
  } catch (err) {
    logger.warn({ err, section: "quarantine" }, "health detail failed");
    return { error: firstLine(err) };
  }
}

function publicPart(checks: DependencyChecks["checks"]): PublicHealth {
  const dependencies = Object.fromEntries(
    DEPENDENCIES.map((name) => [name, checks[name].ok ? "ok" : "down"]),
  ) as PublicHealth["dependencies"];
  return { status: DEPENDENCIES.every((name) => checks[name].ok) ? "ok" : "unavailable", dependencies };
}

async function runSection<K extends keyof Sections>(name: K, inputs: DetailInputs): Promise<SectionValue<K>> {
  try {
    const build = detailSections[name] as (inputs: DetailInputs) => Promise<Awaited<ReturnType<Sections[K]>>>;
    return await withTimeout(build(inputs), CHECK_TIMEOUT_MS);
  } catch (err) {
    if (!(err instanceof DependencyDownError)) logger.warn({ err, section: name }, "health detail failed");
    return { error: firstLine(err) };
  }
}

/** 200 when every dependency answers, 503 otherwise; the body says only which one is down. */
export async function publicHealth(): Promise<PublicHealth> {
  return publicPart((await checkDependencies()).checks);
}

async function computeDetails(): Promise<HealthDetails> {
  const deps = await checkDependencies();
  const inputs: DetailInputs = { ...deps, config: getConfig() };
  const names = Object.keys(detailSections) as Array<keyof Sections>;
  const values = await Promise.all(names.map((name) => runSection(name, inputs)));
  const sections = Object.fromEntries(names.map((name, i) => [name, values[i]])) as { [K in keyof Sections]: SectionValue<K> };
  return { ...publicPart(deps.checks), checked_at: new Date().toISOString(), checks: deps.checks, ...sections };
}

/** The detailed report; concurrent callers share one round of checks. */
export const detailedHealth = sharedInFlight(computeDetails);
