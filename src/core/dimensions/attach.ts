import { enrich, type Enrichment, type VisitContext } from "../enrich";
import type { ParsedEvent, StoredEvent } from "../events/schema";
import { EVENT_DIMS, dimensionNamed, type EventDims, type EventDimsName } from "./registry";

/**
 * The enrich stage of ingest (docs/dimensions.md, "Where the values come from"): an event's
 * context becomes its `dims`, and the context itself is dropped, so neither the client address
 * nor the user agent is ever written to Kafka or the logs.
 */

/** What the request itself tells of the visitor (the browser collector): its headers, never the body. */
export interface RequestVisitor {
  userAgent: string;
  ip: string;
  /** The Accept-Language header. */
  language?: string;
}

const unknownOf = new Map(EVENT_DIMS.map((name) => [name, dimensionNamed(name)!.unknown]));

/** Enrichment's fields under the registry's names, unknown values left out (the ETL stores them as unknown). */
export function dimsOf(enrichment: Enrichment): EventDims {
  const dims: EventDims = {};
  for (const name of EVENT_DIMS) {
    const value = name === "referrer" ? enrichment.referrer_host : enrichment[name as Exclude<EventDimsName, "referrer">];
    if (value !== undefined && value !== "" && value !== unknownOf.get(name)) dims[name] = value;
  }
  return dims;
}

/**
 * The stored form of a checked event: `dims` from its context (and, for the collector, from the
 * request), no context. An event with neither (a server's event sent without context) gets no dims.
 */
export function withDims(event: ParsedEvent, request?: RequestVisitor): StoredEvent {
  const { context, referrer, ...stored } = event;
  if (!context && referrer === undefined && !request) return stored;
  const visit: VisitContext = {
    url: context?.url,
    referrer: context?.referrer ?? referrer,
    userAgent: request ? request.userAgent : context?.user_agent,
    ip: request ? request.ip : context?.ip,
    language: context?.language ?? request?.language,
  };
  return { ...stored, dims: dimsOf(enrich(visit)) };
}
