import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { isDocumentUploadRoute } from './signing-upload-route';

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

/** `documents[i].contentBase64` of a JSON signing request, decoded while the body was parsed. */
export class DecodedBase64 {
  constructor(readonly bytes: Buffer) {}
}

/** Fastify's default JSON parser takes a Buffer as well as a string (as Nest's parser hands it). */
type JsonParser = (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void;

/**
 * Replaces the JSON body parser (Nest's, which reads the body and hands it to
 * Fastify's default parser) with one that does the same for every route
 * except those that take documents inline. For those, a body of ten 10 MB
 * PDFs would otherwise be held as the bytes, as one string of their text and
 * as the parsed strings at once, before a single document is decoded: here
 * the body is read into one buffer of its Content-Length, and every base64
 * string in `documents[i].contentBase64` is decoded straight from it, so no
 * string of a document ever exists. Call after the application's init.
 */
export function useDocumentJsonParser(fastify: FastifyInstance): void {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error') as unknown as JsonParser;
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    readBody(request, payload).then(
      (body) => (isDocumentUploadRoute(request.routeOptions.config) ? parseDocumentJson(request, body, parseJson, done) : parseJson(request, body, done)),
      (error: Error) => done(error, undefined),
    );
  });
}

/** Fastify's own body reading (the route's body limit, Content-Length checked), into one buffer where the length is known. */
function readBody(request: FastifyRequest, payload: IncomingMessage & { receivedEncodedLength?: number }): Promise<Buffer> {
  const limit = request.routeOptions.bodyLimit;
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
  const whole = Number.isSafeInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      if (whole && received + chunk.length <= whole.length) chunk.copy(whole, received);
      else chunks.push(chunk);
      received += chunk.length;
      if (received > limit || (payload.receivedEncodedLength ?? 0) > limit) {
        stop();
        reject(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      }
    };
    const onEnd = (error?: Error & { statusCode?: number }) => {
      stop();
      if (error) {
        if (!(typeof error.statusCode === 'number' && error.statusCode >= 400)) error.statusCode = 400;
        reject(error);
      } else if (!Number.isNaN(declared) && (payload.receivedEncodedLength || received) !== declared) {
        reject(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      } else {
        resolve(whole ?? Buffer.concat(chunks));
      }
    };
    const stop = () => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', onEnd);
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.on('error', onEnd);
    payload.resume();
  });
}

/**
 * Every long string made only of base64 (by the rule of the request's
 * IsBase64 check) is cut out of the body, decoded, and replaced by a
 * placeholder no client can guess; the rest is parsed as usual, so errors,
 * prototype-poisoning checks and the parsed values are those of the default
 * parser. The placeholders at `documents[i].contentBase64` become the decoded
 * bytes; any elsewhere become their text again.
 */
function parseDocumentJson(request: FastifyRequest, body: Buffer, parseJson: JsonParser, done: (error: Error | null, body?: unknown) => void): void {
  const placeholder = randomUUID();
  const extracted: Array<{ start: number; end: number; bytes: Buffer }> = [];
  const skeleton: Buffer[] = [];
  let copied = 0;
  for (let open = body.indexOf(QUOTE); open >= 0; ) {
    const close = closingQuote(body, open);
    if (close < 0) break;
    const start = open + 1;
    if (close - start >= MIN_EXTRACTED_LENGTH && !isKey(body, close + 1)) {
      const bytes = decodeBase64(body, start, close);
      if (bytes) {
        skeleton.push(body.subarray(copied, start), Buffer.from(`${placeholder}:${extracted.length}`));
        extracted.push({ start, end: close, bytes });
        copied = close;
      }
    }
    open = body.indexOf(QUOTE, close + 1);
  }
  if (extracted.length === 0) {
    parseJson(request, body, done);
    return;
  }
  skeleton.push(body.subarray(copied));
  parseJson(request, Buffer.concat(skeleton), (error, parsed) => {
    if (error) {
      done(error, undefined);
      return;
    }
    const original = (text: string): { start: number; end: number; bytes: Buffer } | undefined =>
      text.startsWith(`${placeholder}:`) ? extracted[Number(text.slice(placeholder.length + 1))] : undefined;
    const documents = (parsed as { documents?: unknown } | null)?.documents;
    if (Array.isArray(documents)) {
      for (const document of documents as unknown[]) {
        const content = (document as { contentBase64?: unknown } | null)?.contentBase64;
        const decoded = typeof content === 'string' ? original(content) : undefined;
        if (decoded) (document as { contentBase64: unknown }).contentBase64 = new DecodedBase64(decoded.bytes);
      }
    }
    done(null, withTextRestored(parsed, (text) => {
      const cut = original(text);
      return cut ? body.toString('latin1', cut.start, cut.end) : text;
    }));
  });
}

/** The quote that ends the string opened at `open`, or -1. */
function closingQuote(body: Buffer, open: number): number {
  let close = body.indexOf(QUOTE, open + 1);
  while (close >= 0) {
    let backslashes = 0;
    while (body[close - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = body.indexOf(QUOTE, close + 1);
  }
  return -1;
}

/** An object key is followed by a colon. */
function isKey(body: Buffer, after: number): boolean {
  let index = after;
  while (body[index] === 0x20 || body[index] === 0x09 || body[index] === 0x0a || body[index] === 0x0d) index++;
  return body[index] === COLON;
}

/** The bytes of body[start, end) as base64, or undefined when they are not base64 with padding (class-validator's IsBase64). */
function decodeBase64(body: Buffer, start: number, end: number): Buffer | undefined {
  const length = end - start;
  if (length % 4 !== 0) return undefined;
  const padding = body[end - 1] !== 0x3d ? 0 : body[end - 2] !== 0x3d ? 1 : 2;
  const bytes = Buffer.allocUnsafe((length / 4) * 3 - padding);
  let written = 0;
  for (let from = start; from < end; from += DECODE_SLICE_LENGTH) {
    const to = Math.min(end, from + DECODE_SLICE_LENGTH);
    const slice = body.toString('latin1', from, to);
    if (!(to === end ? BASE64_LAST_SLICE : BASE64_SLICE).test(slice)) return undefined;
    written += bytes.write(slice, written, 'base64');
  }
  return written === bytes.length ? bytes : undefined;
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
