// @vitest-environment happy-dom
/**
 * The built tracker (scripts/lib/collectorBuild.ts) run in a fresh happy-dom window per test, with
 * sendBeacon / fetch replaced by recorders. Also: public/pulse.js is that build, and is small enough.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Window, type HTMLElement as PageElement } from "happy-dom";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { COLLECTOR_OUTPUT, buildCollector } from "../../scripts/lib/collectorBuild";

const ROOT = path.resolve(import.meta.dirname, "../..");
// The stub exactly as docs/collector.md gives it (a test below checks that it is there).
const STUB =
  "window.pulse=window.pulse||function(){(window.pulse.q=window.pulse.q||[]).push(arguments)};window.pulse.track=window.pulse.track||window.pulse";

type Sent = { key: string; events: { event_type: string; event_id: string; page_path: string; [k: string]: unknown }[] };

let code = "";
beforeAll(async () => {
  code = await buildCollector(ROOT);
});
afterEach(() => {
  vi.useRealTimers();
});

interface Options {
  url?: string;
  attrs?: Record<string, string>;
  referrer?: string;
  /** Runs in the page before the tracker, as a page's own script would. */
  before?: string;
  /** What sendBeacon answers, per call; `null` removes sendBeacon so fetch is used. */
  beacon?: (() => boolean) | null;
  fetch?: (url: string, init: RequestInit) => Promise<{ status: number }>;
  crypto?: Pick<Crypto, "getRandomValues">;
  /** Runs on the new window before anything else. */
  setup?: (win: Window) => void;
}

function load(options: Options = {}) {
  const win = new Window({
    url: options.url ?? "https://shop.example/home",
    settings: { navigation: { disableMainFrameNavigation: true } },
  });
  options.setup?.(win);
  const doc = win.document;
  const script = doc.createElement("script");
  script.setAttribute("src", "https://pulse.example/pulse.js");
  for (const [k, v] of Object.entries({ "data-key": "pk_test", ...options.attrs })) script.setAttribute(k, v);
  Object.defineProperty(doc, "currentScript", { value: script, configurable: true });
  Object.defineProperty(doc, "referrer", { value: options.referrer ?? "", configurable: true });

  const requests: { url: string; body: Sent; via: "beacon" | "fetch"; type?: string }[] = [];
  const beacon = options.beacon === undefined ? () => true : options.beacon;
  Object.defineProperty(win.navigator, "sendBeacon", {
    configurable: true,
    value: beacon
      ? (url: string, body: string) => {
          requests.push({ url, body: JSON.parse(body), via: "beacon" });
          return beacon();
        }
      : undefined,
  });
  const fetchFn = (url: string, init: RequestInit) => {
    requests.push({
      url,
      body: JSON.parse(init.body as string),
      via: "fetch",
      type: (init.headers as Record<string, string>)["content-type"],
    });
    return options.fetch ? options.fetch(url, init) : Promise.resolve({ status: 202 });
  };

  const params = ["window", "document", "location", "history", "navigator", "fetch", "crypto"];
  const args = [win, doc, win.location, win.history, win.navigator, fetchFn, options.crypto ?? globalThis.crypto];
  if (options.before) new Function(...params, options.before)(...args);
  new Function(...params, code)(...args);

  const events = () => requests.flatMap((r) => r.body.events);
  const types = () => events().map((e) => [e.event_type, e.page_path]);
  const $ = (selector: string) => doc.querySelector(selector) as PageElement;
  return { win, doc, $, requests, events, types, pulse: (win as unknown as { pulse: (...a: unknown[]) => void }).pulse };
}

describe("public/pulse.js", () => {
  it("is the build of src/collector/pulse.ts (run npm run build:collector after changing it)", () => {
    expect(readFileSync(path.join(ROOT, COLLECTOR_OUTPUT), "utf8")).toBe(code);
  });

  it("is at most 1536 bytes gzipped (SPEC §8)", () => {
    expect(gzipSync(readFileSync(path.join(ROOT, COLLECTOR_OUTPUT)), { level: 9 }).length).toBeLessThanOrEqual(1536);
  });

  it("names no cookie and no storage", () => {
    expect(code).not.toMatch(/cookie|storage/i);
  });

  it("docs/collector.md gives the stub the tests use", () => {
    expect(readFileSync(path.join(ROOT, "docs/collector.md"), "utf8")).toContain(STUB);
  });
});

