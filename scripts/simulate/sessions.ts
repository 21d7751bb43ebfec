/**
 * Realistic visitor sessions, as pure functions of a config and a seeded random source:
 *
 *   session_created -> page_visited -> button_clicked* (buttons of that page) -> page_closed?
 *                   -> page_visited (next page) -> ... -> session_ended?
 *
 * Times strictly increase inside a session (think time on each page, short delays between
 * clicks); session starts are Poisson arrivals sized to the configured average event rate;
 * users are drawn from a fixed pool, so user ids recur across sessions (returning visitors).
 *
 * Used by `npm run simulate` (live traffic) and by benchmarks that need many events fast
 * (e.g. 1M events over 30 days: set duration_seconds and events_per_second, pass startMs).
 */
import type { ClientEvent } from "@/core/events";
import type { PageConfig, SimulatorConfig } from "./config";
import { createRng, exponential, intBetween, logUniform, type Rng, uuidV4, WeightedPicker } from "./rng";
import { attachContexts, pickVisitor } from "./visitors";

/** The settings the generator reads (a full SimulatorConfig works). */
export type SessionModel = Pick<
  SimulatorConfig,
  | "users"
  | "duration_seconds"
  | "events_per_second"
  | "probabilities"
  | "pages_per_session"
  | "max_clicks_per_page"
  | "think_time_seconds"
  | "click_delay_seconds"
  | "custom_event_types"
  | "pages"
>;

export interface SimSession {
  session_id: string;
  user_id: string;
  /** Events in order; events[i] happens at times[i] (ms since the epoch). */
  events: ClientEvent[];
  times: number[];
}

export interface GenerateOptions {
  /** Sessions start in [startMs, startMs + duration_seconds). Default: now. */
  startMs?: number;
  /** Stop after this many sessions (generateSessions) or events (generateEvents). */
  limit?: number;
  /** Session ids are `<prefix>_<n>`; default: random from the rng (so runs do not collide). */
  sessionIdPrefix?: string;
  /**
   * Start more sessions in the first minutes so the event rate is events_per_second from the
   * start (default true). false: a constant session rate, events ramp up over a session's length.
   */
  warmStart?: boolean;
  /**
   * When given, each session draws a visitor from this source (scripts/simulate/visitors.ts) and
   * its events carry that visitor's `context` (docs/api.md). A separate source, so the sessions
   * themselves are the same with or without contexts.
   */
  visitors?: Rng;
}

const DEVICES = ["desktop", "desktop", "mobile", "mobile", "tablet"];
const REFERRERS = ["direct", "google", "google", "twitter", "newsletter", "github"];
// Every (device, referrer) props object made once: sessions share them instead of allocating.
const SESSION_PROPS = DEVICES.flatMap((device) => REFERRERS.map((referrer) => ({ device, referrer })));

/** Pre-computed page choice tables: cumulative weights for O(log n) weighted draws. */
class PagePicker {
  private readonly weights: WeightedPicker;
  constructor(readonly pages: readonly PageConfig[]) {
    this.weights = new WeightedPicker(pages.map((p) => p.weight));
  }
  pick(rng: Rng): PageConfig {
    return this.pages[this.weights.pick(rng)]!;
  }
  /** A page other than `current` (when there is another one). */
  next(rng: Rng, current: PageConfig): PageConfig {
    if (this.pages.length === 1) return current;
    for (let i = 0; i < 8; i++) {
      const p = this.pick(rng);
      if (p !== current) return p;
    }
    return this.pages[(this.pages.indexOf(current) + 1) % this.pages.length]!;
  }
}

function ms(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}

/**
 * Builds one session starting at `startMs`. Exported for tests and for callers that want to
 * shape traffic themselves.
 */
