import { FeatureError } from '../problem/feature-error';

export enum RateLimitErrorCode {
  /** Too many paid creations by this owner or from this address in the current window. */
  RATE_LIMITED = 'RATE_LIMITED',
}

export class RateLimitError extends FeatureError<RateLimitErrorCode> {}
