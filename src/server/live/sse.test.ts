import { describe, expect, it } from "vitest";
import { sse } from "./sse";

describe("SSE messages", () => {
  it("text from an event cannot end a message or start a field: it stays inside one data line", () => {
    const page = "/a\n\nevent: snapshot\ndata: {}\r\nid: 999-0\u2028";
    const message = sse.feed([{ id: "7-1", entry: { event_id: "e", event_type: "page_visited", event_time: "t", page } }]);
    expect(message.split("\n")).toEqual(["id: 7-1", "event: feed", expect.stringMatching(/^data: \[/), "", ""]);
    expect(JSON.parse(message.split("\n")[2]!.slice("data: ".length))[0].entry.page).toBe(page);
  });

  it("a feed message carries the id of its last entry (what a browser resumes from)", () => {
    const entry = { event_id: "e", event_type: "x", event_time: "t" };
    expect(
      sse.feed([
        { id: "1-0", entry },
        { id: "2-0", entry },
      ]),
    ).toMatch(/^id: 2-0\n/);
  });
});
