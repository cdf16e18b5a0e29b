import { ApiProperty } from '@nestjs/swagger';

/** Why a record ended FAILED, REJECTED or EXPIRED: our code or the provider's, and its message. */
export class FailureView {
  @ApiProperty({ example: 'REJECTED' })
  code: string;

  @ApiProperty({ example: 'The request is rejected.' })
  message: string;
}
