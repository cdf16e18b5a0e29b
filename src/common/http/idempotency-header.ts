import type { ApiHeaderOptions } from '@nestjs/swagger';
import { IdempotencyErrorCode } from '../idempotency/idempotency.errors';

export const IDEMPOTENCY_HEADER: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Repeat a POST safely: the same key and body return the same answer at once, with no second (paid) B-Trust call; ' +
    'the same key with another body is refused (422 IDEMPOTENCY_KEY_REUSED). While the first request is still running, ' +
    'a repeat gets 409 IDEMPOTENCY_KEY_IN_PROGRESS with Retry-After (seconds); if the server serving the first request ' +
    'stopped, a repeat after IDEMPOTENCY_LEASE_MS serves it afresh. A key is remembered for IDEMPOTENCY_KEY_TTL_MS ' +
    '(default 24 hours) after its first use. Every repeat counts against the rate limit.',
  example: '5b0d1f0e-8c1a-4c2e-9f7a-0d6f1e2b3c4d',
};

/** What a route that takes IDEMPOTENCY_HEADER may answer because of it. */
export const IDEMPOTENCY_PROBLEMS = [
  IdempotencyErrorCode.INVALID_IDEMPOTENCY_KEY,
  IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
  IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED,
] as const;
