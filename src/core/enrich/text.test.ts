import { describe, expect, it } from "vitest";
import { cleanText, MAX_VALUE_BYTES, truncateUtf8 } from "./text";

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

describe("text rules", () => {
  it("passes plain text through, trimmed; empty is undefined", () => {
    expect(cleanText("spring_sale")).toBe("spring_sale");
    expect(cleanText("  padded \t")).toBe("padded");
    expect(cleanText("")).toBeUndefined();
    expect(cleanText("   ")).toBeUndefined();
    expect(cleanText(undefined)).toBeUndefined();
    expect(cleanText(12)).toBeUndefined();
  });

  it("turns control runs into a space and lone surrogates into U+FFFD", () => {
    expect(cleanText("spring\r\nsale")).toBe("spring sale");
    expect(cleanText("a\u0000b\u007fc\u0085d")).toBe("a b c d");
    expect(cleanText("x\uD800y")).toBe("x\uFFFDy");
    expect(cleanText("x\uDC00")).toBe("x\uFFFD");
    expect(cleanText("ok 😀")).toBe("ok 😀");
    expect(cleanText("\u0000\u0001")).toBeUndefined();
  });

  it("cuts to 256 UTF-8 bytes at a code point boundary", () => {
    const emoji = "😀".repeat(100); // 400 bytes
    const cut = cleanText(emoji)!;
    expect(utf8(cut)).toBeLessThanOrEqual(MAX_VALUE_BYTES);
    expect(cut).toBe("😀".repeat(64));
    const mixed = "a" + "é".repeat(200); // 1 + 400 bytes
    expect(utf8(cleanText(mixed)!)).toBe(255);
    expect(truncateUtf8("abc", 2)).toBe("ab");
    expect(truncateUtf8("€€", 5)).toBe("€");
    // A cut that would split a surrogate pair drops the whole pair.
    expect(truncateUtf8("a😀", 4)).toBe("a");
    expect(cleanText("x".repeat(10_000))).toBe("x".repeat(256));
  });
});
