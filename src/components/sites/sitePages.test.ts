import { describe, expect, it } from "vitest";
import { pagesFor, sitePathOf, switchHref } from "./sitePages";

const A = "11111111-1111-4111-8111-111111111111";
const B = "22222222-2222-4222-8222-222222222222";

describe("site pages", () => {
  it("reads the site and sub-page from the path", () => {
    expect(sitePathOf(`/s/${A}`)).toEqual({ siteId: A, page: "" });
    expect(sitePathOf(`/s/${A}/keys`)).toEqual({ siteId: A, page: "/keys" });
    expect(sitePathOf(`/s/${A}/members/`)).toEqual({ siteId: A, page: "/members" });
    expect(sitePathOf("/sites")).toBeNull();
  });

  it("keeps the sub-page when switching only where the user may see it", () => {
    expect(switchHref(`/s/${A}/settings`, { id: B, access: "editor" })).toBe(`/s/${B}/settings`);
    expect(switchHref(`/s/${A}/settings`, { id: B, access: "viewer" })).toBe(`/s/${B}`);
    expect(switchHref(`/s/${A}/members`, { id: B, access: "editor" })).toBe(`/s/${B}`);
    expect(switchHref(`/s/${A}/members`, { id: B, access: "admin" })).toBe(`/s/${B}/members`);
    expect(switchHref("/sites", { id: B, access: "admin" })).toBe(`/s/${B}`);
  });

  it("lists the pages each role may open", () => {
    expect(pagesFor("viewer").map((p) => p.label)).toEqual(["Dashboard", "Live", "Alerts"]);
    expect(pagesFor("editor").map((p) => p.label)).toEqual(["Dashboard", "Live", "Alerts", "API keys", "Settings"]);
    expect(pagesFor("admin").map((p) => p.label)).toEqual(["Dashboard", "Live", "Alerts", "API keys", "Settings", "Members"]);
  });
});
