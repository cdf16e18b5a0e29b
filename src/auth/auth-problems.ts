import { HttpStatus } from '@nestjs/common';
import { ApiProblem } from '../common/problem/problem';

/**
 * 401 with the challenge RFC 6750 asks for: plain `Bearer` when no token was
 * sent, `error="invalid_token"` when one was sent and refused.
 */
export function unauthenticated(detail: string, tokenSent: boolean): ApiProblem {
  const challenge = tokenSent ? 'Bearer error="invalid_token"' : 'Bearer';
  return new ApiProblem(HttpStatus.UNAUTHORIZED, 'UNAUTHENTICATED', 'Authentication required', detail, {}, {
    'www-authenticate': challenge,
  });
}

export function forbidden(detail: string): ApiProblem {
  return new ApiProblem(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'Forbidden', detail, {}, {
    'www-authenticate': 'Bearer error="insufficient_scope"',
  });
}

/** The identity provider's key set could not be fetched: the caller's token may well be fine. */
export function authUnavailable(): ApiProblem {
  return new ApiProblem(
    HttpStatus.SERVICE_UNAVAILABLE,
    'AUTH_UNAVAILABLE',
    'Authentication unavailable',
    'The keys to verify bearer tokens could not be fetched from the identity provider. Try again shortly.',
    {},
    { 'retry-after': '5' },
  );
}
