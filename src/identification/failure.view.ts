import { ApiProperty } from '@nestjs/swagger';
import type { FailureColumns } from '../common/entity/failure-columns';

/** Why a record ended FAILED, REJECTED or EXPIRED: our code or the provider's, and its message. */
export class FailureView {
  @ApiProperty({ example: 'REJECTED' })
  code: string;

  @ApiProperty({ example: 'The request is rejected.' })
  message: string;
}

/** A record's failure columns as the API shows them: null while there is no code. */
export function toFailureView(failure: FailureColumns): FailureView | null {
  return failure.code ? { code: failure.code, message: failure.message ?? '' } : null;
}
