/**
 * The browser tracker, served as /pulse.js (docs/collector.md). Built by scripts/build-collector.ts;
 * src/collector/pulse.test.ts holds it to 1.5 KB gzipped, so every byte here is counted.
 * No cookie, no storage, no user or session id: the server makes those from the request.
 */
export {}; // a module, so these names stay out of the other files' global scope

type Props = Record<string, unknown>;
type PulseEvent = {
  event_type: string;
  event_id: string;
  page_path: string;
  button_id?: string;
  props?: Props;
  context?: { url: string; referrer?: string };
};
type Pulse = ((eventType: string, props?: Props) => void) & { track?: Pulse; q?: ArrayLike<unknown>[]; r?: 1 };

const w = window as unknown as Window & { pulse?: Pulse };
const d = document;
const loc = location;
const nav = navigator;
const s = d.currentScript as HTMLScriptElement | null;
const key = s?.dataset.key;

// A second copy of the script (pasted twice) must not count everything twice.
if (s && key && !w.pulse?.r) {
  const data = s.dataset;
  const api = data.api || new URL("/api/collect", s.src).href;
  const hash = "hash" in data;
  const off = !("allowLocalhost" in data) && (/^(localhost|127(\.\d+){3}|\[::1\])$/.test(loc.hostname) || loc.protocol == "file:");
  // "*" matches any run of characters, "/" included: "/admin*" leaves out /admin and all below it.
  const exclude = data.exclude
    ? RegExp(
        "^(" +
          data.exclude
            .split(",")
            .map((p) =>
              p
                .trim()
                .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, ".*"),
            )
            .join("|") +
          ")$",
      )
    : 0;

  let path = "";
  let closed = true;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const retries: [PulseEvent, number][] = [];

  // crypto.randomUUID exists only on secure (https) pages; getRandomValues everywhere. Both give a v4 UUID.
  const uuid = (): string =>
    crypto.randomUUID
      ? crypto.randomUUID()
      : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
          (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16),
        );

  // text/plain, the type sendBeacon sends, keeps the request "simple": no CORS preflight.
  const send = (e: PulseEvent, tries: number) => {
    const body = JSON.stringify({ key, events: [e] });
    // The same event, same event_id, so the server counts it once however often it arrives.
    const fail = () => {
      if (++tries < 3 && retries.length < 20) {
        retries.push([e, tries]);
        retryTimer ||= setTimeout(resend, 1e3 << tries);
      }
    };
    if (nav.sendBeacon) {
      if (!nav.sendBeacon(api, body)) fail();
    } else
      fetch(api, { method: "POST", body, keepalive: true, headers: { "content-type": "text/plain" } }).then(
        (r) => (r.status > 499 || r.status == 429) && fail(),
        fail,
      );
  };
  const resend = () => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    retries.splice(0).forEach(([e, t]) => send(e, t));
  };

  const emit = (event_type: string, extra?: Partial<PulseEvent>) => {
    if (!off && !(exclude && exclude.test(path))) send({ event_type, event_id: uuid(), page_path: path, ...extra }, 0);
  };
  const close = () => {
    if (!closed) emit("page_closed");
    closed = true;
  };
  // Called on load and after every History API change; a change that keeps the path (a query, or a
  // hash without data-hash) is not a new page.
  const visit = () => {
    const p = loc.pathname + (hash ? loc.hash : "");
    if (p == path) return;
    const first = !path;
    close();
    path = p;
    closed = false;
    const ref = d.referrer;
    // The page's URL (for its hostname and UTM tags; the server keeps only those) and, on the first
    // page only, the referrer from another host: the server sees the rest in the session.
    // Of the query, only the campaign tags: other parameters may hold what the page's users typed.
    const u = new URL(loc.pathname, loc.href);
    new URLSearchParams(loc.search).forEach((v, k) => /^(utm_|gclid$|msclkid$|dclid$)/.test(k) && u.searchParams.set(k, v));
    const url = u.href;
    emit("page_visited", { context: first && ref && new URL(ref).hostname != loc.hostname ? { url, referrer: ref } : { url } });
  };
  const hide = () => {
    close();
    resend();
  };

  const prev = w.pulse;
  const pulse: Pulse = (eventType, props) => emit(eventType, props && { props });
  pulse.track = pulse;
  pulse.r = 1;
  w.pulse = pulse;

  for (const m of ["pushState", "replaceState"] as const) {
    const orig = history[m];
    history[m] = function (this: History, ...args: Parameters<History["pushState"]>) {
      orig.apply(this, args);
      visit();
    };
  }
  w.addEventListener("popstate", visit);
  if (hash) w.addEventListener("hashchange", visit);
  w.addEventListener("pagehide", hide);
  // A page restored from the back-forward cache was closed on pagehide: it is a new visit.
  w.addEventListener("pageshow", (e) => {
    if (e.persisted) {
      path = "";
      visit();
    }
  });
  // Mobile browsers often skip pagehide; "hidden" is the last moment they reliably give us.
  d.addEventListener("visibilitychange", () => d.visibilityState == "hidden" && hide());

  const click = (e: MouseEvent) => {
    const t = e.target as Element;
    // Right clicks only open a menu; middle clicks (auxclick) open links in a new tab.
    if (e.button > 1 || !t.closest) return;
    const b = t.closest("[data-pulse-button]");
    if (b) emit("button_clicked", { button_id: b.getAttribute("data-pulse-button")! });
    const a = t.closest("a[href]") as HTMLAnchorElement | null;
    if (a && /^https?:$/.test(a.protocol) && a.hostname != loc.hostname) emit("outbound_click", { props: { url: a.href } });
  };
  // Capture phase: a page that stops the click's propagation still has it counted.
  d.addEventListener("click", click, true);
  d.addEventListener("auxclick", click, true);

  visit();
  // Calls made before the script loaded (the stub in docs/collector.md), in their order, after the page view.
  Array.prototype.forEach.call(prev?.q || [], (a: ArrayLike<unknown>) => pulse(a[0] as string, a[1] as Props));
}
