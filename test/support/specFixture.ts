/**
 * A small, hand-computed docs/metrics.md scenario (answers beside each event), shared by the ETL
 * fixture test and the end-to-end test that sends the same events through the API.
 */
import type { StoredEvent } from "../../src/core/events";
import { storedEvent } from "./etl";

export const D1 = "2026-03-10";
export const D2 = "2026-03-11";
export const at = (date: string, time: string): string => `${date}T${time}.000Z`;

const clickA = storedEvent(at(D1, "10:03:00"), {
  event_type: "button_clicked",
  user_id: "u1",
  session_id: "A",
  page_path: "/home",
  button_id: "signup_btn",
});
const visitC = storedEvent(at(D1, "12:00:00"), { event_type: "page_visited", user_id: "u1", session_id: "C", page_path: "/home" });

export const firstBatch: StoredEvent[] = [
  // Session A (u1): 7 min, 2 page views. /home 10:01→10:04 (next page_visited) = 180 s; /pricing 10:04→10:06 (page_closed) = 120 s.
  storedEvent(at(D1, "10:00:00"), { event_type: "session_created", user_id: "u1", session_id: "A" }),
  storedEvent(at(D1, "10:01:00"), { event_type: "page_visited", user_id: "u1", session_id: "A", page_path: "/home" }),
  clickA,
  storedEvent(at(D1, "10:04:00"), { event_type: "page_visited", user_id: "u1", session_id: "A", page_path: "/pricing" }),
  storedEvent(at(D1, "10:06:00"), { event_type: "page_closed", user_id: "u1", session_id: "A", page_path: "/pricing" }),
  storedEvent(at(D1, "10:07:00"), { event_type: "session_ended", user_id: "u1", session_id: "A" }),
  // Session B (u2), no session_ended: ends at its latest event 11:55 → 3300 s, 2 page views.
  // /home 11:00:30→11:50 = 2970 s, capped at 1800 s; /docs has no ending event → no time.
  storedEvent(at(D1, "11:00:00"), { event_type: "session_created", user_id: "u2", session_id: "B" }),
  storedEvent(at(D1, "11:00:30"), { event_type: "page_visited", user_id: "u2", session_id: "B", page_path: "/home" }),
  storedEvent(at(D1, "11:50:00"), { event_type: "page_visited", user_id: "u2", session_id: "B", page_path: "/docs" }),
  // A click without page_path counts under page_path ''.
  storedEvent(at(D1, "11:55:00"), { event_type: "button_clicked", user_id: "u2", session_id: "B", button_id: "chat" }),
  // Session C (u1): a bounce (1 page view), 45 s; its page_visited arrives twice with one event_id.
  visitC,
  { ...visitC },
  storedEvent(at(D1, "12:00:45"), { event_type: "page_closed", user_id: "u1", session_id: "C", page_path: "/home" }),
  // D2 has views but no clicks. Session D (u1 again): /home 09:00→09:10 (session_ended) = 600 s.
  storedEvent(at(D2, "09:00:00"), { event_type: "page_visited", user_id: "u1", session_id: "D", page_path: "/home" }),
  storedEvent(at(D2, "09:10:00"), { event_type: "session_ended", user_id: "u1", session_id: "D" }),
];

// Arrives a day late, after the first pass.
export const lateBatch: StoredEvent[] = [
  // New session E (u4) on D1: /pricing 20:00→20:05 (session_ended) = 300 s, 1 page view.
  storedEvent(at(D1, "20:00:00"), { event_type: "page_visited", user_id: "u4", session_id: "E", page_path: "/pricing" }),
  storedEvent(at(D1, "20:05:00"), { event_type: "session_ended", user_id: "u4", session_id: "E" }),
  // Late event of known session B: closes /docs at 11:52 → 120 s; B's end stays 11:55.
  storedEvent(at(D1, "11:52:00"), { event_type: "page_closed", user_id: "u2", session_id: "B", page_path: "/docs" }),
  // A retry of A's click with the same event_id: still one click.
  { ...clickA },
];

/** The three tables after firstBatch. */
export const firstBatchTables = {
  session_metrics: [
    // 3 sessions, users u1+u2, (420+3300+45)/3 = 1255, 5/3 = 1.67 views, 1 bounce of 3 = 33.33 %.
    {
      date: D1,
      total_sessions: 3,
      unique_users: 2,
      avg_duration_seconds: 1255,
      avg_page_views: 1.67,
      total_page_views: 5,
      bounce_rate: 33.33,
    },
    { date: D2, total_sessions: 1, unique_users: 1, avg_duration_seconds: 600, avg_page_views: 1, total_page_views: 1, bounce_rate: 100 },
  ],
  page_engagement: [
    { date: D1, page_path: "/docs", total_visits: 1, unique_users: 1, total_time_spent_seconds: 0, avg_time_spent_seconds: null },
    // 180 + 1800 + 45 = 2025 s over 3 timed visits.
    { date: D1, page_path: "/home", total_visits: 3, unique_users: 2, total_time_spent_seconds: 2025, avg_time_spent_seconds: 675 },
    { date: D1, page_path: "/pricing", total_visits: 1, unique_users: 1, total_time_spent_seconds: 120, avg_time_spent_seconds: 120 },
    { date: D2, page_path: "/home", total_visits: 1, unique_users: 1, total_time_spent_seconds: 600, avg_time_spent_seconds: 600 },
  ],
  click_through_rates: [
    { date: D1, page_path: "", button_id: "chat", clicks: 1, views: 0, ctr: null },
    { date: D1, page_path: "/home", button_id: "signup_btn", clicks: 1, views: 3, ctr: 33.33 },
  ],
};

/** GET /api/analytics?from=D1&to=D2 after firstBatch: figures over the whole range. */
export const firstBatchRangeReport = {
  range: { from: D1, to: D2 },
  // Daily unique users add up to 3, but only u1 and u2 visited: 2. (420+3300+45+600)/4 = 1091.25.
  summary: { sessions: 4, users: 2, avg_duration_seconds: 1091.25, page_views: 6 },
  session_metrics: firstBatchTables.session_metrics.map(({ date, ...row }) => ({ date, ...row })),
  page_engagement: [
    // (2025 + 600) / 4 timed visits = 656.25; users u1, u2.
    { page_path: "/home", total_visits: 4, unique_users: 2, total_time_spent_seconds: 2625, avg_time_spent_seconds: 656.25 },
    { page_path: "/docs", total_visits: 1, unique_users: 1, total_time_spent_seconds: 0, avg_time_spent_seconds: null },
    { page_path: "/pricing", total_visits: 1, unique_users: 1, total_time_spent_seconds: 120, avg_time_spent_seconds: 120 },
  ],
  // 1 click over 4 views of /home in the range = 25 %; '' has no views → NULL, listed last.
  click_through_rates: [
    { page_path: "/home", button_id: "signup_btn", clicks: 1, views: 4, ctr: 25 },
    { page_path: "", button_id: "chat", clicks: 1, views: 0, ctr: null },
  ],
};
