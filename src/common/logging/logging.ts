import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';

export const REQUEST_ID_HEADER = 'x-request-id';
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Uses the caller's X-Request-Id when it is a sane token (so a trace can cross
 * the frontend and this server), otherwise a fresh UUID. The id is pinned on
 * the raw request so that pino-http logs the same id that Fastify answers with.
 */
export function requestIdFor(request: IncomingMessage): string {
  const pinned = (request as IncomingMessage & { id?: unknown }).id;
  if (typeof pinned === 'string') return pinned;
  const offered = request.headers[REQUEST_ID_HEADER];
  const id = typeof offered === 'string' && ACCEPTABLE_REQUEST_ID.test(offered) ? offered : randomUUID();
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}

/**
 * Personal data and documents must never reach a log line, whatever a
 * developer passes to the logger later. Paths cover the shapes we log
 * (request/response objects, our DTOs and provider payloads) one or two
 * levels deep; pino's redaction has no recursive wildcard.
 */
const SENSITIVE_KEYS = [
  'identifier',
  'identificatorValue',
  'identificator',
  'clientIdentificator',
  'egn',
  'dateOfBirth',
  'phoneNumber',
  'phone',
  'email',
  'content',
  'contentBase64',
  'contentAsBase64',
  'eIDDocAsBase64',
  'certificatePdf',
  'eidCertificatePdf',
  // A signer certificate's serialNumber is the ETSI form of the national identifier (PNOBG-<EGN>).
  'serialNumber',
  'fullName',
  // The personal-data keys, should a configuration object ever be logged.
  'encryptionKeys',
  'indexKey',
  'password',
  'passphrase',
  'token',
];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  ...SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** Callback URLs carry a bearer-like token in the path: keep it out of access logs. */
export function redactUrlSecrets(url: string | undefined): string | undefined {
  return url?.replace(/(\/callbacks\/btrust\/)[^/?#]+/, '$1[REDACTED]');
}

/** The access log, written by the process logger (which owns the level, the format and the redaction). */
export function loggerParams(logger: PinoLogger): Params {
  return {
    pinoHttp: {
      logger,
      genReqId: (request) => requestIdFor(request),
      serializers: {
        req: (request: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: request.id,
          method: request.method,
          url: redactUrlSecrets(request.url),
          remoteAddress: request.remoteAddress,
        }),
        // The status is what an access log needs; the ~15 security headers on every answer are noise
        // that cost measurable CPU per request (see BENCHMARKS.md).
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
      // Health probes arrive every few seconds and say nothing new.
      // Middleware may see a rewritten url; originalUrl is the path the client asked for.
      autoLogging: {
        ignore: (request) => ((request as { originalUrl?: string }).originalUrl ?? request.url ?? '').startsWith('/health'),
      },
    },
  };
}
