import { Column } from 'typeorm';

/**
 * Why a record ended FAILED, REJECTED or EXPIRED (or stays in doubt): our code or
 * the provider's, and its message.
 *
 * Embedded with `prefix: false`, so the columns keep their names failure_code
 * and failure_message in every table that holds them.
 */
export class FailureColumns {
  @Column({ name: 'failure_code', type: 'text', nullable: true })
  code: string | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  message: string | null;
}

