/**
 * The one gate every returned string passes (docs/enrichment.md, "Text rules"). Inputs come from
 * browsers and from servers forwarding what browsers sent, so any of them may be huge or broken;
 * what comes out must be safe to store in a PostgreSQL text column and an index, and to show.
 */

/** The most UTF-8 bytes any dimension value may take. */
export const MAX_VALUE_BYTES = 256;

// A high surrogate not followed by a low one, or a low one without a high one before it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 controls, DEL and C1 controls; a run becomes one space so "spring\nsale" stays two words.
const CONTROL_RUN = /[\u0000-\u001F\u007F-\u009F]+/g;
// Printable ASCII needs no cleaning beyond the trim and the cut.
const PLAIN_ASCII = /^[\u0020-\u007E]*$/;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** The first `units` UTF-16 code units, one fewer when the cut would split a surrogate pair. */
export function sliceUnits(value: string, units: number): string {
  if (value.length <= units) return value;
  return value.slice(0, isHighSurrogate(value.charCodeAt(units - 1)) ? units - 1 : units);
}

/** The longest prefix of whole code points that fits maxBytes of UTF-8. */
export function truncateUtf8(value: string, maxBytes: number): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings need no count.
  if (value.length * 3 <= maxBytes) return value;
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    let size: number;
    let units = 1;
    if (code < 0x80) size = 1;
    else if (code < 0x800) size = 2;
    else if (isHighSurrogate(code) && i + 1 < value.length) {
      // Callers pass well-formed text, so a high surrogate here starts a 4-byte pair.
      size = 4;
      units = 2;
    } else size = 3;
    if (bytes + size > maxBytes) return value.slice(0, i);
    bytes += size;
    i += units - 1;
  }
  return value;
}

/**
 * The value made storable: lone surrogates become U+FFFD, runs of control characters one space,
 * then trimmed and cut at a code point boundary to maxBytes of UTF-8. Undefined when nothing is
 * left (or the value is not a string), so an empty value is omitted rather than stored as "".
 */
export function cleanText(value: unknown, maxBytes: number = MAX_VALUE_BYTES): string | undefined {
  if (typeof value !== "string") return undefined;
  if (value.length <= maxBytes && PLAIN_ASCII.test(value)) return value.trim() || undefined;
  // Never clean more than can survive: maxBytes code points, with room for controls that go away.
  let text = sliceUnits(value, maxBytes * 4);
  text = text.replace(LONE_SURROGATE, "\uFFFD").replace(CONTROL_RUN, " ").trim();
  return truncateUtf8(text, maxBytes).trimEnd() || undefined;
}
