import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { FailureColumns } from '../../common/entity/failure-columns';
import { RecordTimestamps } from '../../common/entity/record-timestamps';
import { encryptedBytes } from '../../common/crypto/encrypted-column';
import type { WebIdentificationStatus } from './web-identification.state';

/**
 * The eID certificate is encrypted at rest (AES-256-GCM) and read back in
 * plain; retention erases it once the identification is finished and old.
 */

/**
 * SQL for "waiting for the person or the agent" (OPEN_WEB_IDENTIFICATION_STATUSES): the open
 * index's condition, which the queries that should use that index repeat word for word.
 */
export const OPEN_WEB_IDENTIFICATION = `status IN ('STARTED', 'UNDER_REVIEW')`;

@Entity({ name: 'web_identifications' })
@Index(['owner', 'createdAt'])
@Index('web_identifications_open', ['status', 'createdAt'], { where: OPEN_WEB_IDENTIFICATION })
export class WebIdentification extends RecordTimestamps {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  owner: string;

  @Column({ type: 'text' })
  status: WebIdentificationStatus;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text' })
  language: string;

  @Column({ name: 'success_url', type: 'text' })
  successUrl: string;

  @Column({ name: 'cancel_url', type: 'text' })
  cancelUrl: string;

  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef: string | null;

  @Index({ unique: true, where: 'web_session_id IS NOT NULL' })
  @Column({ name: 'web_session_id', type: 'text', nullable: true })
  webSessionId: string | null;

  @Column({ name: 'result_id', type: 'text', nullable: true })
  resultId: string | null;

  @Column({ name: 'registration_id', type: 'text', nullable: true })
  registrationId: string | null;

  @Column({ name: 'registration_session_id', type: 'text', nullable: true })
  registrationSessionId: string | null;

  @Column({ name: 'redirect_url', type: 'text', nullable: true })
  redirectUrl: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'identified_at', type: 'timestamptz', nullable: true })
  identifiedAt: Date | null;

  @Column({ name: 'client_identificator', type: 'text', nullable: true })
  clientIdentificator: string | null;

  @Column({
    name: 'eid_certificate_pdf_encrypted',
    type: 'bytea',
    nullable: true,
    select: false,
    transformer: encryptedBytes('web_identifications.eid_certificate_pdf'),
  })
  eidCertificatePdf: Buffer | null;

  /** The sign session to use for the next signing; B-Trust hands a new one back after each. */
  @Column({ name: 'sign_session_id', type: 'text', nullable: true })
  signSessionId: string | null;

  @Column({ name: 'sign_session_expires_at', type: 'timestamptz', nullable: true })
  signSessionExpiresAt: Date | null;

  @Column({ name: 'provider_status', type: 'text', nullable: true })
  providerStatus: string | null;

  @Column({ name: 'provider_step', type: 'text', nullable: true })
  providerStep: string | null;

  @Column({ name: 'registration_status', type: 'text', nullable: true })
  registrationStatus: string | null;

  @Column({ name: 'review_status', type: 'text', nullable: true })
  reviewStatus: string | null;

  /** When the agent's review was first seen; WEB_REVIEW_MAX_MS counts from here. */
  @Column({ name: 'review_started_at', type: 'timestamptz', nullable: true })
  reviewStartedAt: Date | null;

  /** 2.5 answers that came without the eID certificate; at EID_CERTIFICATE_FETCH_ATTEMPTS the identification FAILS. */
  @Column({ name: 'eid_certificate_misses', type: 'integer', default: 0 })
  eidCertificateMisses: number;

  @Column({ name: 'provider_updated_at', type: 'timestamptz', nullable: true })
  providerUpdatedAt: Date | null;

  @Column(() => FailureColumns, { prefix: false })
  failure: FailureColumns;

  @Column({ name: 'last_reconciled_at', type: 'timestamptz', nullable: true })
  lastReconciledAt: Date | null;

  /** When retention erased the eID certificate; the states stay in the audit trail. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;
}
