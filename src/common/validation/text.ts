/**
 * The control characters: C0 (U+0000–U+001F, NUL, tab and line breaks
 * included), DEL (U+007F) and C1 (U+0080–U+009F), i.e. Unicode's `Cc`.
 * PostgreSQL cannot store NUL in text at all, and the others end up in
 * provider requests, pages and log lines that are not ours to escape.
 */
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Line and paragraph separators: line breaks to JavaScript, JSON readers and many renderers. */
const LINE_SEPARATOR = /[\u2028\u2029]/;

/** Cc except tab, line feed and carriage return, the layout of a multi-line text. */
const CONTROL_CHARACTER_EXCEPT_LAYOUT = /(?![\t\n\r])\p{Cc}/u;

/**
 * One line of text with no control character: what every text field of the
 * API takes. Free text such as a reason or a document title is shown by
 * B-Trust on one line (a request in B-Trust MOBILE, a title on the signing
 * page), so a tab or line break could not be shown as sent.
 */
export function isSingleLineText(value: string): boolean {
  return typeof value === 'string' && !CONTROL_CHARACTER.test(value) && !LINE_SEPARATOR.test(value);
}

/** Text that may have tabs and line breaks, but no other control character. */
export function isMultiLineText(value: string): boolean {
  return typeof value === 'string' && !CONTROL_CHARACTER_EXCEPT_LAYOUT.test(value);
}
