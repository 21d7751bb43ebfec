import { describe, expect, it } from "vitest";
import { classifyChannel, hostIn } from "./channel";
import { CHANNELS, enrich } from "./index";

const PAGE = "https://shop.example.com/pricing";

function visit(referrer: string | undefined, url: string = PAGE) {
  const { channel, referrer_host, hostname } = enrich({ url, referrer });
  return { channel, referrer_host, hostname };
}

describe("referrers and channels", () => {
  it.each([
    ["https://www.google.com/", "google.com", "Organic Search"],
    ["https://www.google.co.uk/", "google.co.uk", "Organic Search"],
    ["https://www.google.com.au/search?q=pulse", "google.com.au", "Organic Search"],
    ["https://www.bing.com/search?q=pulse", "bing.com", "Organic Search"],
    ["https://duckduckgo.com/", "duckduckgo.com", "Organic Search"],
    ["https://search.yahoo.com/search?p=pulse", "search.yahoo.com", "Organic Search"],
    ["https://yandex.ru/search/?text=pulse", "yandex.ru", "Organic Search"],
    ["https://www.ecosia.org/search?q=pulse", "ecosia.org", "Organic Search"],
    ["https://search.brave.com/search?q=pulse", "search.brave.com", "Organic Search"],
    ["android-app://com.google.android.googlequicksearchbox/", "com.google.android.googlequicksearchbox", "Organic Search"],
    ["https://l.facebook.com/", "l.facebook.com", "Social"],
    ["https://m.facebook.com/", "m.facebook.com", "Social"],
    ["https://t.co/abc123", "t.co", "Social"],
    ["https://news.ycombinator.com/item?id=1", "news.ycombinator.com", "Social"],
    ["https://www.reddit.com/r/selfhosted/", "reddit.com", "Social"],
    ["https://bsky.app/profile/someone", "bsky.app", "Social"],
    ["https://www.pinterest.co.uk/pin/1/", "pinterest.co.uk", "Social"],
    ["https://mail.google.com/", "mail.google.com", "Email"],
    ["https://outlook.live.com/", "outlook.live.com", "Email"],
    ["android-app://com.google.android.gm/", "com.google.android.gm", "Email"],
    ["https://blog.example.org/2024/analytics", "blog.example.org", "Referral"],
    // Google's other sites are not its search engine.
    ["https://docs.google.com/document/d/1", "docs.google.com", "Referral"],
    ["https://Blog.Example.ORG:8443/post", "blog.example.org", "Referral"],
  ])("%s → %s, %s", (referrer, host, channel) => {
    expect(visit(referrer)).toEqual({ channel, referrer_host: host, hostname: "shop.example.com" });
  });

  it("no referrer → Direct", () => {
    expect(visit(undefined)).toEqual({ channel: "Direct", referrer_host: undefined, hostname: "shop.example.com" });
    expect(visit("")).toEqual({ channel: "Direct", referrer_host: undefined, hostname: "shop.example.com" });
  });

  it("a referrer on the page's own host → Direct, no referrer_host", () => {
    expect(visit("https://shop.example.com/")).toEqual({ channel: "Direct", referrer_host: undefined, hostname: "shop.example.com" });
    // www. or not, either side, is the same site.
    expect(visit("https://www.example.com/a", "https://example.com/b").referrer_host).toBeUndefined();
    expect(visit("https://example.com/a", "https://WWW.Example.com:8080/b")).toEqual({
      channel: "Direct",
      referrer_host: undefined,
      hostname: "www.example.com",
    });
    // A sibling subdomain is another site.
    expect(visit("https://blog.example.com/", PAGE)).toMatchObject({ channel: "Referral", referrer_host: "blog.example.com" });
  });

  it("an unparseable referrer is omitted", () => {
    expect(visit("not a url")).toEqual({ channel: "Direct", referrer_host: undefined, hostname: "shop.example.com" });
  });
});

