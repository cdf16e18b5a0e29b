import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiConsumes } from '@nestjs/swagger';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiProblem, HttpErrorCode } from '../problem/http-error';
import { problemHead } from '../problem/problem-catalogue';
import type { ProblemExample } from './api-problem-responses.decorator';

export const JSON_MEDIA_TYPE = 'application/json';
export const MULTIPART_MEDIA_TYPE = 'multipart/form-data';

const ACCEPTED_MEDIA_TYPES = 'acceptedMediaTypes';

/** What each route's Fastify config carries once registered. */
type MediaTypesConfig = { [ACCEPTED_MEDIA_TYPES]: readonly string[] };

/** What a route takes when it says nothing: the API is JSON. */
const DEFAULT_MEDIA_TYPES: readonly string[] = [JSON_MEDIA_TYPE];

/** Methods whose body Fastify never reads. */
const BODILESS_METHODS = new Set(['GET', 'HEAD']);

/**
 * The media types a route's body may have, for the check below and for
 * Swagger alike. Routes without it take `application/json` only.
 */
export function AcceptsMediaTypes(...types: string[]) {
  return applyDecorators(SetMetadata(ACCEPTED_MEDIA_TYPES, types), ApiConsumes(...types));
}

/**
 * Refuses a body of a media type the route does not take with one answer,
 * 415 UNSUPPORTED_MEDIA_TYPE naming the accepted types (in the problem and
 * in `Accept`, RFC 9110 §15.5.16), before the body is read. Without it,
 * Fastify's own parsers decided: `text/plain` and form bodies were parsed
 * into something the validation pipe refused field by field (400),
 * multipart was accepted by routes that ignore it, and anything else got a
 * 415 that named only JSON. Call before the routes are added (app.init()):
 * the types are read from each route as it is registered.
 */
export function refuseUnacceptedMediaTypes(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    // Nest copies a handler's metadata onto the function it registers, as it does for @RouteConfig.
    const declared: unknown = Reflect.getMetadata(ACCEPTED_MEDIA_TYPES, route.handler);
    const config: MediaTypesConfig = { [ACCEPTED_MEDIA_TYPES]: Array.isArray(declared) ? declared : DEFAULT_MEDIA_TYPES };
    route.config = { ...route.config, ...config };
  });
  // After authentication (onRequest), before the body is read (parsing).
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const accepted = (request.routeOptions.config as Partial<MediaTypesConfig>)[ACCEPTED_MEDIA_TYPES];
    const type = mediaTypeOf(request.headers['content-type']);
    if (accepted && !BODILESS_METHODS.has(request.method) && hasBody(request) && (type === undefined || !accepted.includes(type))) {
      return done(unsupportedMediaType(accepted));
    }
    done(null, payload);
  });
}

/** RFC 9112 §6.3: a request has a body when it declares a length above zero or a transfer coding. */
function hasBody(request: FastifyRequest): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = request.headers['content-length'];
  return length !== undefined && length !== '0';
}

/** The type without its parameters, lower case: `Application/JSON; charset=utf-8` → `application/json`. */
function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type ? type : undefined;
}

const sendAs = (accepted: readonly string[]) => `Send the body as ${accepted.join(' or ')}.`;

function unsupportedMediaType(accepted: readonly string[]): ApiProblem {
  return new ApiProblem(HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, sendAs(accepted), { acceptedMediaTypes: accepted }, { accept: accepted.join(', ') });
}

/** The 415 problem of a route that takes `accepted`, as the OpenAPI document shows it. */
export function unsupportedMediaTypeExample(accepted: readonly string[]): ProblemExample {
  return {
    ...problemHead(HttpErrorCode.UNSUPPORTED_MEDIA_TYPE),
    detail: sendAs(accepted),
    acceptedMediaTypes: [...accepted],
  };
}
