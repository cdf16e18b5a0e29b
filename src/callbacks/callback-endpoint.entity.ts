import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A URL we gave B-Trust to post status changes to. The secret in the URL is
 * stored only as its SHA-256, so a database leak does not reveal live URLs.
 */
@Entity({ name: 'callback_endpoints' })
export class CallbackEndpoint {
  @PrimaryColumn({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  /** What the callbacks are about (a web identification). */
  @Index()
  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
