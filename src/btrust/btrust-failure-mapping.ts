/**
 * Turns what can go wrong on a call — an unwelcome HTTP answer or a transport failure — into a
 * BtrustError. Pure functions, so every rule here is unit-tested without a socket.
 */
import { isAxiosError } from 'axios';
import { BtrustError, type BtrustErrorCode } from './btrust.errors';
import type { BtrustOperation, EnvelopeWire, ProviderAnswer } from './wire/provider-answer';
import { isRecord, readWireString } from './wire/wire-values';

const REJECTED_CODE = 'REJECTED';

function codeForStatus(httpStatus: number): BtrustErrorCode {
  switch (httpStatus) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
    case 403:
      return 'UNAUTHORIZED';
    case 404:
      return 'NOT_FOUND';
    default:
      return 'UPSTREAM_ERROR';
  }
}

/**
 * Returns the error an answer stands for, or null when it is a success to be mapped.
 *
 * Reading: keyed on the HTTP status first and the body's `code` second. A 503 is the provider
 * being unavailable whatever the body says. Otherwise a body `code` of REJECTED is a final
 * rejection on any status — the document lists it on 400/401/403/404/500, and a 2xx carrying it
 * is treated the same rather than as a success. Other 2xx answers are successes; the remaining
 * statuses map by number, and anything unexpected (3xx, other 4xx, 5xx) is UPSTREAM_ERROR.
 */
export function errorForAnswer(answer: ProviderAnswer): BtrustError | null {
  const envelope: EnvelopeWire = isRecord(answer.body) ? answer.body : {};
  const providerCode = readWireString(envelope.code) ?? undefined;
  const providerMessage = readWireString(envelope.message) ?? undefined;
  const isSuccessStatus = answer.httpStatus >= 200 && answer.httpStatus < 300;

  let code: BtrustErrorCode | null;
  if (answer.httpStatus === 503) {
    code = 'UNAVAILABLE';
  } else if (providerCode === REJECTED_CODE) {
    code = 'REJECTED';
  } else if (isSuccessStatus) {
    code = null;
  } else {
    code = codeForStatus(answer.httpStatus);
  }
  if (code === null) {
    return null;
  }
  return new BtrustError({
    code,
    operation: answer.operation,
    httpStatus: answer.httpStatus,
    providerCode,
    providerMessage,
    message: `HTTP ${answer.httpStatus}${providerCode ? ` ${providerCode}` : ''}`,
  });
}

/** Node/OpenSSL error codes that mean the TLS handshake or a certificate check failed. */
const TLS_ERROR_CODES = new Set([
  'EPROTO',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const TLS_ERROR_CODE_PREFIXES = ['ERR_SSL_', 'ERR_OSSL_', 'CERT_'];

/** Failures of finding or connecting to the provider: nothing was sent. */
const CONNECT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'ERR_TLS_HANDSHAKE_TIMEOUT']);

const UNAVAILABLE_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ERR_SOCKET_CLOSED',
]);

const TIMEOUT_ERROR_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_TLS_HANDSHAKE_TIMEOUT', 'ERR_CANCELED']);

function isTlsErrorCode(code: string): boolean {
  return TLS_ERROR_CODES.has(code) || TLS_ERROR_CODE_PREFIXES.some((prefix) => code.startsWith(prefix));
}

interface RequestTrace {
  reusedSocket?: boolean;
}

/** What the client saw of one attempt's connection, when it watched it. */
export interface ExchangeProgress {
  /** The TLS handshake completed (or a kept-alive connection was reused): from then on the request may reach B-Trust. */
  connected: boolean;
}

/**
 * Reading: with TLS 1.3 the client finishes its side of the handshake before the server has
 * checked the client certificate. A server that then refuses the certificate may send an alert
 * (reported as ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, ERR_SSL_TLSV1_ALERT_UNKNOWN_CA, …) or
 * may just close the connection, which Node reports as "socket hang up" (ECONNRESET) before any
 * response. On a fresh connection that is taken as a refused certificate (TLS, not retried);
 * on a reused keep-alive connection it is the usual idle-connection race (UNAVAILABLE).
 */
function isHangUpOnFreshConnection(code: string, message: string, request: RequestTrace | undefined): boolean {
  return code === 'ECONNRESET' && message === 'socket hang up' && request?.reusedSocket === false;
}

/**
 * Reading: a request can reach B-Trust's application only over an established TLS channel. So
 * it was certainly not sent when the connection was never established (refused, unreachable,
 * DNS, a failed or refused handshake), or when the provider's TLS layer refused our
 * certificate with an alert. Anything after the channel was up — a timeout, a reset, a hang-up
 * without an alert, an answer cut short — may have come after B-Trust received it. That
 * includes the bare hang-up that isHangUpOnFreshConnection reads as a refused certificate:
 * under TLS 1.3 it cannot be told from a server that dropped a request it had received, and for
 * a paid POST only the second reading is safe.
 */
function certainlyNotSent(code: string, syscall: string | undefined, progress: ExchangeProgress | undefined): boolean {
  if (progress !== undefined && !progress.connected) return true;
  return isTlsErrorCode(code) || CONNECT_ERROR_CODES.has(code) || syscall === 'connect';
}

/**
 * Maps an error thrown while sending a request or receiving its answer. Never throws.
 * `progress`, when the caller watched the connection, says whether the request could have left.
 */
export function errorForTransportFailure(operation: BtrustOperation, failure: unknown, progress?: ExchangeProgress): BtrustError {
  if (failure instanceof BtrustError) {
    return failure;
  }
  const code = errorCodeOf(failure);
  const message = failure instanceof Error ? failure.message : String(failure);
  const request: RequestTrace | undefined = isAxiosError(failure) ? (failure.request as RequestTrace) : undefined;

  let mapped: BtrustErrorCode;
  if (isHangUpOnFreshConnection(code, message, request)) {
    mapped = 'TLS';
  } else if (isTlsErrorCode(code)) {
    mapped = 'TLS';
  } else if (TIMEOUT_ERROR_CODES.has(code)) {
    mapped = 'TIMEOUT';
  } else if (UNAVAILABLE_ERROR_CODES.has(code)) {
    mapped = 'UNAVAILABLE';
  } else {
    mapped = 'UPSTREAM_ERROR';
  }
  return new BtrustError({
    code: mapped,
    operation,
    message: code ? `${code}: ${message}` : message,
    notSent: certainlyNotSent(code, syscallOf(failure), progress),
    cause: failure,
  });
}

function syscallOf(failure: unknown): string | undefined {
  for (let current = failure, depth = 0; (isRecord(current) || current instanceof Error) && depth < 4; depth++) {
    const syscall = (current as { syscall?: unknown }).syscall;
    if (typeof syscall === 'string') return syscall;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorCodeOf(failure: unknown): string {
  if (isRecord(failure) || failure instanceof Error) {
    const code = (failure as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    const cause = (failure as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== failure) {
      return errorCodeOf(cause);
    }
  }
  return '';
}
