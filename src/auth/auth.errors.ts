import { FeatureError } from '../common/problem/feature-error';

/** Refusals of a token are the HTTP layer's UNAUTHENTICATED and FORBIDDEN; this is the failure of our own side. */
export enum AuthErrorCode {
  /** The identity provider's key set could not be fetched: the caller's token may well be fine. */
  AUTH_UNAVAILABLE = 'AUTH_UNAVAILABLE',
}

export class AuthError extends FeatureError<AuthErrorCode> {}
