/** How often every query of the dashboard (report, breakdowns) refetches while the page is open. */
export const REFRESH_INTERVAL_MS = 60_000;
