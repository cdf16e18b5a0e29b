import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProblem, ProblemDocument } from './problem';

export interface ProblemResponse {
  status: number;
  body: ProblemDocument;
  headers: Record<string, string>;
  /** Unexpected errors are logged with their stack; expected ones are not. */
  unexpected: boolean;
}

/** Problem types are URNs: stable identifiers that promise no documentation host. */
export const PROBLEM_TYPE_BASE = 'urn:btrust-cas:problem:';

/** Codes for statuses reached without an ApiProblem (framework errors, routing). */
const CODE_BY_STATUS: Record<number, { code: string; title: string }> = {
  400: { code: 'BAD_REQUEST', title: 'Bad request' },
  401: { code: 'UNAUTHENTICATED', title: 'Authentication required' },
  403: { code: 'FORBIDDEN', title: 'Forbidden' },
  404: { code: 'NOT_FOUND', title: 'Not found' },
  405: { code: 'METHOD_NOT_ALLOWED', title: 'Method not allowed' },
  406: { code: 'NOT_ACCEPTABLE', title: 'Not acceptable' },
  409: { code: 'CONFLICT', title: 'Conflict' },
  413: { code: 'PAYLOAD_TOO_LARGE', title: 'Payload too large' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported media type' },
  422: { code: 'UNPROCESSABLE', title: 'Unprocessable request' },
  429: { code: 'RATE_LIMITED', title: 'Too many requests' },
  503: { code: 'SERVICE_UNAVAILABLE', title: 'Service unavailable' },
};

/** Fastify's own request errors (body parsing, content type), by their `code`. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; title: string; detail: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
    detail: 'Send the body as application/json.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    title: 'Payload too large',
    detail: 'The request body is larger than this server accepts.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_JSON',
    title: 'Malformed JSON',
    detail: 'The body is empty but the content type says JSON.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_JSON',
    title: 'Malformed JSON',
    detail: 'The request body is not valid JSON.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'BAD_REQUEST',
    title: 'Bad request',
    detail: 'Content-Length does not match the body.',
  },
};

/**
 * Turns anything thrown while serving a request into an RFC 9457 problem.
 * Internals (messages of unexpected errors, stacks) never reach the wire.
 */
export function toProblem(error: unknown, context: { requestId?: string; instance?: string }): ProblemResponse {
  const base = { instance: context.instance, requestId: context.requestId };

  if (error instanceof ApiProblem) {
    return {
      status: error.status,
      headers: error.headers,
      unexpected: false,
      body: {
        type: PROBLEM_TYPE_BASE + error.code,
        title: error.title,
        status: error.status,
        code: error.code,
        detail: error.detail,
        ...base,
        ...error.extensions,
      },
    };
  }

  const fastifyError = fastifyErrorOf(error);
  if (fastifyError) return expected(fastifyError.status, fastifyError.code, fastifyError.title, fastifyError.detail, base);

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const known = CODE_BY_STATUS[status];
    if (known) {
      const problem = expected(status, known.code, known.title, messageOf(error), base);
      // Health checks (terminus) explain a 503 with per-dependency details, which are safe to show.
      const details = (error.getResponse() as { details?: unknown }).details;
      if (details) problem.body.checks = details;
      return problem;
    }
  }

  if (isDatabaseUnavailable(error)) {
    const problem = expected(
      503,
      'DATABASE_UNAVAILABLE',
      'Service temporarily unavailable',
      'The database cannot be reached right now. Try again shortly.',
      base,
    );
    problem.headers['retry-after'] = '5';
    return problem;
  }

  if (isSyntaxErrorFromBodyParser(error)) {
    return expected(400, 'MALFORMED_JSON', 'Malformed JSON', 'The request body is not valid JSON.', base);
  }

  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    headers: {},
    unexpected: true,
    body: {
      type: PROBLEM_TYPE_BASE + 'INTERNAL_ERROR',
      title: 'Internal server error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_ERROR',
      detail: 'Something went wrong on our side. Quote the requestId when you report it.',
      ...base,
    },
  };
}

function expected(
  status: number,
  code: string,
  title: string,
  detail: string | undefined,
  base: { instance?: string; requestId?: string },
): ProblemResponse {
  return {
    status,
    headers: {},
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
