import type { ApiHeaderOptions } from '@nestjs/swagger';

export const IDEMPOTENCY_HEADER: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Repeat a POST safely: the same key and body return the same answer, with no second (paid) B-Trust call; ' +
    'the same key with another body is refused (422 IDEMPOTENCY_KEY_REUSED).',
};
