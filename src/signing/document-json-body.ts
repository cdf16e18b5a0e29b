import type { IncomingMessage } from 'node:http';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { BodyTooLargeError, readWholeBody } from '../common/http/read-whole-body';
import { jsonTextTooDeep, jsonTooDeep } from '../common/json/json-depth';
import { parseJsonDecodingBase64, type JsonPath } from '../common/json/json-with-base64';
import type { ApiProblem } from '../common/problem/http-error';
import { statusOf } from '../common/problem/problem-catalogue';
import { isDocumentUploadRoute } from './signing-upload-route';

/** Where a JSON signing request carries its documents. */
const DOCUMENT_CONTENT: JsonPath = ['documents', '*', 'contentBase64'];

/** Fastify's default JSON parser takes a Buffer as well as a string (as Nest's parser hands it). */
type JsonParser = (request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) => void;

/**
 * Replaces the JSON body parser (Nest's, which reads the body and hands it to
 * Fastify's default parser) with one that does the same for every route
 * except those that take documents inline. For those, a body of ten 10 MB
 * PDFs would otherwise be held as the bytes, as one string of their text and
 * as the parsed strings at once, before a single document is decoded: here
 * the body is read into one buffer of its Content-Length, and every base64
 * string in `documents[i].contentBase64` is decoded straight from it (see
 * parseJsonDecodingBase64), so no string of a document ever exists. On
 * every route, a text nested deeper than `maxDepth` is refused (400
 * JSON_TOO_DEEP) before it is parsed. Call after the application's init.
 */
export function useDocumentJsonParser(fastify: FastifyInstance, maxDepth: number): void {
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parseJson = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error') as unknown as JsonParser;
  if (fastify.hasContentTypeParser('application/json')) fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', (request, payload, done) => {
    readBody(request, payload).then(
      (body) => {
        if (jsonTextTooDeep(body, maxDepth)) return done(withStatusCode(jsonTooDeep(maxDepth)), undefined);
        return isDocumentUploadRoute(request.routeOptions.config) ? parseDocumentJson(request, body, parseJson, done) : parseJson(request, body, done);
      },
      (error: Error) => done(error, undefined),
    );
  });
}

/** A parser's error carries its status as Fastify's own do, so that any error handler (not only ours) answers it as such. */
function withStatusCode(problem: ApiProblem): ApiProblem & { statusCode: number } {
  return Object.assign(problem, { statusCode: statusOf(problem.code) });
}

/** Fastify's own body reading rules (the route's body limit, Content-Length checked), into one buffer where the length is known. */
async function readBody(request: FastifyRequest, payload: IncomingMessage & { receivedEncodedLength?: number }): Promise<Buffer> {
  const limit = request.routeOptions.bodyLimit;
  const declared = Number(request.headers['content-length']);
  let body: Buffer;
  try {
    body = await readWholeBody(payload, { limit, expectedLength: Number.isNaN(declared) ? undefined : declared });
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    const failure = error as Error & { statusCode?: number };
    if (!(typeof failure.statusCode === 'number' && failure.statusCode >= 400)) failure.statusCode = 400;
    throw failure;
  }
  if ((payload.receivedEncodedLength ?? 0) > limit) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  if (!Number.isNaN(declared) && (payload.receivedEncodedLength || body.length) !== declared) {
    throw new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH();
  }
  return body;
}

/** The default parser's answer, with the documents decoded while parsing; its errors are passed on as they are. */
function parseDocumentJson(request: FastifyRequest, body: Buffer, parseJson: JsonParser, done: (error: Error | null, body?: unknown) => void): void {
  let parsed: unknown;
  try {
    parsed = parseJsonDecodingBase64(body, [DOCUMENT_CONTENT], (json) => {
      let result: { error: Error | null; value?: unknown } = { error: null };
      // The default parser answers synchronously.
      parseJson(request, json, (error, value) => (result = { error, value }));
      if (result.error) throw result.error;
      return result.value;
    });
  } catch (error) {
    done(error as Error, undefined);
    return;
  }
  done(null, parsed);
}
