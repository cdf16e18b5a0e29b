import { HttpStatus } from '@nestjs/common';
import { AdminErrorCode } from '../../admin/admin.errors';
import { AuthErrorCode } from '../../auth/auth.errors';
import { ProviderErrorCode } from '../../btrust/provider-failure';
import { CallbackErrorCode } from '../../callbacks/callback.errors';
import { LiveStatusErrorCode } from '../../events/live-status.errors';
import { MobileIdentificationErrorCode } from '../../identification/mobile/mobile-identification.errors';
import { WebIdentificationErrorCode } from '../../identification/web/web-identification.errors';
import { SigningErrorCode } from '../../signing/signing.errors';
import { IdempotencyErrorCode } from '../idempotency/idempotency.errors';
import { RateLimitErrorCode } from '../rate-limit/rate-limit.errors';
import { HttpErrorCode } from './http-error';
import { RequestErrorCode } from './request-error';

/** Problem types are URNs: stable identifiers that promise no documentation host. */
export const PROBLEM_TYPE_BASE = 'urn:btrust-cas:problem:';

/** What a code answers with on the wire. The problem's `type` is `PROBLEM_TYPE_BASE + code`. */
export interface ProblemEntry {
  status: number;
  /** Human-readable and stable per code; clients switch on `code`, not on this. */
  title: string;
}

/** Typed per family, so that an enum member without an entry does not compile. */
type Family<Code extends string> = Readonly<Record<Code, ProblemEntry>>;

const REQUEST: Family<RequestErrorCode> = {
  VALIDATION_FAILED: { status: HttpStatus.BAD_REQUEST, title: 'Validation failed' },
  NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Not found' },
};

const HTTP: Family<HttpErrorCode> = {
  BAD_REQUEST: { status: HttpStatus.BAD_REQUEST, title: 'Bad request' },
  MALFORMED_JSON: { status: HttpStatus.BAD_REQUEST, title: 'Malformed JSON' },
  JSON_TOO_DEEP: { status: HttpStatus.BAD_REQUEST, title: 'JSON nested too deep' },
  UNAUTHENTICATED: { status: HttpStatus.UNAUTHORIZED, title: 'Authentication required' },
  FORBIDDEN: { status: HttpStatus.FORBIDDEN, title: 'Forbidden' },
  METHOD_NOT_ALLOWED: { status: HttpStatus.METHOD_NOT_ALLOWED, title: 'Method not allowed' },
  NOT_ACCEPTABLE: { status: HttpStatus.NOT_ACCEPTABLE, title: 'Not acceptable' },
  REQUEST_TIMEOUT: { status: HttpStatus.REQUEST_TIMEOUT, title: 'Request timeout' },
  BODY_TIMEOUT: { status: HttpStatus.REQUEST_TIMEOUT, title: 'Request timeout' },
  CONFLICT: { status: HttpStatus.CONFLICT, title: 'Conflict' },
  PAYLOAD_TOO_LARGE: { status: HttpStatus.PAYLOAD_TOO_LARGE, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: HttpStatus.UNSUPPORTED_MEDIA_TYPE, title: 'Unsupported media type' },
  UNPROCESSABLE: { status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Unprocessable request' },
  HEADERS_TOO_LARGE: { status: 431 /* Request Header Fields Too Large: not in HttpStatus */, title: 'Request header fields too large' },
  INTERNAL_ERROR: { status: HttpStatus.INTERNAL_SERVER_ERROR, title: 'Internal server error' },
  SERVICE_UNAVAILABLE: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Service unavailable' },
  DATABASE_UNAVAILABLE: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Service temporarily unavailable' },
};

/**
 * B-Trust's failures by what they mean for the caller: a refusal is 422 (do not repeat it as
 * is), our own access refused or an unknown outcome is 502 (operators act), a request that
 * never left is 503 (try again), one that got no answer in time is 504.
 */
const PROVIDER: Family<ProviderErrorCode> = {
  PROVIDER_REJECTED: { status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'B-Trust refused the request' },
  PROVIDER_ACCESS_REFUSED: { status: HttpStatus.BAD_GATEWAY, title: "B-Trust refused this server's access" },
  PROVIDER_OUTCOME_UNKNOWN: { status: HttpStatus.BAD_GATEWAY, title: "B-Trust's answer is unknown" },
  NOT_OUTCOME_UNKNOWN: { status: HttpStatus.CONFLICT, title: 'Nothing to resolve' },
  UPSTREAM_UNAVAILABLE: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'B-Trust is unavailable' },
  UPSTREAM_TIMEOUT: { status: HttpStatus.GATEWAY_TIMEOUT, title: 'B-Trust did not answer in time' },
  UPSTREAM_ERROR: { status: HttpStatus.BAD_GATEWAY, title: 'B-Trust answered with an error' },
  CIRCUIT_OPEN: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'B-Trust is failing; calls are paused' },
};

const AUTH: Family<AuthErrorCode> = {
  AUTH_UNAVAILABLE: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Authentication unavailable' },
};

const MOBILE_IDENTIFICATION: Family<MobileIdentificationErrorCode> = {
  NOT_COMPLETED: { status: HttpStatus.CONFLICT, title: 'Not completed' },
  CALLBACK_ID_MISMATCH: { status: HttpStatus.CONFLICT, title: 'Another callbackId is already recorded' },
  CALLBACK_ID_IN_USE: { status: HttpStatus.CONFLICT, title: 'The callbackId belongs to another identification' },
};

