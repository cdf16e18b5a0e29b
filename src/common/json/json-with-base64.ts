import { randomUUID } from 'node:crypto';

/** Shorter strings are left to the JSON parser: the saving is in the documents. */
const MIN_EXTRACTED_LENGTH = 64 * 1024;
/**
 * Base64 is decoded through strings of this many characters (a multiple of 4):
 * small enough for V8's young generation, so they are freed at once.
 */
const DECODE_SLICE_LENGTH = 64 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const BASE64_SLICE = /^[A-Za-z0-9+/]*$/;
const BASE64_LAST_SLICE = /^[A-Za-z0-9+/]*={0,2}$/;

/** A base64 string of a JSON text, decoded while the text was parsed. */
export class DecodedBase64 {
  constructor(readonly bytes: Buffer) {}
}

/** Keys from the root of a JSON value; `*` stands for every element of an array. */
export type JsonPath = readonly string[];

/**
 * Parses the JSON text in `json` with `parse`, except that every string at
 * one of `paths` that is long and made only of padded base64 arrives as a
 * DecodedBase64, decoded straight from `json`. A large document would
 * otherwise be held as the bytes, as one string of the whole text and as its
 * parsed string at once, before it is decoded; here no string of it ever
 * exists.
 *
 * Every such string is cut out of the text, decoded, and replaced by a
 * placeholder no sender can guess; the rest is parsed by `parse`, so its
 * errors and checks (prototype poisoning, for one) are those of a plain
 * parse. Placeholders at `paths` become the decoded bytes; any elsewhere
 * become their text again. Shorter strings, and strings holding escapes or
 * anything else that is not base64, stay strings wherever they are.
 */
export function parseJsonDecodingBase64(json: Buffer, paths: readonly JsonPath[], parse: (json: Buffer) => unknown): unknown {
  if (paths.length === 0) return parse(json);
  const placeholder = randomUUID();
  const extracted: Array<{ start: number; end: number; bytes: Buffer }> = [];
  const skeleton: Buffer[] = [];
  let copied = 0;
  for (let open = json.indexOf(QUOTE); open >= 0; ) {
    const close = closingQuote(json, open);
    if (close < 0) break;
    const start = open + 1;
    if (close - start >= MIN_EXTRACTED_LENGTH && !isKey(json, close + 1)) {
      const bytes = decodeBase64(json, start, close);
      if (bytes) {
        skeleton.push(json.subarray(copied, start), Buffer.from(`${placeholder}:${extracted.length}`));
        extracted.push({ start, end: close, bytes });
        copied = close;
      }
    }
    open = json.indexOf(QUOTE, close + 1);
  }
  if (extracted.length === 0) return parse(json);
  skeleton.push(json.subarray(copied));
  const parsed = parse(Buffer.concat(skeleton));

  const original = (text: string) => (text.startsWith(`${placeholder}:`) ? extracted[Number(text.slice(placeholder.length + 1))] : undefined);
  for (const path of paths) {
    replaceAt(parsed, path, (value) => {
      const cut = typeof value === 'string' ? original(value) : undefined;
      return cut ? new DecodedBase64(cut.bytes) : value;
    });
  }
  return withTextRestored(parsed, (text) => {
    const cut = original(text);
    return cut ? json.toString('latin1', cut.start, cut.end) : text;
  });
}

/** The quote that ends the string opened at `open`, or -1. */
export function closingQuote(json: Buffer, open: number): number {
  let close = json.indexOf(QUOTE, open + 1);
  while (close >= 0) {
    let backslashes = 0;
    while (json[close - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = json.indexOf(QUOTE, close + 1);
  }
  return -1;
}

/** An object key is followed by a colon. */
function isKey(json: Buffer, after: number): boolean {
  let index = after;
  while (json[index] === 0x20 || json[index] === 0x09 || json[index] === 0x0a || json[index] === 0x0d) index++;
  return json[index] === COLON;
}

/** The bytes of json[start, end) as base64, or undefined when they are not base64 with padding (class-validator's IsBase64). */
function decodeBase64(json: Buffer, start: number, end: number): Buffer | undefined {
  const length = end - start;
  if (length % 4 !== 0) return undefined;
  const padding = json[end - 1] !== 0x3d ? 0 : json[end - 2] !== 0x3d ? 1 : 2;
  const bytes = Buffer.allocUnsafe((length / 4) * 3 - padding);
  let written = 0;
  for (let from = start; from < end; from += DECODE_SLICE_LENGTH) {
    const to = Math.min(end, from + DECODE_SLICE_LENGTH);
    const slice = json.toString('latin1', from, to);
    if (!(to === end ? BASE64_LAST_SLICE : BASE64_SLICE).test(slice)) return undefined;
    written += bytes.write(slice, written, 'base64');
  }
  return written === bytes.length ? bytes : undefined;
}

/** Replaces, through `replace`, every value found at `path` (only JSON's own arrays and objects are walked). */
function replaceAt(node: unknown, path: JsonPath, replace: (value: unknown) => unknown): void {
  if (path.length === 0 || node === null || typeof node !== 'object') return;
  const [key, ...rest] = path;
  const children: Array<string | number> = key === '*' ? (Array.isArray(node) ? node.map((_, index) => index) : []) : Array.isArray(node) ? [] : [key];
  const container = node as Record<string | number, unknown>;
  for (const child of children) {
    if (!Object.prototype.hasOwnProperty.call(container, child)) continue;
    if (rest.length === 0) container[child] = replace(container[child]);
    else replaceAt(container[child], rest, replace);
  }
}

/** The parsed value with every string passed through `restore` (only JSON's own arrays and objects are walked). */
function withTextRestored(value: unknown, restore: (text: string) => string): unknown {
  if (typeof value === 'string') return restore(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = withTextRestored(value[index], restore);
  } else if (value !== null && typeof value === 'object' && !(value instanceof DecodedBase64)) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) object[key] = withTextRestored(object[key], restore);
  }
  return value;
}
