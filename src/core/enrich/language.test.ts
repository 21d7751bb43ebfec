import { describe, expect, it } from "vitest";
import { enrich } from "./index";
import { primaryLanguage } from "./language";

describe("language", () => {
  it.each([
    ["en-US", "en"],
    ["de", "de"],
    ["EN-gb", "en"],
    ["pt_BR", "pt"],
    ["zh-Hant-TW", "zh"],
    ["fil-PH", "fil"],
    ["de-CH, de;q=0.9, en;q=0.8", "de"],
    ["en;q=0.5, fr;q=0.9, de;q=0.9", "fr"], // the first of the highest weight
    ["fr;q=0, en;q=0.1", "en"], // q=0 is "not acceptable"
    ["*, en;q=0.5", "en"], // the wildcard names no language
    ["en ; q=0.7 , ja ; Q=0.8", "ja"],
    ["x-klingon, i-navajo, en", "en"],
    ["es;q=bad, it;q=0.3", "it"], // a malformed weight drops that entry
  ])("%j → %s", (value, want) => {
    expect(primaryLanguage(value)).toBe(want);
    expect(enrich({ language: value }).language).toBe(want);
  });

  it.each(["*", "", " ", "123", "english", "e", "-US", "q=1", ";q=0.9", "en;q=0", "\u0000en", "ü-DE", "en\uD800"])(
    "%j → omitted",
    (value) => {
      expect(primaryLanguage(value)).toBeUndefined();
      expect(enrich({ language: value }).language).toBeUndefined();
    },
  );

  it("looks at the start of a huge header only", () => {
    expect(primaryLanguage("en," + "x".repeat(1_000_000))).toBe("en");
    expect(primaryLanguage("zz-ZZ;q=0.1,".repeat(10_000) + "de")).toBe("zz");
  });
});
