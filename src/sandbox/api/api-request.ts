import { FastifyRequest } from 'fastify';
import { ApiOperation } from '../fault-injector';
import { badRequest } from '../provider-refusal';
import { Language, languageOf, numericIdOf } from '../wire-format';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The operation a route serves: faults are armed, calls counted and logs written per operation. */
    operation?: ApiOperation;
  }
}

/** The language of the answer's `message`, from the caller's `Accept-language`. */
export function languageOfRequest(request: FastifyRequest): Language {
  return languageOf(request.headers['accept-language']);
}

/** The `{resultId}` of a path: a number in the document, so anything else is a malformed request. */
export function resultIdOf(text: string): number {
  const resultId = numericIdOf(text);
  if (resultId === undefined) throw badRequest('resultId is not a number');
  return resultId;
}
