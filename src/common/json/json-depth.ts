import { ApiProblem, HttpErrorCode } from '../problem/http-error';
import { closingQuote } from './json-with-base64';

const QUOTE = 0x22;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether a JSON text nests arrays and objects deeper than `maxDepth`, found
 * by counting brackets outside strings, before anything is parsed. Parsing
 * and validating such a text recurse once per level: 100,000 levels overflow
 * the stack (a 500) long before the body limit is reached. Strings are
 * skipped with indexOf, so a body of large base64 documents costs little.
 */
export function jsonTextTooDeep(json: Buffer, maxDepth: number): boolean {
  let depth = 0;
  for (let index = 0; index < json.length; index++) {
    const byte = json[index];
    if (byte === QUOTE) {
      index = closingQuote(json, index);
      // An unterminated string: the parser will say the text is malformed.
      if (index < 0) return false;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/** The same rule for a value already parsed (a multipart field its plugin parsed), walked without recursion. */
export function jsonValueTooDeep(value: unknown, maxDepth: number): boolean {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (pending.length > 0) {
    const { value: next, depth } = pending.pop()!;
    if (next === null || typeof next !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(next)) pending.push({ value: child, depth: depth + 1 });
  }
  return false;
}

export function jsonTooDeep(maxDepth: number): ApiProblem {
  return new ApiProblem(
    HttpErrorCode.JSON_TOO_DEEP,
    `Arrays and objects in a JSON body may be nested at most ${maxDepth} levels deep (HTTP_JSON_MAX_DEPTH).`,
    { maxDepth },
  );
}
