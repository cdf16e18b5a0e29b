import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type CallbackOutcome =
  | 'PENDING'
  | 'APPLIED'
  | 'NO_CHANGE'
  | 'MISMATCH'
  | 'UNHANDLED'
  | 'FAILED';

/**
 * Which of its flow's ids a webhook's sessionId is. Reading: the document's
 * examples show the web session, but the registration's id and every sign
 * session are also called sessionId, so any of them ties nothing and NONE is
 * recorded, never a reason to drop the webhook (its resultId ties it).
 */
export type SessionIdMatch = 'WEB_SESSION' | 'REGISTRATION_SESSION' | 'SIGN_SESSION_USED' | 'SIGN_SESSION_HANDED' | 'NONE';

/**
 * Every webhook that passed the token and shape checks, kept as received
 * (it holds no personal data) together with what processing made of it.
 */
@Entity({ name: 'callback_inbox' })
@Index(['subjectId', 'dedupeKey'], { unique: true })
@Index('callback_inbox_pending', ['receivedAt'], { where: `outcome = 'PENDING'` })
export class CallbackInboxEntry {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  /** requestId, processState, sessionId and resultId: the same delivery twice has the same key. */
  @Column({ name: 'dedupe_key', type: 'text' })
  dedupeKey: string;

  @Column({ name: 'request_id', type: 'text' })
  requestId: string;

  @Column({ name: 'relying_party_id', type: 'text' })
  relyingPartyId: string;

  /**
   * The body named another relyingPartyId than our header's. Reading: the
   * document's examples show two different numbers and never say they are
   * the same, so this is recorded and the webhook processed like any other.
   */
  @Column({ name: 'foreign_relying_party', type: 'boolean', default: false })
  foreignRelyingParty: boolean;

  @Column({ name: 'process_state', type: 'text' })
  processState: string;

  @Column({ name: 'session_id', type: 'text' })
  sessionId: string;

  @Column({ name: 'result_id', type: 'text' })
  resultId: string;

  /** Set when processing tied the webhook to its flow; null before, and when nothing matched its resultId. */
  @Column({ name: 'session_id_match', type: 'text', nullable: true })
  sessionIdMatch: SessionIdMatch | null;

  @Column({ name: 'provider_code', type: 'text', nullable: true })
  providerCode: string | null;

  @Column({ type: 'text', default: 'PENDING' })
  outcome: CallbackOutcome;

  @Column({ name: 'outcome_detail', type: 'text', nullable: true })
  outcomeDetail: string | null;

  @Column({ name: 'duplicates', type: 'integer', default: 0 })
  duplicates: number;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
