import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { snippetFor } from "./snippet";

describe("snippetFor", () => {
  it("is the snippet of docs/collector.md with the origin and key filled in", () => {
    const doc = readFileSync(path.join(__dirname, "../../../docs/collector.md"), "utf8");
    const documented = /## The snippet[\s\S]*?```html\n([\s\S]*?)\n```/.exec(doc)![1]!;
    expect(snippetFor("https://ANALYTICS_HOST", "pk_…")).toBe(documented);
  });
});
