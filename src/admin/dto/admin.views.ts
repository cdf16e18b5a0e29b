import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BTRUST_VALUE_EXAMPLES } from '../../btrust/btrust-examples';
import { FailureView, toFailureView } from '../../identification/failure.view';
import type { FailureColumns } from '../../common/entity/failure-columns';
import type { MobileIdentification } from '../../identification/mobile/mobile-identification.entity';
import { MOBILE_IDENTIFICATION_STATUSES, MobileIdentificationStatus } from '../../identification/mobile/mobile-identification.state';
import type { WebIdentification } from '../../identification/web/web-identification.entity';
import { WEB_IDENTIFICATION_STATUSES, WebIdentificationStatus } from '../../identification/web/web-identification.state';
import type { StateTransition } from '../../common/state-machine/state-transition.entity';
import type { SigningUnmatchedDocument } from '../../signing/signing-unmatched-document.entity';
import type { Signing } from '../../signing/signing.entity';
import { SIGNING_STATUSES, SigningStatus } from '../../signing/signing.state';

/*
 * What operators see of a record: states, timestamps, provider progress and
 * failures. Never an identifier beyond its masked form, a contact detail, a
 * redirect URL or a document.
 */

const iso = (date: Date | null) => (date ? date.toISOString() : null);

class AdminRecordView {
  @ApiProperty({ format: 'uuid', example: '0b6f1f3e-7d7c-4a8e-9a51-3f0f3c1f2a10' })
  id: string;

  @ApiProperty({ example: 'auth0|5f7c8ec7c33c6c004bbafe82', description: 'The token subject that created it.' })
  owner: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiPropertyOptional({ type: FailureView, nullable: true })
  failure: FailureView | null;
}

export class MobileIdentificationAdminView extends AdminRecordView {
  @ApiProperty({ enum: MOBILE_IDENTIFICATION_STATUSES, example: 'IN_PROGRESS', description: '`OUTCOME_UNKNOWN` waits for `POST …/{id}/resolve`.' })
  status: MobileIdentificationStatus;

  @ApiProperty({ example: 'EGN' })
  docType: string;

  @ApiProperty({ example: '******6742' })
  identifierMasked: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'a2c25bcd-00f0-4128-8890-fbcb26fc2f81',
    description: 'B-Trust\'s callbackId; null while B-Trust\'s answer to the request is unknown.',
  })
  providerCallbackId: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.mobileStatus, description: 'B-Trust\'s last reported status.' })
  providerStatus: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ example: 3 })
  pollCount: number;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  lastPolledAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  nextPollAt: string | null;
}

export class WebIdentificationAdminView extends AdminRecordView {
  @ApiProperty({ enum: WEB_IDENTIFICATION_STATUSES, example: 'STARTED' })
  status: WebIdentificationStatus;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.webStatus })
  providerStatus: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.webStep })
  providerStep: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.registrationStatus })
  registrationStatus: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.reviewStatus })
  reviewStatus: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: "When the agent's review was first seen (UNDER_REVIEW); WEB_REVIEW_MAX_MS counts from here." })
  reviewStartedAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  identifiedAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  lastReconciledAt: string | null;
}

export class SigningAdminView extends AdminRecordView {
  @ApiProperty({ enum: SIGNING_STATUSES, example: 'PENDING', description: '`OUTCOME_UNKNOWN` waits for `POST …/{id}/resolve`.' })
  status: SigningStatus;

  @ApiProperty({ format: 'uuid' })
  webIdentificationId: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '109', description: 'B-Trust\'s `resultId` from 3.1; null while the outcome is unknown.' })
  resultId: string | null;

  @ApiProperty({
    example: 0,
    description: 'Signed documents B-Trust returned that match none of those sent: see `GET …/{id}/unmatched-documents`.',
  })
  unmatchedDocuments: number;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  signedAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  lastReconciledAt: string | null;
}

export class MobileIdentificationAdminPage {
  @ApiProperty({ type: [MobileIdentificationAdminView] })
  items: MobileIdentificationAdminView[];

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' })
  nextCursor: string | null;
}

