import { classifyFailure, type AnswerClass } from './btrust-reading-policy';

export const BTRUST_ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'REJECTED',
  'UPSTREAM_ERROR',
  'TIMEOUT',
  'UNAVAILABLE',
  'CIRCUIT_OPEN',
  'TLS',
  'UNPROCESSABLE_RESPONSE',
] as const;

export type BtrustErrorCode = (typeof BTRUST_ERROR_CODES)[number];

/** The provider is (probably) down or overloaded: worth another try later, and evidence for the circuit breaker. */
const RETRYABLE_CODES: ReadonlySet<BtrustErrorCode> = new Set<BtrustErrorCode>([
  'TIMEOUT',
  'UNAVAILABLE',
  'UPSTREAM_ERROR',
]);

const PROVIDER_ANSWER_CODES: ReadonlySet<BtrustErrorCode> = new Set<BtrustErrorCode>(['REJECTED', 'NOT_FOUND', 'BAD_REQUEST']);

/**
 * B-Trust answered and said no (as opposed to not being reached: timeouts,
 * an open breaker, TLS, a malformed answer). Work driven by a webhook can act
 * on an answer, and should try again later on anything else.
 */
export function isProviderAnswer(error: BtrustError): boolean {
  return PROVIDER_ANSWER_CODES.has(error.code);
}

export function isRetryableBtrustErrorCode(code: BtrustErrorCode): boolean {
  return RETRYABLE_CODES.has(code);
}

export interface BtrustErrorDetails {
  code: BtrustErrorCode;
  operation: string;
  message: string;
  httpStatus?: number;
  providerCode?: string;
  providerMessage?: string;
  /** True only when the request certainly never reached B-Trust; unset means it was, or may have been, received. */
  notSent?: boolean;
  cause?: unknown;
}

/**
 * The only error the B-Trust client throws for provider trouble. Features switch on
 * `answerClass` (see btrust-reading-policy.ts); `code` and `retryable` describe the failure
 * itself and drive the client's own GET retries and its breaker. Nobody outside src/btrust
 * treats HTTP statuses or the provider's codes as control flow.
 */
export class BtrustError extends Error {
  readonly code: BtrustErrorCode;
  readonly retryable: boolean;
  /** What the failure means for the flow that made the call. */
  readonly answerClass: AnswerClass;
  /** True only when the request certainly never reached B-Trust. */
  readonly notSent: boolean;
  readonly operation: string;
  readonly httpStatus?: number;
  readonly providerCode?: string;
  readonly providerMessage?: string;

  constructor(details: BtrustErrorDetails) {
    super(`B-Trust ${details.operation}: ${details.message}`, { cause: details.cause });
    this.name = 'BtrustError';
    this.code = details.code;
    this.retryable = isRetryableBtrustErrorCode(details.code);
    this.operation = details.operation;
    this.httpStatus = details.httpStatus;
    this.providerCode = details.providerCode;
    this.providerMessage = details.providerMessage;
    this.notSent = details.notSent === true;
    this.answerClass = classifyFailure(details);
  }
}

/** A body posted to the callback URL that does not have the shape of a B-Trust callback. */
export class BtrustCallbackFormatError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Not a B-Trust callback: ${problems.join('; ')}`);
    this.name = 'BtrustCallbackFormatError';
    this.problems = problems;
  }
}
