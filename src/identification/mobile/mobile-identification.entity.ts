import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { MobileIdentificationStatus } from './mobile-identification.state';

@Entity({ name: 'mobile_identifications' })
@Index(['owner', 'createdAt'])
@Index('mobile_identifications_open', ['status', 'nextPollAt'], {
  where: `status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`,
})
export class MobileIdentification {
  @PrimaryColumn('uuid')
  id: string;

  /** The subject (user) that created it; nobody else may see it. */
  @Column({ type: 'text' })
  owner: string;

  @Column({ type: 'text' })
  status: MobileIdentificationStatus;

  @Column({ name: 'doc_type', type: 'text' })
  docType: string;

  @Column({ type: 'text' })
  identifier: string;

  @Column({ name: 'identifier_masked', type: 'text' })
  identifierMasked: string;

  @Column({ name: 'date_of_birth', type: 'date', nullable: true })
  dateOfBirth: string | null;

  @Column({ name: 'phone_number', type: 'text', nullable: true })
  phoneNumber: string | null;

  @Column({ type: 'text', nullable: true })
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

  @Column({ name: 'certificate_pdf', type: 'bytea', nullable: true, select: false })
  certificatePdf: Buffer | null;

  @Column({ name: 'failure_code', type: 'text', nullable: true })
  failureCode: string | null;

  @Column({ name: 'failure_message', type: 'text', nullable: true })
  failureMessage: string | null;

  @Column({ name: 'poll_count', type: 'integer', default: 0 })
  pollCount: number;

  @Column({ name: 'next_poll_at', type: 'timestamptz', nullable: true })
  nextPollAt: Date | null;

  @Column({ name: 'last_polled_at', type: 'timestamptz', nullable: true })
  lastPolledAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
