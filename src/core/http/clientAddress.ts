/**
 * Who is the client? The rule for every place that limits or locates by address (sign-in limits
 * today, the browser collector's per-IP limit and geo next), in one framework-free module
 * (docs/security.md, "Who the client is").
 *
 * X-Forwarded-For is written by whoever sends the request, so it is believed only hop by hop from
 * our side: start at the socket's peer; while that hop is a proxy named in `app.trusted_proxies`,
 * step to the address it says it got the request from (the rightmost entry not yet used). The
 * first hop that is not a trusted proxy is the client. With no trusted proxies the peer itself is
 * the client, whatever the header says.
 *
 * The web server (src/server/web/main.ts) applies the rule once per request and hands the result
 * to the app in a private header; code in the app reads it with clientAddressFromHeaders().
 */
import { logger } from "../logging/logger";

/** The header our web server sets; a copy sent by the client is deleted first. */
export const CLIENT_ADDRESS_HEADER = "x-pulse-client-ip";

/** What the client address is when it cannot be known (one shared bucket for every limit). */
export const UNKNOWN_ADDRESS = "unknown";

/** 16 bytes; IPv4 addresses are kept IPv4-mapped (::ffff:a.b.c.d), so one comparison covers both families. */
type IpBytes = Uint8Array;

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseIPv4Parts(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const part of parts) {
    // Decimal only, no leading zeros: "010" is octal to some parsers and decimal to others.
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function hexWords(groups: string[], allowIPv4Tail: boolean): number[] | null {
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    if (allowIPv4Tail && i === groups.length - 1 && group.includes(".")) {
      const v4 = parseIPv4Parts(group);
      if (!v4) return null;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      words.push(parseInt(group, 16));
    }
  }
  return words;
}

function parseIPv6Words(text: string): number[] | null {
  // A zone ("fe80::1%eth0") names an interface of the host that wrote it; it is not part of the address.
  const zone = text.indexOf("%");
  const s = zone >= 0 ? text.slice(0, zone) : text;
  if (zone >= 0 && zone === text.length - 1) return null;
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const gap = s.indexOf("::");
  if (gap !== s.lastIndexOf("::")) return null;
  const split = (part: string): string[] => (part === "" ? [] : part.split(":"));
  if (gap < 0) {
    const words = hexWords(split(s), true);
    return words && words.length === 8 ? words : null;
  }
  const head = hexWords(split(s.slice(0, gap)), false);
  const tail = hexWords(split(s.slice(gap + 2)), true);
  if (!head || !tail || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** Parses an IPv4 or IPv6 address (IPv4-mapped forms included); null when it is not one. */
export function parseIp(text: string): IpBytes | null {
  const v4 = parseIPv4Parts(text);
  if (v4) return Uint8Array.from([...V4_MAPPED_PREFIX, ...v4]);
  if (!text.includes(":")) return null;
  const words = parseIPv6Words(text);
  if (!words) return null;
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    bytes[2 * i] = w >> 8;
    bytes[2 * i + 1] = w & 0xff;
  });
  return bytes;
}

function isV4Mapped(ip: IpBytes): boolean {
  return V4_MAPPED_PREFIX.every((b, i) => ip[i] === b);
}

/** One spelling per address: dotted IPv4 (also for ::ffff:a.b.c.d), RFC 5952 IPv6. */
export function formatIp(ip: IpBytes): string {
  if (isV4Mapped(ip)) return `${ip[12]}.${ip[13]}.${ip[14]}.${ip[15]}`;
  const words = Array.from({ length: 8 }, (_, i) => (ip[2 * i]! << 8) | ip[2 * i + 1]!);
  // The longest run of two or more zero words (the first of equal runs) becomes "::".
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.start < 0) return hex.join(":");
  return `${hex.slice(0, best.start).join(":")}::${hex.slice(best.start + best.length).join(":")}`;
}

/** The address in its one spelling, or null when the text is not an IP address. */
export function normalizeIp(text: string): string | null {
  const ip = parseIp(text.trim());
  return ip ? formatIp(ip) : null;
}

interface IpRange {
  bytes: IpBytes;
  /** Leading bits that must match, over the 16-byte form (an IPv4 /n is /(96 + n) here). */
  bits: number;
}