export class WebIdentificationAdminPage {
  @ApiProperty({ type: [WebIdentificationAdminView] })
  items: WebIdentificationAdminView[];

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' })
  nextCursor: string | null;
}

export class SigningAdminPage {
  @ApiProperty({ type: [SigningAdminView] })
  items: SigningAdminView[];

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'Pass as `cursor` for the next page; null on the last.' })
  nextCursor: string | null;
}

export class TransitionView {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'PENDING', description: 'Null for the record\'s creation.' })
  from: string | null;

  @ApiProperty({ example: 'IN_PROGRESS' })
  to: string;

  @ApiProperty({ example: 'poll', description: 'What moved it: api, poll, callback, reconcile, refresh, operator…' })
  cause: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true, example: { code: 'REJECTED' } })
  detail: Record<string, unknown> | null;
}

export class AuditTrailView {
  @ApiProperty({ example: 'mobile_identification' })
  entityType: string;

  @ApiProperty({ format: 'uuid' })
  entityId: string;

  @ApiProperty({ type: [TransitionView], description: 'Oldest first.' })
  transitions: TransitionView[];
}

function recordFields(record: {
  id: string;
  owner: string;
  createdAt: Date;
  updatedAt: Date;
  failure: FailureColumns;
}) {
  return {
    id: record.id,
    owner: record.owner,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    failure: toFailureView(record.failure),
  };
}

export function toMobileIdentificationAdminView(record: MobileIdentification): MobileIdentificationAdminView {
  return {
    ...recordFields(record),
    status: record.status,
    docType: record.docType,
    identifierMasked: record.identifierMasked,
    providerCallbackId: record.providerCallbackId,
    providerStatus: record.providerStatus,
    expiresAt: iso(record.expiresAt),
    completedAt: iso(record.completedAt),
    pollCount: record.pollCount,
    lastPolledAt: iso(record.lastPolledAt),
    nextPollAt: iso(record.nextPollAt),
  };
}

export function toWebIdentificationAdminView(record: WebIdentification): WebIdentificationAdminView {
  return {
    ...recordFields(record),
    status: record.status,
    providerStatus: record.providerStatus,
    providerStep: record.providerStep,
    registrationStatus: record.registrationStatus,
    reviewStatus: record.reviewStatus,
    expiresAt: iso(record.expiresAt),
    reviewStartedAt: iso(record.reviewStartedAt),
    identifiedAt: iso(record.identifiedAt),
    lastReconciledAt: iso(record.lastReconciledAt),
  };
}

export function toSigningAdminView(record: Signing): SigningAdminView {
  return {
    ...recordFields(record),
    status: record.status,
    webIdentificationId: record.webIdentificationId,
    resultId: record.resultId,
    unmatchedDocuments: record.unmatchedDocuments,
    expiresAt: iso(record.expiresAt),
    signedAt: iso(record.signedAt),
    lastReconciledAt: iso(record.lastReconciledAt),
  };
}

export class UnmatchedDocumentView {
  @ApiProperty({ example: 1, description: '0-based position in B-Trust\'s answer; use it to download the PDF.' })
  position: number;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'signed-109-2.pdf', description: 'B-Trust\'s `filename`, as it came.' })
  fileName: string | null;

  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', description: 'SHA-256 (hex) of the PDF.' })
  sha256: string;

  @ApiProperty({ example: 48213, description: 'Bytes.' })
  size: number;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;
}

export class UnmatchedDocumentsView {
  @ApiProperty({ format: 'uuid' })
  signingId: string;

  @ApiProperty({ type: [UnmatchedDocumentView] })
  documents: UnmatchedDocumentView[];
}

export function toUnmatchedDocumentView(document: SigningUnmatchedDocument): UnmatchedDocumentView {
  return {
    position: document.position,
    fileName: document.fileName,
    sha256: document.sha256,
    size: document.size,
    receivedAt: document.receivedAt.toISOString(),
  };
}

export function toTransitionView(transition: StateTransition): TransitionView {
  return {
    from: transition.fromState,
    to: transition.toState,
    cause: transition.cause,
    at: transition.at.toISOString(),
    detail: transition.detail,
  };
}
