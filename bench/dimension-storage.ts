/**
 * npm run bench:storage -- <database url>   (tsx bench/dimension-storage.ts)
 *
 * The measurement behind README "Storage of dimensions": on a database filled by
 * `npm run bench:dashboard -- --keep` (its session_facts hold the session dimensions as text
 * columns, as Pulse stores them), it builds two alternatives beside them and times the same
 * questions over 90 days on each, uncached in Pulse's sense (PostgreSQL's buffer cache is warm for
 * all three alike):
 *   - "wide text": session_facts as it is (one text column per dimension, the (site_id, date) index);
 *   - "dictionary ids": the same rows with each dimension as an int4 id into a per-dimension
 *     dictionary (what ClickHouse's LowCardinality or a star schema does);
 *   - "daily rollups": one row per (site, date, channel, device) with sessions and users per day,
 *     the per-dimension pre-aggregation peers use. It answers only the pairs it was built for, and
 *     its users over a range are a sum of daily distinct counts, which overcounts: the bench prints
 *     by how much.
 * Prints p50/p95 per question and the size of each table with its indexes. Drops what it built.
 */
import pg from "pg";

const url = process.argv[2] ?? process.env.DATABASE_URL;
if (!url) {
  console.error("usage: tsx bench/dimension-storage.ts <database url of a bench:dashboard --keep database>");
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const DIMS = ["channel", "referrer", "utm_source", "utm_medium", "utm_campaign", "country", "device", "browser", "os"] as const;
// Kept as text in the copy too (high-cardinality or rarely filtered), so both tables hold the same rows and fields.
const OTHER_TEXT = ["utm_term", "utm_content", "entry_page", "exit_page", "hostname", "language", "browser_version"];

const client = new pg.Client({ connectionString: url });
await client.connect();

async function timeQuery(sql: string, params: unknown[]): Promise<{ p50: number; p95: number; rows: unknown[] }> {
  let rows: unknown[] = [];
  for (let i = 0; i < 3; i++) await client.query(sql, params); // warm-up: plans and buffers
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    rows = (await client.query(sql, params)).rows;
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), rows };
}

const size = async (table: string) =>
  Number((await client.query<{ b: string }>(`SELECT pg_total_relation_size($1::regclass) AS b`, [table])).rows[0]!.b) / 1024 / 1024;

