/**
 * Which channel brought the visit (docs/enrichment.md, "Channels"). The rules are tried in this
 * order and the first that matches wins, so a paid newsletter placement is Paid and a Gmail link
 * tagged utm_medium=social is Email:
 *   Paid → Email → Social → Organic Search → Referral → Direct.
 * The lists they use are data in sources.ts.
 */
import {
  EMAIL_TAGS,
  ORGANIC_MEDIA,
  PAID_MEDIA,
  SEARCH_HOST_PATTERNS,
  SEARCH_HOSTS,
  SEARCH_SOURCES,
  SOCIAL_HOST_PATTERNS,
  SOCIAL_HOSTS,
  SOCIAL_MEDIA,
  SOCIAL_SOURCES,
  WEBMAIL_HOSTS,
} from "./sources";
import { stripWww } from "./url";

export const CHANNELS = ["Direct", "Organic Search", "Paid", "Social", "Email", "Referral"] as const;
export type Channel = (typeof CHANNELS)[number];

export interface ChannelInput {
  /** Lowercased, "www." removed; absent when there was no referrer or it was the page's own site. */
  referrerHost?: string;
  utmSource?: string;
  utmMedium?: string;
  /** The page URL carries an ad-only click id (gclid, msclkid…). */
  paidClickId?: boolean;
}

const paidMedia: ReadonlySet<string> = new Set(PAID_MEDIA);
const emailTags: ReadonlySet<string> = new Set(EMAIL_TAGS);
const webmailHosts: ReadonlySet<string> = new Set(WEBMAIL_HOSTS);
const socialMedia: ReadonlySet<string> = new Set(SOCIAL_MEDIA);
const socialHosts: ReadonlySet<string> = new Set(SOCIAL_HOSTS);
const socialSources: ReadonlySet<string> = new Set(SOCIAL_SOURCES);
const searchHosts: ReadonlySet<string> = new Set(SEARCH_HOSTS);
const searchSources: ReadonlySet<string> = new Set(SEARCH_SOURCES);
const organicMedia: ReadonlySet<string> = new Set(ORGANIC_MEDIA);

/** Whether the host or one of its parent domains is in the set ("l.facebook.com" → "facebook.com"). */
export function hostIn(host: string, hosts: ReadonlySet<string>): boolean {
  let candidate = host;
  for (;;) {
    if (hosts.has(candidate)) return true;
    const dot = candidate.indexOf(".");
    if (dot < 0) return false;
    candidate = candidate.slice(dot + 1);
  }
}

function matches(host: string, hosts: ReadonlySet<string>, patterns: readonly RegExp[]): boolean {
  return hostIn(host, hosts) || patterns.some((pattern) => pattern.test(host));
}

function isSocialHost(host: string): boolean {
  return matches(host, socialHosts, SOCIAL_HOST_PATTERNS);
}

function isSearchHost(host: string): boolean {
  return matches(host, searchHosts, SEARCH_HOST_PATTERNS);
}

/** utm_source names a site by name ("facebook") or by host ("facebook.com", "l.facebook.com"). */
function sourceIs(source: string, names: ReadonlySet<string>, isHost: (host: string) => boolean): boolean {
  return names.has(source) || (source.includes(".") && isHost(stripWww(source)));
}

function tag(value: string | undefined): string | undefined {
  const normalized = value?.trim().toLowerCase();
  return normalized ? normalized : undefined;
}

export function classifyChannel(input: ChannelInput): Channel {
  const medium = tag(input.utmMedium);
  const source = tag(input.utmSource);
  const host = input.referrerHost ? stripWww(input.referrerHost.toLowerCase()) : undefined;

  if ((medium && (paidMedia.has(medium) || medium.startsWith("paid"))) || input.paidClickId) return "Paid";
  if ((medium && emailTags.has(medium)) || (source && emailTags.has(source)) || (host && hostIn(host, webmailHosts))) return "Email";
  if ((medium && socialMedia.has(medium)) || (source && sourceIs(source, socialSources, isSocialHost)) || (host && isSocialHost(host)))
    return "Social";
  if ((medium && organicMedia.has(medium)) || (source && sourceIs(source, searchSources, isSearchHost)) || (host && isSearchHost(host)))
    return "Organic Search";
  if (host || source) return "Referral";
  return "Direct";
}
