import { applyDecorators } from '@nestjs/common';
import { Idempotent } from '../idempotency/idempotent';
import { LimitCreationRate } from '../rate-limit/creation-rate-limit';

/**
 * A route that starts a paid B-Trust operation: counted against the creation
 * rate limit before its body is read, and idempotent under `Idempotency-Key`
 * in `scope` (its handler returns idempotent(request, work)).
 */
export function PaidCreation(scope: string) {
  return applyDecorators(LimitCreationRate(), Idempotent(scope));
}
