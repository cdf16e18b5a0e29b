import type { ApiHeaderOptions } from '@nestjs/swagger';
import { IdempotencyErrorCode } from '../idempotency/idempotency.errors';

export const IDEMPOTENCY_HEADER: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Repeat a POST safely: the same key and body return the same answer, with no second (paid) B-Trust call; ' +
    'the same key with another body is refused (422 IDEMPOTENCY_KEY_REUSED).',
};

/** What a route that takes IDEMPOTENCY_HEADER may answer because of it. */
export const IDEMPOTENCY_PROBLEMS = [
  IdempotencyErrorCode.INVALID_IDEMPOTENCY_KEY,
  IdempotencyErrorCode.IDEMPOTENCY_IN_PROGRESS,
  IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED,
] as const;
