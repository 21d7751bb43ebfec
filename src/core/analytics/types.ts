/** The analytics report of docs/metrics.md, returned by GET /api/analytics and by the dashboard's tRPC procedures. */
export interface DateRange {
  /** Inclusive, YYYY-MM-DD (UTC). */
  from: string;
  /** Inclusive, YYYY-MM-DD (UTC). */
  to: string;
}

export interface Summary {
  sessions: number;
  users: number;
  avg_duration_seconds: number;
  page_views: number;
}

export interface SessionMetricsRow {
  date: string;
  total_sessions: number;
  unique_users: number;
  avg_duration_seconds: number;
  avg_page_views: number;
  total_page_views: number;
  bounce_rate: number;
}

export interface PageEngagementRow {
  page_path: string;
  total_visits: number;
  unique_users: number;
  total_time_spent_seconds: number;
  /** null when no visit of the page in the range has a time. */
  avg_time_spent_seconds: number | null;
}

export interface ClickThroughRow {
  page_path: string;
  button_id: string;
  clicks: number;
  views: number;
  /** null when the page had no views in the range. */
  ctr: number | null;
}

/** A filter as the API writes it: [dimension, operator, value] (docs/dimensions.md). */
export type FilterTriple = [string, string, string];

export interface AnalyticsReport {
  range: DateRange;
  /** The filters applied, when any. */
  filters?: FilterTriple[];
  summary: Summary;
  session_metrics: SessionMetricsRow[];
  page_engagement: PageEngagementRow[];
  click_through_rates: ClickThroughRow[];
}

/** One value of a dimension (docs/api.md, breakdown). */
export interface BreakdownRow {
  value: string;
  sessions: number;
  users: number;
  /** Page views of those sessions; for the page dimension, views of that page. */
  page_views: number;
  bounce_rate: number;
  avg_duration_seconds: number;
  /** Custom events of that type (the event dimension only). */
  events?: number;
}

export interface BreakdownReport {
  range: DateRange;
  dimension: string;
  filters?: FilterTriple[];
  rows: BreakdownRow[];
}
