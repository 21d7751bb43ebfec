import { describe, expect, it } from "vitest";
import type { Filter } from "@/core/dimensions/filters";
import { filterLabel, flagEmoji, valueLabel, withFilter, withoutFilter } from "./labels";

const f = (dimension: Filter["dimension"], value: string, operator: Filter["operator"] = "is"): Filter => ({ dimension, operator, value });

describe("value labels", () => {
  it("names countries and gives their flag from the ISO code", () => {
    expect(flagEmoji("DE")).toBe("\u{1F1E9}\u{1F1EA}");
    expect(valueLabel("country", "DE")).toEqual({ text: "Germany", flag: "\u{1F1E9}\u{1F1EA}", unknown: false });
    expect(valueLabel("country", "unknown")).toEqual({ text: "Unknown", unknown: true });
    expect(flagEmoji("unknown")).toBeNull();
  });

  it("names languages; anything else is shown as stored", () => {
    expect(valueLabel("language", "en").text).toBe("English");
    expect(valueLabel("language", "not a tag!").text).toBe("not a tag!");
    expect(valueLabel("channel", "Organic Search")).toEqual({ text: "Organic Search", unknown: false });
    expect(valueLabel("referrer", "(none)")).toEqual({ text: "(none)", unknown: true });
    expect(valueLabel("page", "")).toEqual({ text: "(no page)", unknown: true });
    // Markup is a value like any other: React shows it as text.
    expect(valueLabel("page", "/<b>x</b>").text).toBe("/<b>x</b>");
  });

  it("writes a filter as a sentence", () => {
    expect(filterLabel(f("channel", "Organic Search"))).toBe("Channel is Organic Search");
    expect(filterLabel(f("country", "FR", "is_not"))).toBe("Country is not France");
    expect(filterLabel(f("page", "/docs", "contains"))).toBe("Page contains /docs");
  });
});

describe("click-to-filter", () => {
  it("adds a filter for a new dimension and keeps the others", () => {
    expect(withFilter([f("channel", "Direct")], f("device", "mobile"))).toEqual([f("channel", "Direct"), f("device", "mobile")]);
  });

  it("replaces the filters of a dimension already filtered, in place", () => {
    const before = [f("channel", "Direct"), f("device", "mobile"), f("channel", "Paid", "is_not")];
    expect(withFilter(before, f("channel", "Organic Search"))).toEqual([f("channel", "Organic Search"), f("device", "mobile")]);
  });

  it("removes one filter by its place", () => {
    expect(withoutFilter([f("channel", "Direct"), f("device", "mobile")], 0)).toEqual([f("device", "mobile")]);
  });
});
