import { ApiProblem, HttpErrorCode } from '../common/problem/http-error';
import { AuthError, AuthErrorCode } from './auth.errors';

/**
 * 401 with the challenge RFC 6750 asks for: plain `Bearer` when no token was
 * sent, `error="invalid_token"` when one was sent and refused.
 */
export function unauthenticated(detail: string, tokenSent: boolean): ApiProblem {
  const challenge = tokenSent ? 'Bearer error="invalid_token"' : 'Bearer';
  return new ApiProblem(HttpErrorCode.UNAUTHENTICATED, detail, {}, { 'www-authenticate': challenge });
}

export function forbidden(detail: string): ApiProblem {
  return new ApiProblem(HttpErrorCode.FORBIDDEN, detail, {}, { 'www-authenticate': 'Bearer error="insufficient_scope"' });
}

const KEYS_RETRY_AFTER_SECONDS = 5;

/** The identity provider's key set could not be fetched: the caller's token may well be fine. */
export function authUnavailable(): AuthError {
  return new AuthError(
    AuthErrorCode.AUTH_UNAVAILABLE,
    'The keys to verify bearer tokens could not be fetched from the identity provider. Try again shortly.',
    {},
    KEYS_RETRY_AFTER_SECONDS,
  );
}
