import { FeatureError } from '../problem/feature-error';

export enum IdempotencyErrorCode {
  INVALID_IDEMPOTENCY_KEY = 'INVALID_IDEMPOTENCY_KEY',
  /** The key was first used with another request body. */
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  /** The first request with the key has not answered yet. */
  IDEMPOTENCY_KEY_IN_PROGRESS = 'IDEMPOTENCY_KEY_IN_PROGRESS',
}

export class IdempotencyError extends FeatureError<IdempotencyErrorCode> {}
