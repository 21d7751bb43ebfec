import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./redirect";

const BASE = "http://localhost:3000";

describe("safeRedirectPath", () => {
  it.each([
    ["/keys", "/keys"],
    ["/?period=30d", "/?period=30d"],
    ["/keys?x=1#top", "/keys?x=1#top"],
    ["keys", "/keys"],
    ["http://localhost:3000/keys", "/keys"],
    ["HTTP://LOCALHOST:3000/keys", "/keys"],
    ["/%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["%2F%2Fevil.example", "/%2F%2Fevil.example"],
    ["/%09/evil.example", "/%09/evil.example"],
    ["/a\\b", "/a/b"],
  ])("keeps the same-origin %j as %j", (value, expected) => {
    expect(safeRedirectPath(value, BASE)).toBe(expected);
  });

  it.each([
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "//evil.example",
    "///evil.example",
    "/.//evil.example",
    "https://evil.example",
    "http://evil.example",
    "https:evil.example",
    "http://localhost:3001/keys",
    "https://localhost:3000/keys",
    "http://localhost.evil.example:3000/",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/keys\u0000",
    "/keys\u007f",
    "/keys\u0085",
    "http://[::1",
    "",
    "/".repeat(3000),
  ])("sends %j to the dashboard", (value) => {
    expect(safeRedirectPath(value, BASE)).toBe("/");
  });

  it("takes the first of repeated parameters and refuses what is not text", () => {
    expect(safeRedirectPath(["/keys", "//evil.example"], BASE)).toBe("/keys");
    expect(safeRedirectPath(["//evil.example", "/keys"], BASE)).toBe("/");
    expect(safeRedirectPath(undefined, BASE)).toBe("/");
    expect(safeRedirectPath(42, BASE)).toBe("/");
    expect(safeRedirectPath({ toString: () => "/keys" }, BASE)).toBe("/");
  });

  it("compares against the given origin, whatever it is", () => {
    expect(safeRedirectPath("https://pulse.example.com/keys", "https://pulse.example.com")).toBe("/keys");
    expect(safeRedirectPath("http://pulse.example.com/keys", "https://pulse.example.com")).toBe("/");
    expect(safeRedirectPath("/keys", "not a url")).toBe("/");
  });
});
