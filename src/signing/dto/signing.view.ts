import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FailureView, toFailureView } from '../../identification/failure.view';
import { ACTIVE_CONTENT, type ActiveContent } from '../pdf/pdf-inspection';
import { MATCHED_BY, MatchedBy } from '../signed-document-matching';
import type { SigningDocument } from '../signing-document.entity';
import type { Signing } from '../signing.entity';
import { SIGNING_STATUSES, SigningStatus } from '../signing.state';
import type { SignedDocumentProblem, SignedDocumentVerification } from '../signing.types';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

const PROBLEM_CODES: SignedDocumentProblem[] = [
  'NOT_A_PDF',
  'NO_SIGNATURE',
  'MALFORMED_SIGNATURE',
  'UNSUPPORTED_SIGNATURE',
  'BYTE_RANGE_NOT_WHOLE_FILE',
  'DIGEST_MISMATCH',
  'SIGNATURE_INVALID',
  'SIGNING_CERTIFICATE_MISMATCH',
  'ORIGINAL_MODIFIED',
  'UNTRUSTED_SIGNER',
  'CERTIFICATE_NOT_VALID_AT_SIGNING_TIME',
  'SIGNER_NOT_A_PERSON',
  'SIGNER_CHANGED',
  'TRUST_ANCHORS_NOT_CONFIGURED',
];

export class SigningCreatedView {
  @ApiProperty({ format: 'uuid', example: '0b3e6d2a-51c4-4d0e-9f55-3f1f2b7c9a10' })
  id: string;

  @ApiProperty({ enum: SIGNING_STATUSES, example: 'PENDING' })
  status: SigningStatus;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'https://mytest.borica.bg/cqes/api/web-identification/a405b47c88979b6c7e91e96e2a26a89bcdadd3ebc08520247e7fffb5392afd2a',
    description: 'B-Trust\'s `clientDocumentUrl`: send the person\'s browser here to read and sign.',
  })
  redirectUrl: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: '2026-11-27T21:59:59.000Z' })
  expiresAt: string | null;
}

export class SignerView {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'Ivan Petrov Ivanov' })
  commonName: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'PNOBG-******6742', description: 'ETSI semantics identifier of the person, with the national identifier masked.' })
  serialNumber: string | null;
}

export class VerificationView {
  @ApiProperty({ description: 'True when `problems` is empty.' })
  valid: boolean;

  @ApiPropertyOptional({ type: SignerView, nullable: true })
  signer: SignerView | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'The signing time the signature claims.' })
  signedAt: string | null;

  @ApiProperty({ enum: PROBLEM_CODES, isArray: true, example: [] })
  problems: SignedDocumentProblem[];
}

export class SigningDocumentView {
  @ApiProperty({ example: 0, description: '0-based, in the order sent; use it to download the signed PDF.' })
  index: number;

  @ApiProperty({ example: 'contract-4711.pdf' })
  fileName: string;

  @ApiProperty({ example: 'Loan agreement 4711' })
  title: string;

  @ApiProperty({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', description: 'SHA-256 (hex) of the PDF sent.' })
  originalSha256: string;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'SHA-256 (hex) of the signed PDF received.' })
  signedSha256: string | null;

  @ApiProperty({
    enum: ACTIVE_CONTENT,
    isArray: true,
    example: [],
    description:
      'Active content found in the PDF sent: `JavaScript` (scripts a reader may run) or `Launch` (actions that start ' +
      'another program). Accepted and listed here with SIGNING_ACTIVE_CONTENT=flag (the default); refused with `refuse`. ' +
      'Empty for documents stored before the server looked for it.',
  })
  activeContent: ActiveContent[];
  @ApiPropertyOptional({
    enum: MATCHED_BY,
    nullable: true,
    example: 'content',
    description:
      'How B-Trust\'s signed PDF was paired with this document: `content` (the original is its first revision), `revision` (its ' +
      '`/Prev` chain names the original\'s last revision), or `order` (its position, as nothing in its content showed the pairing; ' +
      'check `verification`). Never by file name. Null until received.',
  })
  matchedBy: MatchedBy | null;

  @ApiPropertyOptional({ type: VerificationView, nullable: true, description: 'Null until the signed PDF is received.' })
  verification: VerificationView | null;
}

export class SigningView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', description: 'The web identification whose sign session was used.' })
  identificationId: string;

  @ApiProperty({
    enum: SIGNING_STATUSES,
    example: 'SIGNED',
    description:
      '`OUTCOME_UNKNOWN`: B-Trust may or may not have started the signing (its start timed out, was reset or answered 5xx); ' +
      'do not start it again, an operator settles it.',
  })
  status: SigningStatus;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  expiresAt: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'When B-Trust\'s signed documents were received.' })
  signedAt: string | null;

  @ApiProperty({ type: [SigningDocumentView] })
  documents: SigningDocumentView[];

  @ApiProperty({
    example: 0,
    description: 'Signed documents B-Trust returned that match none of those sent. They are kept for the operators, never discarded.',
  })
  unmatchedDocuments: number;

  @ApiPropertyOptional({ type: FailureView, nullable: true })
  failure: FailureView | null;
}

export function toSigningCreatedView(signing: Signing): SigningCreatedView {
  return { id: signing.id, status: signing.status, redirectUrl: signing.clientDocumentUrl, expiresAt: iso(signing.expiresAt) };
}

export function toSigningView(signing: Signing, documents: SigningDocument[]): SigningView {
  return {
    id: signing.id,
    identificationId: signing.webIdentificationId,
    status: signing.status,
    createdAt: signing.createdAt.toISOString(),
    expiresAt: iso(signing.expiresAt),
    signedAt: iso(signing.signedAt),
    documents: documents.map((document) => ({
      index: document.index,
      fileName: document.fileName,
      title: document.title,
      originalSha256: document.originalSha256,
      signedSha256: document.signedSha256,
      activeContent: document.activeContent ?? [],
      matchedBy: document.matchedBy,
      verification: document.verification ? toVerificationView(document.verification, document.signerName) : null,
    })),
    unmatchedDocuments: signing.unmatchedDocuments,
    failure: toFailureView(signing.failure),
  };
}

function toVerificationView(verification: SignedDocumentVerification, signerName: string | null): VerificationView {
  return {
    valid: verification.valid,
    signer: verification.signer ? { commonName: signerName, serialNumber: verification.signer.serialNumber } : null,
    signedAt: verification.signedAt,
    problems: [...verification.problems],
  };
}
