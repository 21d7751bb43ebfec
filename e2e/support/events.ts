/**
 * The events the dashboard spec sends, and what docs/metrics.md say the dashboard must show for them,
 * computed by hand below (not by the code under test).
 *
 * Recent sessions start 3 hours ago (inside "last 7 days" whatever the time of day); the old one
 * 10 days ago (inside "last 30 days", outside "last 7 days").
 */
import { randomUUID } from "node:crypto";

export const XSS_PAGE = `/<img src=x onerror="window.__pulseXss=1;alert('xss-page')">`;
export const XSS_BUTTON = `<script>window.__pulseXss=1;alert('xss-button')</script>`;

interface E {
  event_type: string;
  user_id: string;
  session_id: string;
  event_id: string;
  event_time: string;
  page_path?: string;
  button_id?: string;
  props?: Record<string, unknown>;
}

export function buildEvents(now = Date.now()) {
  const run = randomUUID().slice(0, 8);
  const events: E[] = [];
  const session = (name: string, user: string, start: number) => {
    const session_id = `${name}-${run}`;
    return (offsetSeconds: number, event_type: string, extra: Partial<E> = {}) =>
      events.push({
        event_type,
        user_id: `${user}-${run}`,
        session_id,
        event_id: randomUUID(),
        event_time: new Date(start + offsetSeconds * 1000).toISOString(),
        ...extra,
      });
  };
  const recent = now - 3 * 3600_000;
  const old = now - 10 * 86_400_000;

  // S1 (u1): 110 s, 2 page views. "/" visit closed by page_closed at +40 → 30 s; "/pricing" closed by session_ended → 60 s.
  const s1 = session("s1", "u1", recent);
  s1(0, "session_created");
  s1(10, "page_visited", { page_path: "/" });
  s1(20, "button_clicked", { page_path: "/", button_id: "signup_btn" });
  s1(40, "page_closed", { page_path: "/" });
  s1(50, "page_visited", { page_path: "/pricing" });
  s1(110, "session_ended");

  // S2 (u2): 90 s, 2 page views. "/" at +0 closed by the next page_visited at +30 → 30 s; "/" at +30 closed by session_ended → 60 s.
  const s2 = session("s2", "u2", recent + 600_000);
  s2(0, "session_created");
  s2(0, "page_visited", { page_path: "/" });
  s2(30, "page_visited", { page_path: "/" });
  s2(35, "button_clicked", { page_path: "/", button_id: "signup_btn" });
  s2(90, "session_ended");

  // S3 (u1 again): no session_ended → ends at its latest event, 5 s; its "/pricing" visit has no end → no time.
  const s3 = session("s3", "u1", recent + 1_200_000);
  s3(0, "session_created");
  s3(5, "page_visited", { page_path: "/pricing" });

  // S4 (u3): markup in page path, button id and props; 20 s; the visit ends with session_ended → 20 s.
  const s4 = session("s4", "u3", recent + 1_800_000);
  s4(0, "session_created");
  s4(0, "page_visited", { page_path: XSS_PAGE });
  s4(3, "button_clicked", { page_path: XSS_PAGE, button_id: XSS_BUTTON, props: { label: "<b onmouseover=alert(1)>hi</b>" } });
  s4(20, "session_ended");

  // S5 (u4), 10 days ago: 50 s, 2 page views. "/pricing" closed by the next page_visited → 20 s; "/docs" by session_ended → 30 s.
  const s5 = session("s5", "u4", old);
  s5(0, "session_created");
  s5(0, "page_visited", { page_path: "/pricing" });
  s5(10, "button_clicked", { page_path: "/pricing", button_id: "start_trial" });
  s5(20, "page_visited", { page_path: "/docs" });
  s5(50, "session_ended");

  return events;
}

/** Last 7 days: S1–S4. */
export const EXPECTED_7D = {
  // 4 sessions; users u1, u2, u3; (110 + 90 + 5 + 20) / 4 = 56.25 s; 2 + 2 + 1 + 1 page views.
  summary: { sessions: "4", users: "3", avgDuration: "56s", avgDurationExact: "56.25", pageViews: "6" },
  pages: [
    // "/": 3 visits (S1 once, S2 twice), users u1 + u2, times 30, 30, 60 → avg 40 s.
    { path: "/", visits: "3", users: "2", avgTime: "40s" },
    // "/pricing": S1 (60 s) and S3 (no time) → 2 visits, 1 user (u1), avg over timed visits 60 s.
    { path: "/pricing", visits: "2", users: "1", avgTime: "1m" },
    { path: XSS_PAGE, visits: "1", users: "1", avgTime: "20s" },
  ],
  clicks: [
    // XSS button: 1 click / 1 view of its page = 100 %; signup_btn: 2 clicks / 3 views of "/" = 66.67 %.
    { button: XSS_BUTTON, page: XSS_PAGE, clicks: "1", views: "1", ctr: "100%" },
    { button: "signup_btn", page: "/", clicks: "2", views: "3", ctr: "66.67%" },
  ],
};

/** Last 30 days: S1–S5. */
export const EXPECTED_30D = {
  // 5 sessions; users u1–u4; (225 + 50) / 5 = 55 s; 6 + 2 page views.
  summary: { sessions: "5", users: "4", avgDuration: "55s", avgDurationExact: "55", pageViews: "8" },
  pages: [
    { path: "/", visits: "3", users: "2", avgTime: "40s" },
    // "/pricing": S1 (60 s), S3 (no time), S5 (20 s) → 3 visits, users u1 + u4, avg (60 + 20) / 2 = 40 s.
    // (Equal visits: docs/metrics.md sorts by total_visits; ties come by page path, so "/" first.)
    { path: "/pricing", visits: "3", users: "2", avgTime: "40s" },
  ],
  clicks: [
    { button: XSS_BUTTON, page: XSS_PAGE, clicks: "1", views: "1", ctr: "100%" },
    { button: "signup_btn", page: "/", clicks: "2", views: "3", ctr: "66.67%" },
    // start_trial: 1 click / 3 views of "/pricing" = 33.33 %.
    { button: "start_trial", page: "/pricing", clicks: "1", views: "3", ctr: "33.33%" },
  ],
};

export const EVENT_COUNT = 22;