export function buildSession(
  model: SessionModel,
  rng: Rng,
  startMs: number,
  sessionId: string,
  userId: string,
  picker = new PagePicker(model.pages),
): SimSession {
  const p = model.probabilities;
  const events: ClientEvent[] = [];
  const times: number[] = [];
  let t = startMs;
  const add = (e: Omit<ClientEvent, "event_id" | "event_time" | "user_id" | "session_id">, at: number) => {
    // Key order: as a client would send it, then the server's event_id and event_time.
    const event: ClientEvent = { event_type: e.event_type, user_id: userId, session_id: sessionId } as ClientEvent;
    if (e.page_path !== undefined) event.page_path = e.page_path;
    if (e.button_id !== undefined) event.button_id = e.button_id;
    if (e.props !== undefined) event.props = e.props;
    event.event_id = uuidV4(rng);
    event.event_time = new Date(at).toISOString();
    events.push(event);
    times.push(at);
  };

  add({ event_type: "session_created", props: SESSION_PROPS[Math.floor(rng() * SESSION_PROPS.length)]! }, t);
  const { min, max } = model.pages_per_session;
  const pageCount = rng() < p.bounce ? 1 : intBetween(rng, Math.min(Math.max(min, 2), max), max);
  let page = picker.pick(rng);
  for (let i = 0; i < pageCount; i++) {
    if (i > 0) page = picker.next(rng, page);
    t += ms(0.05 + rng() * 0.5); // navigation
    add({ event_type: "page_visited", page_path: page.path }, t);
    const buttons = page.buttons;
    if (buttons.length > 0) {
      for (let c = 0; c < model.max_clicks_per_page && rng() < p.click; c++) {
        t += ms(logUniform(rng, model.click_delay_seconds.min, model.click_delay_seconds.max));
        add({ event_type: "button_clicked", page_path: page.path, button_id: buttons[Math.floor(rng() * buttons.length)]! }, t);
      }
    }
    if (model.custom_event_types.length > 0 && rng() < p.custom_event) {
      t += ms(logUniform(rng, model.click_delay_seconds.min, model.click_delay_seconds.max));
      add({ event_type: model.custom_event_types[Math.floor(rng() * model.custom_event_types.length)]!, page_path: page.path }, t);
    }
    t += ms(logUniform(rng, model.think_time_seconds.min, model.think_time_seconds.max));
    if (rng() < p.page_closed) add({ event_type: "page_closed", page_path: page.path }, t);
  }
  if (rng() < p.session_ended) {
    t += ms(0.05 + rng() * 0.5);
    add({ event_type: "session_ended" }, t);
  }
  return { session_id: sessionId, user_id: userId, events, times };
}

/** How a session's events spread over its life, measured on a fixed sample (deterministic). */
export interface SessionProfile {
  /** Average events per session. */
  mean: number;
  /** eventsByAge[k] = average events per session at age [k, k+1) seconds after its start. */
  eventsByAge: Float64Array;
}

const profiles = new WeakMap<SessionModel, SessionProfile>();

export function sessionProfile(model: SessionModel, sample = 4000): SessionProfile {
  const cached = sample === 4000 ? profiles.get(model) : undefined;
  if (cached) return cached;
  const rng = createRng(0x5eed);
  const picker = new PagePicker(model.pages);
  let total = 0;
  const ages: number[] = [];
  for (let i = 0; i < sample; i++) {
    const s = buildSession(model, rng, 0, "s", "u", picker);
    total += s.events.length;
    for (const t of s.times) {
      const k = Math.floor(t / 1000);
      while (ages.length <= k) ages.push(0);
      ages[k]! += 1;
    }
  }
  const profile = { mean: total / sample, eventsByAge: Float64Array.from(ages, (n) => n / sample) };
  if (sample === 4000) profiles.set(model, profile);
  return profile;
}

export function meanEventsPerSession(model: SessionModel, sample = 4000): number {
  return sessionProfile(model, sample).mean;
}

/**
 * Session arrival rates (per second, one per second from the start) that make the EVENT rate
 * events_per_second from the first second, instead of ramping up while the first sessions are
 * still young: early seconds start more sessions, settling to events_per_second / mean.
 * Solves rate = sum_j arrivals[j] * eventsByAge[k - j] for each second k (a deconvolution).
 */
export function warmStartArrivals(profile: SessionProfile, eventsPerSecond: number): Float64Array {
  const e = profile.eventsByAge;
  // Up to the age by which 99% of a session's events have happened; steady state after that.
  let cumulative = 0;
  let horizon = e.length;
  for (let k = 0; k < e.length; k++) {
    cumulative += e[k]!;
    if (cumulative >= 0.99 * profile.mean) {
      horizon = k + 1;
      break;
    }
  }
  horizon = Math.min(horizon, 3600);
  const steady = eventsPerSecond / profile.mean;
  const arrivals = new Float64Array(horizon);
  if (e[0]! <= 0) return arrivals.fill(steady);
  for (let k = 0; k < horizon; k++) {
    let fromEarlier = 0;
    for (let j = 0; j < k; j++) fromEarlier += arrivals[j]! * (e[k - j] ?? 0);
    arrivals[k] = Math.max(0, (eventsPerSecond - fromEarlier) / e[0]!);
  }
  return arrivals;
}