const WEB_IDENTIFICATION: Family<WebIdentificationErrorCode> = {
  NOT_IDENTIFIED: { status: HttpStatus.CONFLICT, title: 'Not identified' },
  NO_REGISTRATION: { status: HttpStatus.CONFLICT, title: 'No registration' },
  IDENTIFICATION_DENIED: { status: HttpStatus.CONFLICT, title: 'Identification denied' },
  SIGN_SESSION_EXPIRED: { status: HttpStatus.CONFLICT, title: 'Sign session expired' },
  IDENTIFICATION_STATUS_UNAVAILABLE: { status: HttpStatus.SERVICE_UNAVAILABLE, title: 'Could not confirm the identification' },
};

const SIGNING: Family<SigningErrorCode> = {
  NOT_SIGNED: { status: HttpStatus.CONFLICT, title: 'Not signed' },
  SIGNING_IN_PROGRESS: { status: HttpStatus.CONFLICT, title: 'Signing in progress' },
  TOO_MANY_DOCUMENTS: { status: HttpStatus.BAD_REQUEST, title: 'Too many documents' },
  DOCUMENT_TOO_LARGE: { status: HttpStatus.PAYLOAD_TOO_LARGE, title: 'Document too large' },
  MALFORMED_MULTIPART: { status: HttpStatus.BAD_REQUEST, title: 'Malformed multipart body' },
  PDF_LIMIT_EXCEEDED: { status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'PDF too complex' },
  ACTIVE_CONTENT_REFUSED: { status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Active content refused' },
  RESULT_ID_IN_USE: { status: HttpStatus.CONFLICT, title: 'The resultId belongs to another signing' },
};

const CALLBACKS: Family<CallbackErrorCode> = {
  INVALID_CALLBACK: { status: HttpStatus.BAD_REQUEST, title: 'Invalid callback' },
  CALLBACK_NOT_FOUND: { status: HttpStatus.NOT_FOUND, title: 'Not found' },
};

const ADMIN: Family<AdminErrorCode> = {
  INVALID_CURSOR: { status: HttpStatus.BAD_REQUEST, title: 'Invalid cursor' },
};

const IDEMPOTENCY: Family<IdempotencyErrorCode> = {
  INVALID_IDEMPOTENCY_KEY: { status: HttpStatus.BAD_REQUEST, title: 'Invalid Idempotency-Key' },
  IDEMPOTENCY_KEY_REUSED: { status: HttpStatus.UNPROCESSABLE_ENTITY, title: 'Idempotency-Key reused with another body' },
  IDEMPOTENCY_KEY_IN_PROGRESS: { status: HttpStatus.CONFLICT, title: 'The first request with this Idempotency-Key is still running' },
};

const RATE_LIMIT: Family<RateLimitErrorCode> = {
  RATE_LIMITED: { status: HttpStatus.TOO_MANY_REQUESTS, title: 'Too many requests' },
};

const LIVE_STATUS: Family<LiveStatusErrorCode> = {
  TOO_MANY_STREAMS: { status: HttpStatus.TOO_MANY_REQUESTS, title: 'Too many live-status streams' },
};

/** Every family by its enum's name, for the check that each member is mapped and no code is mapped twice apart. */
export const PROBLEM_FAMILIES = {
  RequestErrorCode: { codes: RequestErrorCode, entries: REQUEST },
  HttpErrorCode: { codes: HttpErrorCode, entries: HTTP },
  ProviderErrorCode: { codes: ProviderErrorCode, entries: PROVIDER },
  AuthErrorCode: { codes: AuthErrorCode, entries: AUTH },
  MobileIdentificationErrorCode: { codes: MobileIdentificationErrorCode, entries: MOBILE_IDENTIFICATION },
  WebIdentificationErrorCode: { codes: WebIdentificationErrorCode, entries: WEB_IDENTIFICATION },
  SigningErrorCode: { codes: SigningErrorCode, entries: SIGNING },
  CallbackErrorCode: { codes: CallbackErrorCode, entries: CALLBACKS },
  AdminErrorCode: { codes: AdminErrorCode, entries: ADMIN },
  IdempotencyErrorCode: { codes: IdempotencyErrorCode, entries: IDEMPOTENCY },
  RateLimitErrorCode: { codes: RateLimitErrorCode, entries: RATE_LIMIT },
  LiveStatusErrorCode: { codes: LiveStatusErrorCode, entries: LIVE_STATUS },
} as const;

type Families = typeof PROBLEM_FAMILIES;

/** Any code the server answers with: a member of one of the families' enums. */
export type ProblemCode = { [Name in keyof Families]: Families[Name]['codes'][keyof Families[Name]['codes']] }[keyof Families];

// Keyed by the codes' strings: two families may share a code (e.g. NOT_IDENTIFIED) as long as they agree on it.
const CATALOGUE: Readonly<Record<string, ProblemEntry>> = Object.assign(
  {},
  ...Object.values(PROBLEM_FAMILIES).map((family) => family.entries),
);

/** The status and title of `code`; undefined for a code no family declares. */
export function problemEntryOf(code: string): ProblemEntry | undefined {
  return Object.hasOwn(CATALOGUE, code) ? CATALOGUE[code] : undefined;
}

export function problemEntry(code: ProblemCode): ProblemEntry {
  return CATALOGUE[code];
}

export function statusOf(code: ProblemCode): number {
  return problemEntry(code).status;
}

/** The members every problem of `code` starts with, whatever its detail and extensions. */
export function problemHead(code: ProblemCode): { type: string; title: string; status: number; code: string } {
  return { type: PROBLEM_TYPE_BASE + code, ...problemEntry(code), code };
}
