import { describe, expect, it } from "vitest";
import { fixtureEvents } from "./fixtures";
import { summarizeSession, VISIT_TIME_CAP_MS } from "./session";

const BASE = "2026-03-10T10:00:00.000Z";

describe("summarizeSession (docs/metrics.md, hand-computed)", () => {
  it("a session without session_ended ends at its latest event", () => {
    const facts = summarizeSession(
      "s1",
      fixtureEvents(BASE, "u1", [
        [0, "session_created"],
        [1, "page_visited", "/home"],
        [4, "button_clicked", "/home", "signup"],
        [7, "page_visited", "/pricing"],
      ]),
    );
    expect(facts.startTime).toBe(Date.parse(BASE));
    expect(facts.durationMs).toBe(7 * 60_000);
    expect(facts.pageViews).toBe(2);
    expect(facts.date).toBe("2026-03-10");
    expect(facts.userId).toBe("u1");
  });

  it("session_ended sets the end even when a later event exists", () => {
    const facts = summarizeSession(
      "s1",
      fixtureEvents(BASE, "u1", [
        [0, "session_created"],
        [2, "session_ended"],
        [9, "custom.ping"],
      ]),
    );
    expect(facts.durationMs).toBe(2 * 60_000);
    expect(facts.lastEventTime).toBe(Date.parse(BASE) + 9 * 60_000);
  });

  it("a visit is closed by the next page_visited, by its page_closed, or by session_ended", () => {
    const facts = summarizeSession(
      "s1",
      fixtureEvents(BASE, "u1", [
        [0, "page_visited", "/a"], // closed by next page_visited at 3 -> 180 s
        [1, "page_closed", "/b"], // another page's close does not end /a
        [3, "page_visited", "/b"], // closed by page_closed /b at 5 -> 120 s
        [5, "page_closed", "/b"],
        [6, "page_visited", "/a"], // closed by session_ended at 10 -> 240 s
        [8, "button_clicked", "/a", "buy"], // a click does not end a visit
        [10, "session_ended"],
      ]),
    );
    const byPage = Object.fromEntries(facts.visits.map((v) => [v.pagePath, v]));
    expect(byPage["/a"]).toEqual({ date: "2026-03-10", pagePath: "/a", visits: 2, timedVisits: 2, timeSpentMs: 420_000 });
    expect(byPage["/b"]).toEqual({ date: "2026-03-10", pagePath: "/b", visits: 1, timedVisits: 1, timeSpentMs: 120_000 });
    expect(facts.pageViews).toBe(3);
  });

  it("a visit over 30 minutes counts 1800 s", () => {
    const facts = summarizeSession(
      "s1",
      fixtureEvents(BASE, "u1", [
        [0, "page_visited", "/docs"],
        [45, "page_closed", "/docs"],
      ]),
    );
    expect(facts.visits).toEqual([{ date: "2026-03-10", pagePath: "/docs", visits: 1, timedVisits: 1, timeSpentMs: VISIT_TIME_CAP_MS }]);
    expect(facts.durationMs).toBe(45 * 60_000); // the session itself is not capped
  });

  it("a visit with no ending event has no time and is left out of the timed count", () => {
    const facts = summarizeSession(
      "s1",
      fixtureEvents(BASE, "u1", [
        [0, "page_visited", "/a"],
        [2, "page_closed", "/a"],
        [3, "page_visited", "/a"],
        [4, "button_clicked", "/a", "x"],
      ]),
    );
    expect(facts.visits).toEqual([{ date: "2026-03-10", pagePath: "/a", visits: 2, timedVisits: 1, timeSpentMs: 120_000 }]);
  });

  it("a click without page_path counts under ''", () => {
    const facts = summarizeSession(
      "s1",
      fixtureEvents(BASE, "u1", [
        [0, "button_clicked", undefined, "cta"],
        [1, "button_clicked", "/a", "cta"],
        [2, "button_clicked", undefined, "cta"],
      ]),
    );
    expect([...facts.clicks].sort((a, b) => a.pagePath.localeCompare(b.pagePath))).toEqual([
      { date: "2026-03-10", pagePath: "", buttonId: "cta", clicks: 2 },
      { date: "2026-03-10", pagePath: "/a", buttonId: "cta", clicks: 1 },
    ]);
  });

  it("a duplicated event_id counts once, whatever order the copies arrive in", () => {
    const events = fixtureEvents(BASE, "u1", [
      [0, "session_created"],
      [1, "page_visited", "/a"],
      [2, "button_clicked", "/a", "go"],
    ]);
    const withDuplicates = [events[2]!, ...events, { ...events[1]! }, { ...events[2]! }];
    const facts = summarizeSession("s1", withDuplicates);
    expect(facts.eventCount).toBe(3);
    expect(facts.pageViews).toBe(1);
    expect(facts.clicks).toEqual([{ date: "2026-03-10", pagePath: "/a", buttonId: "go", clicks: 1 }]);
  });

  it("the user is the first event's user and the date is the start's, even across midnight", () => {
    const facts = summarizeSession("s1", [
      ...fixtureEvents("2026-03-10T23:58:00.000Z", "late-user", [[3, "page_visited", "/b"]], "b"),
      ...fixtureEvents("2026-03-10T23:58:00.000Z", "first-user", [
        [0, "session_created"],
        [1, "page_visited", "/a"],
      ]),
    ]);
    expect(facts.userId).toBe("first-user");
    expect(facts.date).toBe("2026-03-10");
    // The visit of /b happened after midnight, so it belongs to the next day.
    expect(facts.visits.map((v) => [v.date, v.pagePath, v.timedVisits])).toEqual([
      ["2026-03-10", "/a", 1],
      ["2026-03-11", "/b", 0],
    ]);
  });

  it("events with the same time are ordered by event_id, so the result does not depend on arrival order", () => {
    const a = fixtureEvents(BASE, "u1", [
      [0, "page_visited", "/a"],
      [1, "page_visited", "/b"],
      [1, "page_closed", "/a"],
    ]);
    const forward = summarizeSession("s", a);
    const backward = summarizeSession("s", [...a].reverse());
    expect(backward).toEqual(forward);
  });
});