function pickUser(model: SessionModel, rng: Rng): string {
  // Skewed towards low ids: some visitors come back often, most rarely.
  return `user_${Math.floor(Math.pow(rng(), 1.6) * model.users)}`;
}

/**
 * Sessions in order of their start, starting as Poisson arrivals over
 * [startMs, startMs + duration_seconds) at a rate that averages events_per_second
 * (from the first second with warmStart, see warmStartArrivals).
 * A session's later events may fall after the window (callers cut if they need to).
 */
export function* generateSessions(model: SessionModel, rng: Rng, options: GenerateOptions = {}): Generator<SimSession> {
  const startMs = options.startMs ?? Date.now();
  const endMs = startMs + model.duration_seconds * 1000;
  const limit = options.limit ?? Infinity;
  const prefix = options.sessionIdPrefix ?? `sim${Math.floor(rng() * 0xffffffff).toString(36)}`;
  const profile = sessionProfile(model);
  const steady = model.events_per_second / profile.mean;
  const early = options.warmStart === false ? new Float64Array(0) : warmStartArrivals(profile, model.events_per_second);
  const picker = new PagePicker(model.pages);
  // Non-homogeneous Poisson arrivals, rate piecewise constant per second: walk an Exp(1) budget
  // through the seconds until it is spent.
  let t = 0; // seconds since startMs
  for (let n = 0; n < limit; n++) {
    let budget = exponential(rng, 1);
    while (true) {
      const k = Math.floor(t);
      const rate = k < early.length ? early[k]! : steady;
      if (k >= early.length) {
        t += budget / rate;
        break;
      }
      const room = rate * (k + 1 - t);
      if (budget < room) {
        t += budget / rate;
        break;
      }
      budget -= room;
      t = k + 1;
    }
    const start = startMs + Math.floor(t * 1000);
    if (start >= endMs) return;
    const session = buildSession(model, rng, start, `${prefix}_${n.toString(36)}`, pickUser(model, rng), picker);
    if (options.visitors) attachContexts(session.events, pickVisitor(options.visitors));
    yield session;
  }
}

interface Cursor {
  session: SimSession;
  index: number;
  seq: number;
}

/**
 * Every event of generateSessions, merged into one stream ordered by event_time (ties keep
 * session order), as they would reach the ingest API. Sessions are built lazily; memory holds
 * only the sessions in progress.
 */
export function* generateEvents(model: SessionModel, rng: Rng, options: GenerateOptions = {}): Generator<ClientEvent> {
  const limit = options.limit ?? Infinity;
  const sessions = generateSessions(model, rng, { ...options, limit: undefined });
  const heap: Cursor[] = [];
  let seq = 0;
  let pending = sessions.next();
  let emitted = 0;
  while (emitted < limit) {
    // Admit every session that starts before the earliest event in progress.
    while (!pending.done && (heap.length === 0 || pending.value.times[0]! <= timeOf(heap[0]!))) {
      heapPush(heap, { session: pending.value, index: 0, seq: seq++ });
      pending = sessions.next();
    }
    const top = heap[0];
    if (!top) return;
    yield top.session.events[top.index]!;
    emitted++;
    top.index++;
    if (top.index < top.session.events.length) heapSiftDown(heap, 0);
    else heapPopTop(heap);
  }
}

function timeOf(c: Cursor): number {
  return c.session.times[c.index]!;
}

function less(a: Cursor, b: Cursor): boolean {
  const ta = timeOf(a);
  const tb = timeOf(b);
  return ta < tb || (ta === tb && a.seq < b.seq);
}

function heapPush(heap: Cursor[], c: Cursor): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!less(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function heapSiftDown(heap: Cursor[], i: number): void {
  const n = heap.length;
  while (true) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < n && less(heap[l]!, heap[m]!)) m = l;
    if (r < n && less(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}

function heapPopTop(heap: Cursor[]): void {
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    heapSiftDown(heap, 0);
  }
}
