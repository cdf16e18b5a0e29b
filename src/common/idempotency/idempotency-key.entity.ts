import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A remembered answer to a POST that carried an Idempotency-Key, so a repeat
 * gets the same resource instead of a second (paid) provider call.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKey {
  @PrimaryColumn({ type: 'text' })
  owner: string;

  /** The operation (route) and the client's key, e.g. `mobile-identifications:4f1c…`. */
  @PrimaryColumn({ type: 'text' })
  key: string;

  /** SHA-256 of the canonical request body: the same key with another body is a client bug. */
  @Column({ name: 'request_hash', type: 'text' })
  requestHash: string;

  /** Null while the first request is still being served. */
  @Column({ name: 'response_status', type: 'integer', nullable: true })
  responseStatus: number | null;

  @Column({ name: 'response_body', type: 'jsonb', nullable: true })
  responseBody: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
