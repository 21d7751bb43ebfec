/**
 * The dimensions of docs/dimensions.md: one entry per dimension, and everything else is derived
 * from this list: the `dims` a stored event may carry (src/core/events/schema.ts), the columns of
 * session_facts and the ETL's copy of them (workers/etl/writeFacts.ts), the filter and breakdown
 * SQL (src/core/dimensions/sql.ts), the API's validation (src/core/dimensions/filters.ts) and the
 * dashboard's panels (src/components/dashboard/breakdowns/).
 *
 * Adding a session dimension: add its entry here (and, when it comes from the request, the field
 * to src/core/enrich), then a migration adding its session_facts column.
 */

/**
 * Where a dimension lives:
 * - "session": one value per session, the first one its events carry (docs/dimensions.md), kept in
 *   a session_facts column; filters narrow the set of sessions.
 * - "page": the page_path of page views (page_visit_facts); a filter keeps the sessions that viewed
 *   a matching page and, in page lists, only the matching pages.
 * - "event": the type of custom events (event_facts); a filter keeps the sessions that sent one.
 */
export type DimensionLevel = "session" | "page" | "event";

/** Which panel and tab of the dashboard shows the dimension. */
export type PanelName = "sources" | "pages" | "locations" | "devices" | "events";

export interface Dimension {
  /** The API's name (`filters`, `breakdown?dimension=`) and, for session dimensions, the session_facts column. */
  readonly name: string;
  readonly label: string;
  readonly level: DimensionLevel;
  /**
   * Where a session dimension's value comes from: a field of the events' `dims` (made at ingest by
   * src/core/enrich), or worked out by the ETL from the session's page views.
   */
  readonly from: "dims" | "entry_page" | "exit_page" | "page_path" | "event_type";
  /** The value stored and shown when it cannot be known: never a dropped row. */
  readonly unknown: string;
  readonly panel: PanelName;
  /** The tab's title within its panel. */
  readonly tab: string;
}

// Generic, so each entry keeps its literal name and `from` (EventDimsName is derived from them).
const dims = <N extends string>(name: N, label: string, panel: PanelName, tab: string, unknown = "unknown") =>
  ({ name, label, level: "session", from: "dims", unknown, panel, tab }) as const;

export const DIMENSIONS = [
  dims("channel", "Channel", "sources", "Channels", "Direct"),
  dims("referrer", "Referrer", "sources", "Referrers", "(none)"),
  dims("utm_source", "UTM source", "sources", "Sources", "(none)"),
  dims("utm_medium", "UTM medium", "sources", "Mediums", "(none)"),
  dims("utm_campaign", "UTM campaign", "sources", "Campaigns", "(none)"),
  dims("utm_term", "UTM term", "sources", "Terms", "(none)"),
  dims("utm_content", "UTM content", "sources", "Contents", "(none)"),
  { name: "page", label: "Page", level: "page", from: "page_path", unknown: "", panel: "pages", tab: "Top pages" },
  { name: "entry_page", label: "Entry page", level: "session", from: "entry_page", unknown: "(none)", panel: "pages", tab: "Entry pages" },
  { name: "exit_page", label: "Exit page", level: "session", from: "exit_page", unknown: "(none)", panel: "pages", tab: "Exit pages" },
  dims("hostname", "Hostname", "pages", "Hostnames"),
  dims("country", "Country", "locations", "Countries"),
  dims("language", "Language", "locations", "Languages"),
  dims("device", "Device", "devices", "Devices"),
  dims("browser", "Browser", "devices", "Browsers"),
  dims("browser_version", "Browser version", "devices", "Versions"),
  dims("os", "Operating system", "devices", "OS"),
  { name: "event", label: "Event", level: "event", from: "event_type", unknown: "", panel: "events", tab: "Custom events" },
] as const satisfies readonly Dimension[];

export type DimensionName = (typeof DIMENSIONS)[number]["name"];

/** The dimensions a stored event's `dims` may carry (made at ingest from the request). */
export type EventDimsName = Extract<(typeof DIMENSIONS)[number], { from: "dims" }>["name"];
export type EventDims = Partial<Record<EventDimsName, string>>;
export const EVENT_DIMS: readonly EventDimsName[] = DIMENSIONS.filter((d) => d.from === "dims").map((d) => d.name as EventDimsName);

/** Session dimensions: a session_facts column each, in this order. */
export type SessionDimensionName = Extract<(typeof DIMENSIONS)[number], { level: "session" }>["name"];
export const SESSION_DIMENSIONS: readonly Dimension[] = DIMENSIONS.filter((d) => d.level === "session");

/** Every value is at most this many bytes of UTF-8 (enrichment truncates; the stored-event schema checks). */
export const MAX_DIMENSION_BYTES = 256;

const byName = new Map<string, Dimension>(DIMENSIONS.map((d) => [d.name, d]));

export function dimensionNamed(name: string): Dimension | undefined {
  return byName.get(name);
}

export function isDimensionName(name: string): name is DimensionName {
  return byName.has(name);
}

/** The panels in the order the dashboard shows them, each with its tabs' dimensions. */
export const PANELS: readonly { name: PanelName; title: string; dimensions: readonly Dimension[] }[] = (
  [
    ["sources", "Sources"],
    ["pages", "Pages"],
    ["locations", "Locations"],
    ["devices", "Devices"],
    ["events", "Events"],
  ] as const
).map(([name, title]) => ({ name, title, dimensions: DIMENSIONS.filter((d) => d.panel === name) }));
