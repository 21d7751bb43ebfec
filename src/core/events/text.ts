/**
 * Text rules for everything that crosses the ingest boundary (docs/api.md, "Text rules").
 * Stored values go into PostgreSQL text columns and btree indexes, so:
 * - U+0000 is refused (PostgreSQL text cannot hold it: one such value used to stop every ETL pass);
 * - lone surrogates are refused (they are not Unicode and turn into U+FFFD on the way to disk);
 * - ids and paths also refuse the other control characters (C0, DEL, C1);
 * - lengths are counted in UTF-8 bytes, the unit indexes are limited in.
 * The API, the consumer and the ETL's log reader all apply these through src/core/events/schema.ts.
 */

// A high surrogate not followed by a low one, or a low one without a high one before it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NUL = /\u0000/;
// C0 controls (U+0000 included), DEL and C1 controls.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
// Quick exit: plain printable ASCII cannot break any rule.
const PLAIN_ASCII = /^[\u0020-\u007E]*$/;

export type TextKind = "id" | "free";

/**
 * The same rules as one regex each, for schemas (see textProblem for the reason a value fails).
 * With the u flag a surrogate pair is one code point above U+FFFF, so only lone surrogates fall
 * in the U+D800–U+DFFF class.
 */
export const ID_TEXT = /^[^\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]*$/u;
export const FREE_TEXT = /^[^\u0000\uD800-\uDFFF]*$/u;

/** Why a string breaks the text rules, or undefined when it keeps them. */
export function textProblem(value: string, kind: TextKind): string | undefined {
  if (PLAIN_ASCII.test(value)) return undefined;
  if (NUL.test(value)) return "must not contain U+0000 (NUL)";
  if (LONE_SURROGATE.test(value)) return "must be valid Unicode (it holds a lone surrogate)";
  if (kind === "id" && CONTROL.test(value)) return "must not contain control characters";
  return undefined;
}

export function utf8Length(value: string): number {
  return value.length <= 64 && PLAIN_ASCII.test(value) ? value.length : Buffer.byteLength(value, "utf8");
}

/** Whether a string fits maxBytes of UTF-8 (a UTF-16 code unit is at most 3 bytes, so short strings need no count). */
export function fitsUtf8(value: string, maxBytes: number): boolean {
  return value.length * 3 <= maxBytes || Buffer.byteLength(value, "utf8") <= maxBytes;
}

/** Whether a string is usable as a session or user id in storage (the rule the ETL scan applies). */
export function isStorableId(value: string, maxBytes: number): boolean {
  return value.length > 0 && textProblem(value, "id") === undefined && utf8Length(value) <= maxBytes;
}

const INVISIBLE = /[\u0000-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text with control characters and lone surrogates written as \uXXXX escapes: safe to store
 * in PostgreSQL and to show, whatever a bad line held (used for quarantine reasons and excerpts).
 */
export function visibleText(value: string): string {
  return value.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