function parseRange(text: string): IpRange | null {
  const slash = text.indexOf("/");
  const address = slash >= 0 ? text.slice(0, slash) : text;
  const bytes = parseIp(address);
  if (!bytes) return null;
  const v4Written = parseIPv4Parts(address) !== null;
  const max = v4Written ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) return null;
    prefix = Number(p);
  }
  return { bytes, bits: v4Written ? 96 + prefix : prefix };
}

function inRange(ip: IpBytes, range: IpRange): boolean {
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (ip[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (ip[whole]! & mask) === (range.bytes[whole]! & mask);
}

/** Whether the text is an IP address or a CIDR range (what app.trusted_proxies accepts). */
export function isIpOrCidr(text: string): boolean {
  return parseRange(text.trim()) !== null;
}

export interface TrustedProxies {
  readonly size: number;
  has(ip: IpBytes): boolean;
}

/** The trusted proxy list from config; throws on an entry that is not an IP or CIDR (config validation says which). */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  const ranges = entries.map((entry) => {
    const range = parseRange(entry.trim());
    if (!range) throw new Error(`not an IP address or CIDR range: ${JSON.stringify(entry)}`);
    return range;
  });
  return { size: ranges.length, has: (ip) => ranges.some((range) => inRange(ip, range)) };
}

/** One X-Forwarded-For entry: an address, possibly with a port ("1.2.3.4:5678", "[2001:db8::1]:443"). */
function parseHop(entry: string): IpBytes | null {
  const s = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s);
  if (bracketed) return parseIp(bracketed[1]!);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(s);
  if (v4WithPort) return parseIp(v4WithPort[1]!);
  return parseIp(s);
}

/**
 * The client's address for a request that arrived from `peer` (the socket's remote address) with
 * this X-Forwarded-For. Walks the header from the right while the current hop is trusted; an entry
 * that is not an address stops the walk at the trusted proxy that passed it on, so a client can
 * never choose its own address by sending garbage.
 */
export function pickClientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  let current = peer ? parseIp(peer) : null;
  if (!current) return UNKNOWN_ADDRESS;
  if (trusted.size > 0 && forwardedFor !== undefined) {
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",");
    while (trusted.has(current) && hops.length > 0) {
      const next = parseHop(hops.pop()!);
      if (!next) break;
      current = next;
    }
  }
  return formatIp(current);
}

type HeaderRecord = Record<string, string | string[] | undefined>;

const STAMPED = Symbol.for("pulse.clientAddressHeaderStamped");
const globalFlags = globalThis as unknown as Record<symbol, boolean | undefined>;

/**
 * For the web server: replaces any client-sent copy of the private header with the address the
 * rule gives. Marks the process, so readers know the header is ours (see clientAddressFromHeaders).
 */
export function stampClientAddress(headers: HeaderRecord, peer: string | undefined, trusted: TrustedProxies): string {
  const address = pickClientAddress(peer, headers["x-forwarded-for"], trusted);
  // Overwrites the whole value, so no client-sent copy (or list of copies) survives.
  headers[CLIENT_ADDRESS_HEADER] = address;
  globalFlags[STAMPED] = true;
  return address;
}

let warnedUnstamped = false;

/**
 * The client's address as our web server determined it, from a request's headers (a Web `Headers`
 * or a plain record, as next-auth hands them over). When the app was started some other way
 * (`next start`, `next dev`), nobody replaced the header, so a client could write it: it is then
 * ignored and every request counts as UNKNOWN_ADDRESS.
 */
export function clientAddressFromHeaders(headers: Headers | HeaderRecord | undefined): string {
  if (!globalFlags[STAMPED]) {
    if (!warnedUnstamped) {
      warnedUnstamped = true;
      logger.warn(`${CLIENT_ADDRESS_HEADER} is not set by Pulse's web server (npm run web): client addresses are unknown`);
    }
    return UNKNOWN_ADDRESS;
  }
  const raw = headers instanceof Headers ? headers.get(CLIENT_ADDRESS_HEADER) : headers?.[CLIENT_ADDRESS_HEADER];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return (value && normalizeIp(value)) ?? UNKNOWN_ADDRESS;
}
