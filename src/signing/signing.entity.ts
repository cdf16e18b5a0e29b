import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { FailureColumns } from '../common/entity/failure-columns';
import { RecordTimestamps } from '../common/entity/record-timestamps';
import { WebIdentification } from '../identification/web/web-identification.entity';
import type { SigningStatus } from './signing.state';

/** Documents put up for signing with the sign session of one web identification (scenario 3). */
@Entity({ name: 'signings' })
@Index(['owner', 'createdAt'])
@Index('signings_pending', ['status', 'createdAt'], { where: `status = 'PENDING'` })
// A sign session is single-use: at most one signing in flight per identification, even across instances.
// One whose 3.1 may have reached B-Trust (OUTCOME_UNKNOWN) may hold the sign session too.
@Index('signings_one_pending_per_identification', ['webIdentificationId'], { unique: true, where: `status IN ('PENDING', 'OUTCOME_UNKNOWN')` })
export class Signing extends RecordTimestamps {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  owner: string;

  @Index()
  @Column({ name: 'web_identification_id', type: 'uuid' })
  webIdentificationId: string;

  @ManyToOne(() => WebIdentification, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'web_identification_id' })
  webIdentification?: WebIdentification;

  @Column({ type: 'text' })
  status: SigningStatus;

  /** The sign session this signing used; the signing webhook and 3.3 name it. */
  @Column({ name: 'sign_session_id', type: 'text' })
  signSessionId: string;

  @Column({ name: 'result_id', type: 'text', nullable: true })
  resultId: string | null;

  @Column({ name: 'client_document_url', type: 'text', nullable: true })
  clientDocumentUrl: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'signed_at', type: 'timestamptz', nullable: true })
  signedAt: Date | null;

  @Column({ name: 'email_signed_documents', type: 'boolean' })
  emailSignedDocuments: boolean;

  @Column({ name: 'success_url', type: 'text' })
  successUrl: string;

  @Column({ name: 'cancel_url', type: 'text' })
  cancelUrl: string;

  @Column(() => FailureColumns, { prefix: false })
  failure: FailureColumns;

  /** Signed documents B-Trust returned that match no original: kept in signing_unmatched_documents for operators. */
  @Column({ name: 'unmatched_documents', type: 'smallint', default: 0 })
  unmatchedDocuments: number;

  @Column({ name: 'last_reconciled_at', type: 'timestamptz', nullable: true })
  lastReconciledAt: Date | null;

  /** When retention erased the documents (originals and signed); the hashes and states stay. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;
}
