import { HttpException } from '@nestjs/common';
import { RateLimitErrorCode } from '../rate-limit/rate-limit.errors';
import { FeatureError } from './feature-error';
import { ApiProblem, HttpErrorCode } from './http-error';
import { ProblemDocument, StoredProblem } from './problem';
import { PROBLEM_TYPE_BASE, ProblemCode, ProblemEntry, problemEntryOf, statusOf } from './problem-catalogue';
import { RequestErrorCode } from './request-error';

export interface ProblemResponse {
  status: number;
  body: ProblemDocument;
  headers: Record<string, string>;
  /** Unexpected errors are logged with their stack; expected ones are not. */
  unexpected: boolean;
}

/** The codes of statuses reached without a FeatureError (framework errors, routing), by status. */
const CODE_BY_STATUS: ReadonlyMap<number, ProblemCode> = new Map(
  [
    HttpErrorCode.BAD_REQUEST,
    HttpErrorCode.UNAUTHENTICATED,
    HttpErrorCode.FORBIDDEN,
    RequestErrorCode.NOT_FOUND,
    HttpErrorCode.METHOD_NOT_ALLOWED,
    HttpErrorCode.NOT_ACCEPTABLE,
    HttpErrorCode.CONFLICT,
    HttpErrorCode.PAYLOAD_TOO_LARGE,
    HttpErrorCode.UNSUPPORTED_MEDIA_TYPE,
    HttpErrorCode.UNPROCESSABLE,
    RateLimitErrorCode.RATE_LIMITED,
    HttpErrorCode.SERVICE_UNAVAILABLE,
  ].map((code) => [statusOf(code), code]),
);

/** Fastify's own request errors (body parsing, content type), by their `code`. */
const FASTIFY_ERRORS: Record<string, { code: HttpErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: HttpErrorCode.UNSUPPORTED_MEDIA_TYPE, detail: 'Send the body as application/json.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: HttpErrorCode.PAYLOAD_TOO_LARGE, detail: 'The request body is larger than this server accepts.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: HttpErrorCode.MALFORMED_JSON, detail: 'The body is empty but the content type says JSON.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: HttpErrorCode.MALFORMED_JSON, detail: 'The request body is not valid JSON.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: HttpErrorCode.BAD_REQUEST, detail: 'Content-Length does not match the body.' },
};

const DATABASE_RETRY_AFTER_SECONDS = 5;

type ProblemContext = { requestId?: string; instance?: string };

/**
 * Turns anything thrown while serving a request into an RFC 9457 problem.
 * Internals (messages of unexpected errors, stacks) never reach the wire.
 */
export function toProblem(error: unknown, context: ProblemContext): ProblemResponse {
  const base = { instance: context.instance, requestId: context.requestId };

  if (error instanceof StoredProblem) {
    return { status: error.status, headers: {}, unexpected: false, body: { ...error.body, ...base } };
  }

  // A code no family declares is a bug of ours: it is answered as one below.
  if (error instanceof FeatureError && problemEntryOf(error.code)) {
    const problem = expected(error.code, error.detail, base, error.retryAfterSeconds);
    Object.assign(problem.headers, error instanceof ApiProblem ? error.headers : {});
    Object.assign(problem.body, error.extensions);
    return problem;
  }

  const fastifyError = fastifyErrorOf(error);
  if (fastifyError) return expected(fastifyError.code, fastifyError.detail, base);

  if (error instanceof HttpException) {
    const code = CODE_BY_STATUS.get(error.getStatus());
    if (code) {
      const problem = expected(code, messageOf(error), base);
      // Health checks (terminus) explain a 503 with per-dependency details, which are safe to show.
      const details = (error.getResponse() as { details?: unknown }).details;
      if (details) problem.body.checks = details;
      return problem;
    }
  }

  if (isDatabaseUnavailable(error)) {
    return expected(
      HttpErrorCode.DATABASE_UNAVAILABLE,
      'The database cannot be reached right now. Try again shortly.',
      base,
      DATABASE_RETRY_AFTER_SECONDS,
    );
  }

  if (isSyntaxErrorFromBodyParser(error)) {
    return expected(HttpErrorCode.MALFORMED_JSON, 'The request body is not valid JSON.', base);
  }

  return {
    ...expected(HttpErrorCode.INTERNAL_ERROR, 'Something went wrong on our side. Quote the requestId when you report it.', base),
    unexpected: true,
  };
}

/** The problem of a catalogued code: its status and title from the catalogue, its type from the code. */
function expected(code: string, detail: string | undefined, base: ProblemContext, retryAfterSeconds?: number): ProblemResponse {
  const { status, title } = problemEntryOf(code) as ProblemEntry;
  return {
    status,
    headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    unexpected: false,
    body: { type: PROBLEM_TYPE_BASE + code, title, status, code, detail, ...base },
  };
}

function fastifyErrorOf(error: unknown) {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? FASTIFY_ERRORS[code] : undefined;
}

/** PostgreSQL connection failures: admin shutdown, cannot connect now, class 08, refused/reset sockets. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|Client has encountered a connection error|Connection is not established/i;

/** A database outage, however deep TypeORM or pg wrapped it: it is temporary, not our bug. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  const { code, message, driverError, cause } = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^08/.test(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true;
  return isDatabaseUnavailable(driverError, depth + 1) || isDatabaseUnavailable(cause, depth + 1);
}

function isSyntaxErrorFromBodyParser(error: unknown): boolean {
  return error instanceof SyntaxError && (error as { statusCode?: number }).statusCode === 400;
}

/** Framework exceptions carry short, safe messages (e.g. "Cannot GET /x"). */
function messageOf(error: HttpException): string | undefined {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return typeof message === 'string' ? message : undefined;
}