describe("the tracker", () => {
  it("sends page_visited on load, with the key, to the script's origin, as text/plain-able JSON", () => {
    const t = load({ url: "https://shop.example/home?q=secret" });
    expect(t.requests).toHaveLength(1);
    const [r] = t.requests;
    expect(r!.url).toBe("https://pulse.example/api/collect");
    expect(r!.body.key).toBe("pk_test");
    // The page's URL without its query: only campaign tags would be kept (q=secret is what a user typed).
    expect(r!.body.events).toEqual([
      { event_type: "page_visited", event_id: expect.any(String), page_path: "/home", context: { url: "https://shop.example/home" } },
    ]);
    expect(r!.body.events[0]!.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("uses data-api, and makes a v4 event_id without crypto.randomUUID", () => {
    const t = load({
      attrs: { "data-api": "https://a.example/c" },
      crypto: { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) },
    });
    expect(t.requests[0]!.url).toBe("https://a.example/c");
    expect(t.events()[0]!.event_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("sends each page's URL, and the referrer of the first page only when it is another host's", () => {
    const t = load({ referrer: "https://search.example/" });
    expect(t.events()[0]!.context).toEqual({ url: t.win.location.href, referrer: "https://search.example/" });
    expect(load({ referrer: "https://shop.example/before" }).events()[0]!.context).toEqual({ url: expect.stringMatching(/\/home/) });
    t.win.history.pushState({}, "", "/pricing?utm_source=news&email=a%40b.example&gclid=G1#top");
    expect(t.events()[2]!.context).toEqual({ url: "https://shop.example/pricing?utm_source=news&gclid=G1" });
  });

  it("on pushState sends page_closed of the old path, then page_visited of the new; a same-path change sends nothing", () => {
    const t = load();
    t.win.history.pushState({}, "", "/pricing");
    t.win.history.replaceState({}, "", "/pricing?tab=2");
    t.win.history.replaceState({}, "", "/pricing#faq");
    t.win.history.replaceState({}, "", "/plans");
    expect(t.types()).toEqual([
      ["page_visited", "/home"],
      ["page_closed", "/home"],
      ["page_visited", "/pricing"],
      ["page_closed", "/pricing"],
      ["page_visited", "/plans"],
    ]);
    expect(t.events()[2]!.context).not.toHaveProperty("referrer");
  });

  it("counts popstate, and hash routes only with data-hash", () => {
    const plain = load();
    plain.win.location.hash = "#/a";
    plain.win.dispatchEvent(new plain.win.Event("hashchange"));
    expect(plain.types()).toEqual([["page_visited", "/home"]]);

    const t = load({ attrs: { "data-hash": "" }, url: "https://shop.example/app#/list" });
    t.win.history.pushState({}, "", "/app#/item");
    t.win.history.pushState({}, "", "/app#/list");
    t.win.dispatchEvent(new t.win.Event("popstate"));
    expect(t.types().map(([type, p]) => `${type} ${p}`)).toEqual([
      "page_visited /app#/list",
      "page_closed /app#/list",
      "page_visited /app#/item",
      "page_closed /app#/item",
      "page_visited /app#/list",
    ]);
  });

  it("sends page_closed once when the page is hidden or left", () => {
    const t = load();
    Object.defineProperty(t.doc, "visibilityState", { value: "hidden", configurable: true });
    t.doc.dispatchEvent(new t.win.Event("visibilitychange"));
    t.win.dispatchEvent(new t.win.Event("pagehide"));
    expect(t.types()).toEqual([
      ["page_visited", "/home"],
      ["page_closed", "/home"],
    ]);
  });

  it("sends button_clicked for a data-pulse-button element and a click inside it", () => {
    const t = load();
    t.doc.body.innerHTML = `<button data-pulse-button="signup">Sign up</button><div data-pulse-button="card"><span><b>x</b></span></div><p>y</p>`;
    t.$("button").click();
    t.$("b").click();
    t.$("p").click();
    const clicks = t.events().filter((e) => e.event_type == "button_clicked");
    expect(clicks.map((e) => [e.button_id, e.page_path])).toEqual([
      ["signup", "/home"],
      ["card", "/home"],
    ]);
  });

  it("sends outbound_click for links to another host (left and middle click), not for own links", () => {
    const t = load();
    t.doc.body.innerHTML = `<a id="out" href="https://other.example/x?y=1"><span>go</span></a><a id="own" href="/about">about</a><a id="mail" href="mailto:a@b.example">m</a>`;
    // happy-dom follows links (and changes location) unless the click is cancelled.
    t.doc.addEventListener("click", (e) => e.preventDefault(), true);
    t.$("#out span").click();
    t.$("#own").click();
    t.$("#mail").click();
    t.$("#out").dispatchEvent(new t.win.MouseEvent("auxclick", { bubbles: true, button: 1 }));
    t.$("#out").dispatchEvent(new t.win.MouseEvent("auxclick", { bubbles: true, button: 2 }));
    const out = t.events().filter((e) => e.event_type == "outbound_click");
    expect(out.map((e) => [e.page_path, e.props])).toEqual([
      ["/home", { url: "https://other.example/x?y=1" }],
      ["/home", { url: "https://other.example/x?y=1" }],
    ]);
  });

  it("sends custom events from pulse.track and pulse(), and the calls queued before it loaded, after the page view", () => {
    const t = load({ before: `${STUB};window.pulse.track("early",{a:1});window.pulse("early_too")` });
    t.pulse("signup", { plan: "pro" });
    (t.pulse as unknown as { track: (...a: unknown[]) => void }).track("upgrade");
    expect(t.events().map((e) => [e.event_type, e.props])).toEqual([
      ["page_visited", undefined],
      ["early", { a: 1 }],
      ["early_too", undefined],
      ["signup", { plan: "pro" }],
      ["upgrade", undefined],
    ]);
  });

  it("sends nothing on localhost, 127.0.0.1 or file: unless data-allow-localhost", () => {
    for (const url of ["http://localhost:3000/", "http://127.0.0.1/x", "http://[::1]:8080/", "file:///tmp/page.html"]) {
      const t = load({ url });
      t.pulse("custom");
      t.win.dispatchEvent(new t.win.Event("pagehide"));
      expect(t.requests, url).toEqual([]);
    }
    expect(load({ url: "http://localhost:3000/", attrs: { "data-allow-localhost": "" } }).types()).toEqual([["page_visited", "/"]]);
    expect(load({ url: "https://localhost.shop.example/" }).types()).toEqual([["page_visited", "/"]]);
  });

  it("sends no event for a path data-exclude matches", () => {
    const t = load({ url: "https://shop.example/admin/users", attrs: { "data-exclude": "/admin*, /p/*/edit" } });
    t.pulse("custom");
    t.win.history.pushState({}, "", "/blog");
    t.win.history.pushState({}, "", "/p/7/edit");
    t.pulse("custom");
    t.win.history.pushState({}, "", "/p/7");
    expect(t.types()).toEqual([
      ["page_visited", "/blog"],
      ["page_closed", "/blog"],
      ["page_visited", "/p/7"],
    ]);
  });

  it("resends a refused beacon with the same event_id, at most 3 tries", () => {
    vi.useFakeTimers();
    const answers = [false, true];
    const t = load({ beacon: () => answers.shift() ?? false });
    expect(t.requests).toHaveLength(1);
    vi.advanceTimersByTime(2000);
    expect(t.requests).toHaveLength(2);
    expect(t.events()[1]!.event_id).toBe(t.events()[0]!.event_id);
    vi.advanceTimersByTime(60_000);
    expect(t.requests).toHaveLength(2);

    const never = load({ beacon: () => false });
    vi.advanceTimersByTime(60_000);
    expect(never.requests).toHaveLength(3);
    expect(new Set(never.events().map((e) => e.event_id)).size).toBe(1);
  });

  it("falls back to fetch (text/plain, keepalive), resending on a network error or 5xx but not on a 4xx", async () => {
    vi.useFakeTimers();
    const answers: (() => Promise<{ status: number }>)[] = [
      () => Promise.reject(new TypeError("offline")),
      () => Promise.resolve({ status: 503 }),
    ];
    const t = load({
      beacon: null,
      fetch: (_u, init) => (expect(init.keepalive).toBe(true), (answers.shift() ?? (() => Promise.resolve({ status: 202 })))()),
    });
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(4000);
    expect(t.requests.map((r) => [r.via, r.type, r.body.events[0]!.event_id])).toEqual(
      Array(3).fill(["fetch", "text/plain", t.events()[0]!.event_id]),
    );

    const bad = load({ beacon: null, fetch: () => Promise.resolve({ status: 400 }) });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(bad.requests).toHaveLength(1);
  });

  it("sends waiting resends at once when the page is left", () => {
    vi.useFakeTimers();
    const answers = [false];
    const t = load({ beacon: () => answers.shift() ?? true });
    t.win.dispatchEvent(new t.win.Event("pagehide"));
    expect(t.types()).toEqual([
      ["page_visited", "/home"],
      ["page_closed", "/home"],
      ["page_visited", "/home"],
    ]);
    expect(t.events()[2]!.event_id).toBe(t.events()[0]!.event_id);
  });

  it("does not touch cookies or storage", () => {
    const touched = vi.fn();
    const t = load({
      setup: (win) => {
        Object.defineProperty(win.document, "cookie", { get: touched, set: touched, configurable: true });
        for (const k of ["localStorage", "sessionStorage", "indexedDB"])
          Object.defineProperty(win, k, { get: touched, configurable: true });
      },
    });
    t.win.history.pushState({}, "", "/next");
    t.doc.body.innerHTML = `<a data-pulse-button="b" href="https://o.example/">o</a>`;
    t.doc.addEventListener("click", (e) => e.preventDefault(), true);
    t.$("a").click();
    t.pulse("custom", { a: 1 });
    t.win.dispatchEvent(new t.win.Event("pagehide"));
    expect(t.requests.length).toBe(7);
    expect(touched).not.toHaveBeenCalled();
  });

  it("runs once when the script is on the page twice", () => {
    const t = load();
    new Function("window", "document", "location", "history", "navigator", code)(
      t.win,
      t.doc,
      t.win.location,
      t.win.history,
      t.win.navigator,
    );
    t.win.history.pushState({}, "", "/next");
    expect(t.types()).toHaveLength(3);
  });
});
