import type { Filter, FilterOperator } from "@/core/dimensions/filters";
import { dimensionNamed } from "@/core/dimensions/registry";

/**
 * How the dashboard writes a dimension's stored value (docs/dimensions.md): country codes as
 * names with their flag, language subtags as names; every other value as it is stored. The value
 * itself stays the filter's value: only its label changes.
 */

// Built once: the names are English, as the rest of the dashboard.
const regionNames = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });
const languageNames = new Intl.DisplayNames(["en"], { type: "language", fallback: "code" });

const ISO_ALPHA2 = /^[A-Z]{2}$/;
/** Regional indicator symbol letter A (U+1F1E6): a flag is the pair of them for the code's letters. */
const REGIONAL_A = 0x1f1e6;

/** "DE" → "🇩🇪"; none for anything that is not a two-letter code ("unknown"). */
export function flagEmoji(code: string): string | null {
  const upper = code.toUpperCase();
  if (!ISO_ALPHA2.test(upper)) return null;
  return String.fromCodePoint(...[...upper].map((c) => REGIONAL_A + c.charCodeAt(0) - 65));
}

function displayName(names: Intl.DisplayNames, code: string): string | null {
  try {
    const name = names.of(code);
    return name && name !== code ? name : null;
  } catch {
    // Not a well-formed code (RangeError): shown as stored.
    return null;
  }
}

export interface ValueLabel {
  /** What the row and the chip say. */
  text: string;
  /** A flag emoji before it (countries). */
  flag?: string;
  /** The stored value is one of "cannot be known" (shown greyed). */
  unknown: boolean;
}

export function valueLabel(dimension: string, value: string): ValueLabel {
  const dim = dimensionNamed(dimension);
  const unknown = value === "" || value === dim?.unknown;
  if (value === "") return { text: dimension === "page" ? "(no page)" : "(empty)", unknown };
  if (unknown) return { text: value === "unknown" ? "Unknown" : value, unknown };
  if (dimension === "country") {
    const flag = flagEmoji(value);
    const name = ISO_ALPHA2.test(value) ? displayName(regionNames, value) : null;
    return { text: name ?? value, ...(flag ? { flag } : {}), unknown };
  }
  if (dimension === "language") return { text: displayName(languageNames, value) ?? value, unknown };
  return { text: value, unknown };
}

const OPERATOR_WORDS: Record<FilterOperator, string> = { is: "is", is_not: "is not", contains: "contains" };

/** "Channel is Organic Search", "Country is Germany", "Page contains /docs". */
export function filterLabel(filter: Filter): string {
  const dim = dimensionNamed(filter.dimension);
  const value = filter.operator === "contains" ? filter.value : valueLabel(filter.dimension, filter.value).text;
  return `${dim?.label ?? filter.dimension} ${OPERATOR_WORDS[filter.operator]} ${value}`;
}

/**
 * The filters after a click on a row: `[dimension, "is", value]` takes the place of the filters
 * of that dimension already there (so a second click changes the segment rather than asking for
 * two values at once, which `is` AND `is` could never match); the others stay, in their order.
 */
export function withFilter(filters: readonly Filter[], next: Filter): Filter[] {
  const at = filters.findIndex((f) => f.dimension === next.dimension);
  if (at === -1) return [...filters, next];
  return [...filters.slice(0, at), next, ...filters.slice(at + 1).filter((f) => f.dimension !== next.dimension)];
}

export function withoutFilter(filters: readonly Filter[], index: number): Filter[] {
  return filters.filter((_, i) => i !== index);
}
