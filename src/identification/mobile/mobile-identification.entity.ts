import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { FailureColumns } from '../../common/entity/failure-columns';
import { RecordTimestamps } from '../../common/entity/record-timestamps';
import { BlindIndexOf } from '../../common/crypto/blind-index.subscriber';
import { blindIndexOf } from '../../common/crypto/data-protection';
import { encryptedBytes, encryptedText } from '../../common/crypto/encrypted-column';
import type { MobileIdentificationStatus } from './mobile-identification.state';

/** The identifier's stable field name: bound into its ciphertexts and its blind index. */
const IDENTIFIER_FIELD = 'mobile_identifications.identifier';

/** Find a person's identifications without decrypting anything: `findBy({ identifierHmac: identifierHmacOf(egn) })`. */
export function identifierHmacOf(identifier: string): string {
  return blindIndexOf(identifier, IDENTIFIER_FIELD);
}

/**
 * Personal fields and the eID certificate are encrypted at rest (AES-256-GCM,
 * `*_encrypted` bytea columns) and read back in plain; retention erases them
 * (null) once the identification is finished and old, and sets `purgedAt`.
 */

/**
 * SQL for "not final yet": the poll-due index's condition, which the queries
 * that should use that index repeat word for word.
 */
export const OPEN_MOBILE_IDENTIFICATION = `status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`;

/**
 * SQL for every state that is not final, OUTCOME_UNKNOWN included (it waits for an operator, not
 * for a poll): the open-record gauges count these through the index of the same condition.
 */
export const UNFINISHED_MOBILE_IDENTIFICATION = `status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS', 'OUTCOME_UNKNOWN')`;

@Entity({ name: 'mobile_identifications' })
@Index(['owner', 'createdAt'])
// The pollers' work list: open identifications in the order their polls fall due.
@Index('mobile_identifications_poll_due', ['nextPollAt'], { where: OPEN_MOBILE_IDENTIFICATION })
@Index('mobile_identifications_unfinished', ['status', 'createdAt'], { where: UNFINISHED_MOBILE_IDENTIFICATION })
export class MobileIdentification extends RecordTimestamps {
  @PrimaryColumn('uuid')
  id: string;

  /** The subject (user) that created it; nobody else may see it. */
  @Column({ type: 'text' })
  owner: string;

  @Column({ type: 'text' })
  status: MobileIdentificationStatus;

  @Column({ name: 'doc_type', type: 'text' })
  docType: string;

  @Column({ name: 'identifier_encrypted', type: 'bytea', nullable: true, transformer: encryptedText(IDENTIFIER_FIELD) })
  identifier: string | null;

  /** HMAC-SHA256 blind index of the identifier (DATA_INDEX_KEY): equality lookups; kept after retention. */
  @Index()
  @BlindIndexOf('identifier', IDENTIFIER_FIELD)
  @Column({ name: 'identifier_hmac', type: 'text', nullable: true })
  identifierHmac: string | null;

  @Column({ name: 'identifier_masked', type: 'text' })
  identifierMasked: string;

  /** `YYYY-MM-DD`. */
  @Column({
    name: 'date_of_birth_encrypted',
    type: 'bytea',
    nullable: true,
    transformer: encryptedText('mobile_identifications.date_of_birth'),
  })
  dateOfBirth: string | null;

  @Column({
    name: 'phone_number_encrypted',
    type: 'bytea',
    nullable: true,
    transformer: encryptedText('mobile_identifications.phone_number'),
  })
  phoneNumber: string | null;

  @Column({ name: 'email_encrypted', type: 'bytea', nullable: true, transformer: encryptedText('mobile_identifications.email') })
  email: string | null;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text' })
  language: string;

  /** B-Trust's id for polling; null until the provider accepted the request. */
  @Index({ unique: true, where: 'provider_callback_id IS NOT NULL' })
  @Column({ name: 'provider_callback_id', type: 'text', nullable: true })
  providerCallbackId: string | null;

  @Column({ name: 'provider_status', type: 'text', nullable: true })
  providerStatus: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  identificator: string | null;

  @Column({ name: 'identification_before', type: 'text', nullable: true })
  identificationBefore: string | null;

  @Column({
    name: 'certificate_pdf_encrypted',
    type: 'bytea',
    nullable: true,
    select: false,
    transformer: encryptedBytes('mobile_identifications.certificate_pdf'),
  })
  certificatePdf: Buffer | null;

  @Column(() => FailureColumns, { prefix: false })
  failure: FailureColumns;

  @Column({ name: 'poll_count', type: 'integer', default: 0 })
  pollCount: number;

  /** Finished answers that came without the eID certificate; at EID_CERTIFICATE_FETCH_ATTEMPTS the identification FAILS. */
  @Column({ name: 'eid_certificate_misses', type: 'integer', default: 0 })
  eidCertificateMisses: number;

  @Column({ name: 'next_poll_at', type: 'timestamptz', nullable: true })
  nextPollAt: Date | null;

  @Column({ name: 'last_polled_at', type: 'timestamptz', nullable: true })
  lastPolledAt: Date | null;

  /**
   * Set while one instance polls this identification, so that no other takes
   * it; a claim left by an instance that died lapses at this time.
   */
  @Column({ name: 'poll_claimed_until', type: 'timestamptz', nullable: true })
  pollClaimedUntil: Date | null;

  /** When retention erased the personal fields and the certificate; the states stay in the audit trail. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;
}
