import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A remembered answer to a POST that carried an Idempotency-Key, so a repeat
 * gets the same resource instead of a second (paid) provider call. While the
 * first request runs, the key is leased to it: a holder that died stops
 * renewing, and the next repeat takes the key over once the lease has run out
 * (unless the holder had created its record: see recordId).
 */
@Entity({ name: 'idempotency_keys' })
@Index('idempotency_keys_expiry', ['expiresAt'])
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

  /** Which request holds the key (a fresh id per attempt): only its holder may renew it or store the answer. */
  @Column({ type: 'uuid', nullable: true })
  holder: string | null;

  /** Renewed by the holder while it runs; null once the answer is stored. */
  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  /**
   * The record the request created before its paid provider call, written in the record's own
   * transaction: a holder that died after it may have reached B-Trust, so its key is never served
   * afresh (that would be a second paid call) but answered with this record's unknown outcome.
   */
  @Column({ name: 'record_id', type: 'uuid', nullable: true })
  recordId: string | null;

  /** IDEMPOTENCY_KEY_TTL_MS after the first use: the key is forgotten then, and pruned. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
