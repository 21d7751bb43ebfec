import { describe, expect, it } from "vitest";
import { CHANNELS, enrich, type Enrichment, type VisitContext } from "./index";

const CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const CONTROL_OR_LONE_SURROGATE = /[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What every result must be, whatever went in. */
function expectWellFormed(result: Enrichment): void {
  expect(CHANNELS).toContain(result.channel);
  for (const [key, value] of Object.entries(result)) {
    expect(typeof value, key).toBe("string");
    expect(value, key).not.toMatch(CONTROL_OR_LONE_SURROGATE);
    expect(Buffer.byteLength(value as string, "utf8"), key).toBeLessThanOrEqual(256);
    expect((value as string).length, key).toBeGreaterThan(0);
  }
  if (result.browser_version !== undefined) expect(result.browser_version).toMatch(/^\d+$/);
  if (result.language !== undefined) expect(result.language).toMatch(/^[a-z]{2,3}$/);
  if (result.country !== undefined) expect(result.country).toMatch(/^[A-Z]{2}$/);
  if (result.device !== undefined) expect(["desktop", "mobile", "tablet"]).toContain(result.device);
}

describe("enrich", () => {
  it("composes every field", () => {
    expect(
      enrich({
        url: "https://www.example.com/pricing?utm_source=weekly&utm_medium=email&utm_campaign=launch",
        referrer: "https://mail.google.com/",
        userAgent: CHROME,
        ip: "193.99.144.80",
        language: "de-DE,de;q=0.9,en;q=0.8",
      }),
    ).toEqual({
      hostname: "www.example.com",
      referrer_host: "mail.google.com",
      channel: "Email",
      utm_source: "weekly",
      utm_medium: "email",
      utm_campaign: "launch",
      browser: "Chrome",
      browser_version: "131",
      os: "Windows",
      device: "desktop",
      language: "de",
      country: "DE",
    });
  });

  it("an empty context is Direct and nothing else", () => {
    expect(enrich({})).toEqual({ channel: "Direct" });
  });
});

describe("hostile input", () => {
  it("ignores a 100 KB user agent", () => {
    const huge = CHROME + " x".repeat(50_000);
    const result = enrich({ userAgent: huge });
    expect(result).toEqual({ channel: "Direct" });
  });

  it("cleans control characters and lone surrogates in UTM values", () => {
    const url = "https://example.com/?utm_source=news%00letter%0D%0A&utm_campaign=a%01b&utm_term=%ED%A0%80x&utm_content=\uD800y\u0007";
    const result = enrich({ url });
    expectWellFormed(result);
    expect(result.utm_source).toBe("news letter");
    expect(result.utm_campaign).toBe("a b");
    // %ED%A0%80 is a surrogate encoded as UTF-8, which is not UTF-8: the decoder makes it U+FFFD.
    expect(result.utm_term).toMatch(/^\uFFFD+x$/);
    expect(result.utm_content).toBe("\uFFFDy");
  });

  it("cleans control characters and lone surrogates in URLs", () => {
    for (const url of [
      "https://exa\u0000mple.com/",
      "https://exa\uD800mple.com/",
      "https://example.com/\u0000\uDFFF?utm_source=\u0001",
      "\u0000https://example.com/",
    ]) {
      expectWellFormed(enrich({ url, referrer: url }));
    }
    expect(enrich({ url: "\t https://example.com/\n" }).hostname).toBe("example.com");
    expect(enrich({ referrer: "https://ref\u0000.example/" }).referrer_host).toBeUndefined();
  });

  it("cuts a 10,000-character utm_campaign to at most 256 bytes", () => {
    const ascii = enrich({ url: `https://example.com/?utm_campaign=${"a".repeat(10_000)}` });
    expect(ascii.utm_campaign).toBe("a".repeat(256));
    const wide = enrich({ url: `https://example.com/?utm_campaign=${encodeURIComponent("ü😀".repeat(2_000))}` });
    expectWellFormed(wide);
    expect(Buffer.byteLength(wide.utm_campaign!, "utf8")).toBeLessThanOrEqual(256);
    expect(Buffer.byteLength(wide.utm_campaign!, "utf8")).toBeGreaterThan(250);
    expect(wide.utm_campaign!.startsWith("ü😀ü😀")).toBe(true);
  });

  it("reads only the first 8 KiB of a URL", () => {
    const long = `https://example.com/?utm_source=partner&pad=${"p".repeat(100_000)}&utm_medium=email`;
    expect(enrich({ url: long, referrer: long })).toEqual({ hostname: "example.com", channel: "Referral", utm_source: "partner" });
    // 8 KiB of UTF-8, not of characters.
    const wide = `https://example.com/?pad=${"é".repeat(4_100)}&utm_source=x`;
    expect(enrich({ url: wide })).toEqual({ hostname: "example.com", channel: "Direct" });
    // A referrer made of 1 MB of garbage is no referrer.
    expect(enrich({ referrer: "%".repeat(1_000_000) })).toEqual({ channel: "Direct" });
  });

  it("never throws, whatever it is given", () => {
    const strings = [
      "",
      " ",
      "\u0000",
      "\uD800",
      "\uDFFF\uD800",
      "😀",
      "x".repeat(100_000),
      "%",
      "%%%",
      "?utm_source=%",
      "https://",
      "https://[::1",
      "https://[::1]:99999/",
      "http://a b.com/",
      "https://user:pass@example.com:8080/p?utm_source=%E0%A4%A&utm_medium=%C0%80#frag",
      "javascript:alert(1)",
      "data:text/html,<script>",
      "android-app://",
      "android-app://COM.Example.App/path",
      "file:///etc/passwd",
      "https://example.com/?" + "utm_source=a&".repeat(2_000),
      "https://" + "a.".repeat(120) + "com/",
      "https://xn--/",
      "https://1.2.3.4/",
      "https://[2001:db8::1]/",
      "::ffff:",
      "::ffff:999.1.1.1",
      "1.2.3.4/24",
      "*",
      "en;q=2",
      ";;;,,,",
      CHROME.replace("Chrome", "Chr\u0000ome"),
      "Mozilla/5.0 (\uD800; \u0000) Foo\uDFFF/1\u0007.0",
      "\u0001\u0002/3 (",
      "Zz".repeat(512),
    ];
    const values: unknown[] = [
      ...strings,
      undefined,
      null,
      0,
      1e308,
      NaN,
      true,
      {},
      [],
      ["a"],
      Symbol("s"),
      () => "x",
      new Date(),
      { toString: () => "https://example.com/" },
    ];
    let calls = 0;
    for (const url of values) {
      for (const other of strings) {
        for (const context of [
          { url, referrer: other, userAgent: other, ip: other, language: other },
          { url: other, referrer: url, userAgent: url, ip: url, language: url },
        ]) {
          const result = enrich(context as unknown as VisitContext);
          expectWellFormed(result);
          calls++;
        }
      }
    }
    for (const context of [
      undefined,
      null,
      42,
      "string",
      [],
      Object.create(null),
      new Proxy(
        {},
        {
          get: () => {
            throw new Error("hostile getter");
          },
        },
      ),
    ]) {
      expect(enrich(context as unknown as VisitContext)).toEqual({ channel: "Direct" });
      calls++;
    }
    expect(calls).toBeGreaterThan(3_000);
  });
});