describe("campaign parameters and channels", () => {
  it("a newsletter link with utm_medium=email → Email", () => {
    const e = enrich({
      url: "https://example.com/launch?utm_source=weekly&utm_medium=email&utm_campaign=spring_launch&utm_content=header%20link",
    });
    expect(e).toEqual({
      hostname: "example.com",
      channel: "Email",
      utm_source: "weekly",
      utm_medium: "email",
      utm_campaign: "spring_launch",
      utm_content: "header link",
    });
  });

  it("utm_source=newsletter → Email; utm_medium=e-mail → Email", () => {
    expect(enrich({ url: "https://example.com/?utm_source=newsletter" }).channel).toBe("Email");
    expect(enrich({ url: "https://example.com/?utm_medium=E-Mail" }).channel).toBe("Email");
  });

  it("a paid campaign (utm_medium=cpc) → Paid, even from a search referrer", () => {
    const e = enrich({
      url: "https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=web+analytics",
      referrer: "https://www.google.com/",
    });
    expect(e).toEqual({
      hostname: "example.com",
      referrer_host: "google.com",
      channel: "Paid",
      utm_source: "google",
      utm_medium: "cpc",
      utm_campaign: "brand",
      utm_term: "web analytics",
    });
  });

  it.each(["ppc", "paid_social", "paidsearch", "paid-search", "display", "cpm", "banner", "affiliate", "PAID"])(
    "utm_medium=%s → Paid",
    (medium) => {
      expect(enrich({ url: `https://example.com/?utm_medium=${medium}` }).channel).toBe("Paid");
    },
  );

  it("a gclid, msclkid or dclid URL → Paid; an fbclid one is not", () => {
    expect(enrich({ url: "https://example.com/?gclid=Cj0KCQiA", referrer: "https://www.google.com/" }).channel).toBe("Paid");
    expect(enrich({ url: "https://example.com/?msclkid=abc", referrer: "https://www.bing.com/" }).channel).toBe("Paid");
    expect(enrich({ url: "https://example.com/?dclid=abc" }).channel).toBe("Paid");
    expect(enrich({ url: "https://example.com/?gclid=" }).channel).toBe("Direct");
    // Facebook adds fbclid to organic links too.
    expect(enrich({ url: "https://example.com/?fbclid=IwAR0abc", referrer: "https://l.facebook.com/" }).channel).toBe("Social");
    expect(enrich({ url: "https://example.com/?fbclid=IwAR0abc" }).channel).toBe("Direct");
  });

  it("utm_medium=social, or a social utm_source → Social", () => {
    expect(enrich({ url: "https://example.com/?utm_source=mastodon&utm_medium=social" }).channel).toBe("Social");
    expect(enrich({ url: "https://example.com/?utm_medium=sm" }).channel).toBe("Social");
    expect(enrich({ url: "https://example.com/?utm_source=linkedin" }).channel).toBe("Social");
    expect(enrich({ url: "https://example.com/?utm_source=l.facebook.com" }).channel).toBe("Social");
  });

  it("a utm_source with no referrer → Referral (unless it names a known kind of site)", () => {
    expect(enrich({ url: "https://example.com/?utm_source=partner-site" })).toMatchObject({
      channel: "Referral",
      utm_source: "partner-site",
    });
    expect(enrich({ url: "https://example.com/?utm_source=duckduckgo" }).channel).toBe("Organic Search");
  });

  it("UTM values are trimmed; empty ones are omitted; keys match in any case", () => {
    const e = enrich({ url: "https://example.com/?utm_source=%20%20news%20&utm_medium=&utm_campaign=%20&UTM_Term=x" });
    expect(e).toEqual({ hostname: "example.com", channel: "Referral", utm_source: "news", utm_term: "x" });
  });

  it("precedence is Paid, Email, Social, Organic Search, Referral, Direct", () => {
    expect(classifyChannel({ utmMedium: "cpc", referrerHost: "mail.google.com" })).toBe("Paid");
    expect(classifyChannel({ utmMedium: "social", referrerHost: "mail.google.com" })).toBe("Email");
    expect(classifyChannel({ utmMedium: "social", referrerHost: "google.com" })).toBe("Social");
    expect(classifyChannel({ referrerHost: "google.com" })).toBe("Organic Search");
    expect(classifyChannel({ referrerHost: "blog.example.org" })).toBe("Referral");
    expect(classifyChannel({})).toBe("Direct");
    expect(CHANNELS).toEqual(["Direct", "Organic Search", "Paid", "Social", "Email", "Referral"]);
  });

  it("matches a host by itself or a parent domain, never by a look-alike", () => {
    const set = new Set(["facebook.com"]);
    expect(hostIn("facebook.com", set)).toBe(true);
    expect(hostIn("lm.facebook.com", set)).toBe(true);
    expect(hostIn("notfacebook.com", set)).toBe(false);
    expect(hostIn("facebook.com.evil.example", set)).toBe(false);
  });
});

describe("hostname", () => {
  it("is the lowercased host without port or trailing dot", () => {
    expect(enrich({ url: "HTTPS://Shop.Example.COM:8443/path?q=1#x" }).hostname).toBe("shop.example.com");
    expect(enrich({ url: "https://example.com./" }).hostname).toBe("example.com");
    expect(enrich({ url: "https://bücher.example/" }).hostname).toBe("xn--bcher-kva.example");
  });

  it("is omitted for a URL that is not one", () => {
    expect(enrich({ url: "/relative/path" })).toEqual({ channel: "Direct" });
    expect(enrich({ url: "http://" })).toEqual({ channel: "Direct" });
  });
});