try {
  const { rows: ranges } = await client.query<{ site_id: string; from: string; to: string; sessions: string }>(
    `SELECT site_id, (max(date) - 89)::text AS from, max(date)::text AS to, count(*) AS sessions
       FROM session_facts GROUP BY site_id ORDER BY count(*) DESC LIMIT 1`,
  );
  const { site_id: siteId, from, to, sessions } = ranges[0]!;
  const top = async (dim: string) =>
    (await client.query<{ v: string }>(`SELECT ${dim} AS v FROM session_facts GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).rows[0]!.v;
  const [channel, device] = [await top("channel"), await top("device")];
  console.log(
    `site ${siteId}: ${Number(sessions).toLocaleString()} sessions; 90 days ${from} … ${to}; filters channel = ${channel}, device = ${device}`,
  );

  // Dictionary ids: one dictionary per dimension, and a copy of session_facts with ids.
  console.log("building the dictionary-encoded copy and the daily rollup ...");
  for (const d of DIMS) {
    await client.query(`DROP TABLE IF EXISTS bench_dict_${d}`);
    await client.query(
      `CREATE TABLE bench_dict_${d} AS SELECT (row_number() OVER (ORDER BY v))::int AS id, v FROM (SELECT DISTINCT ${d} AS v FROM session_facts) s`,
    );
    await client.query(`CREATE UNIQUE INDEX ON bench_dict_${d} (v)`);
  }
  await client.query("DROP TABLE IF EXISTS bench_sf_ids");
  await client.query(
    `CREATE TABLE bench_sf_ids AS SELECT f.site_id, f.session_id, f.user_id, f.date, f.start_time, f.end_time, f.duration_ms,
       f.page_views, f.last_event_at, f.event_hours, ${DIMS.map((d) => `(SELECT id FROM bench_dict_${d} x WHERE x.v = f.${d}) AS ${d}`).join(", ")},
       ${OTHER_TEXT.join(", ")}
       FROM session_facts f`,
  );
  await client.query("ALTER TABLE bench_sf_ids ADD PRIMARY KEY (site_id, session_id)");
  await client.query("CREATE INDEX ON bench_sf_ids (site_id, date)");
  await client.query("DROP TABLE IF EXISTS bench_rollup");
  await client.query(
    `CREATE TABLE bench_rollup AS SELECT site_id, date, channel, device, count(*)::int AS sessions, count(DISTINCT user_id)::int AS users,
       sum(page_views)::int AS page_views, count(*) FILTER (WHERE page_views <= 1)::int AS bounces
       FROM session_facts GROUP BY 1, 2, 3, 4`,
  );
  await client.query("CREATE INDEX ON bench_rollup (site_id, date)");
  await client.query("ANALYZE bench_sf_ids; ANALYZE bench_rollup; ANALYZE session_facts");

  const summary = (table: string, where: string) =>
    `SELECT count(*)::int AS sessions, count(DISTINCT user_id)::int AS users, sum(page_views)::int AS page_views,
            round(100.0 * count(*) FILTER (WHERE page_views <= 1) / nullif(count(*), 0), 2) AS bounce_rate
       FROM ${table} f WHERE f.site_id = $1::uuid AND f.date BETWEEN $2::date AND $3::date AND ${where}`;
  const questions: Array<[string, string, string, unknown[]]> = [
    [
      "summary, two filters",
      "wide text",
      summary("session_facts", "f.channel = $4 AND f.device = $5"),
      [siteId, from, to, channel, device],
    ],
    [
      "summary, two filters",
      "dictionary ids",
      summary(
        "bench_sf_ids",
        "f.channel = (SELECT id FROM bench_dict_channel WHERE v = $4) AND f.device = (SELECT id FROM bench_dict_device WHERE v = $5)",
      ),
      [siteId, from, to, channel, device],
    ],
    [
      "summary, two filters",
      "daily rollups",
      `SELECT sum(sessions)::int AS sessions, sum(users)::int AS users, sum(page_views)::int AS page_views,
              round(100.0 * sum(bounces) / nullif(sum(sessions), 0), 2) AS bounce_rate
         FROM bench_rollup WHERE site_id = $1::uuid AND date BETWEEN $2::date AND $3::date AND channel = $4 AND device = $5`,
      [siteId, from, to, channel, device],
    ],
    [
      "country breakdown, two filters",
      "wide text",
      `SELECT country, count(*)::int AS sessions, count(DISTINCT user_id)::int AS users FROM session_facts f
        WHERE f.site_id = $1::uuid AND f.date BETWEEN $2::date AND $3::date AND f.channel = $4 AND f.device = $5
        GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
      [siteId, from, to, channel, device],
    ],
    [
      "country breakdown, two filters",
      "dictionary ids",
      `SELECT d.v AS country, r.sessions, r.users FROM (
         SELECT country, count(*)::int AS sessions, count(DISTINCT user_id)::int AS users FROM bench_sf_ids f
          WHERE f.site_id = $1::uuid AND f.date BETWEEN $2::date AND $3::date
            AND f.channel = (SELECT id FROM bench_dict_channel WHERE v = $4) AND f.device = (SELECT id FROM bench_dict_device WHERE v = $5)
          GROUP BY 1) r JOIN bench_dict_country d ON d.id = r.country ORDER BY 2 DESC, 1 LIMIT 10`,
      [siteId, from, to, channel, device],
    ],
  ];
  console.log(`\n${RUNS} runs each after 3 warm-up; milliseconds`);
  console.log("question                          storage              p50      p95   answer");
  for (const [question, storage, sql, params] of questions) {
    const r = await timeQuery(sql, params);
    console.log(
      `${question.padEnd(33)} ${storage.padEnd(16)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}   ${JSON.stringify(r.rows[0])}`,
    );
  }
  console.log("\nsize with indexes (MB)");
  let dictMb = 0;
  for (const d of DIMS) dictMb += await size(`bench_dict_${d}`);
  console.log(`wide text       session_facts  ${(await size("session_facts")).toFixed(1)}`);
  console.log(
    `dictionary ids  bench_sf_ids   ${(await size("bench_sf_ids")).toFixed(1)} + dictionaries ${dictMb.toFixed(1)} (${DIMS.length} of the dimensions as ids)`,
  );
  console.log(`daily rollups   bench_rollup   ${(await size("bench_rollup")).toFixed(1)} (one pair of dimensions only)`);
} finally {
  for (const d of DIMS) await client.query(`DROP TABLE IF EXISTS bench_dict_${d}`);
  await client.query("DROP TABLE IF EXISTS bench_sf_ids");
  await client.query("DROP TABLE IF EXISTS bench_rollup");
  await client.end();
}
