import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MOBILE_IDENTIFICATION_STATUSES, MobileIdentificationStatus } from '../mobile-identification.state';
import type { MobileIdentification } from '../mobile-identification.entity';
import { FailureView, toFailureView } from '../../failure.view';

export class MobileIdentificationCreatedView {
  @ApiProperty({ format: 'uuid', example: '0b6f1f3e-7d7c-4a8e-9a51-3f0f3c1f2a10' })
  id: string;

  @ApiProperty({
    enum: MOBILE_IDENTIFICATION_STATUSES,
    example: 'PENDING',
    description:
      '`PENDING`, `ON_BOARDING`, `IN_PROGRESS`: waiting for the person. `COMPLETED`: identified, with the eID certificate. ' +
      '`REJECTED`: the person refused. `EXPIRED`: not confirmed in time. `FAILED`: ended without a result (see `failure`). ' +
      '`OUTCOME_UNKNOWN`: B-Trust may or may not have started it; an operator resolves it (not final).',
  })
  status: MobileIdentificationStatus;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, example: '2026-11-27T12:05:00.000Z', description: 'The person must confirm before this: B-Trust\'s `validity`, or creation + MOBILE_DEFAULT_VALIDITY_MS when B-Trust gave none readable.' })
  expiresAt: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-27T12:00:00.000Z' })
  createdAt: string;
}

export class MobileIdentificationView extends MobileIdentificationCreatedView {
  @ApiProperty({ example: 'EGN' })
  docType: string;

  @ApiProperty({ example: '******6742', description: 'The identifier, masked: the full value is never returned.' })
  identifierMasked: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'a3f1…', description: 'The eID\'s unique identifier in your domain (B-Trust `identificator`).' })
  identificator: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'BORICA', description: 'The organisation the eID is used before.' })
  identificationBefore: string | null;

  @ApiPropertyOptional({ type: FailureView, nullable: true })
  failure: FailureView | null;
}

/** The columns the views are made of: no personal field (those stay encrypted in the database). */
export type MobileIdentificationSummary = Pick<
  MobileIdentification,
  | 'id'
  | 'status'
  | 'docType'
  | 'identifierMasked'
  | 'expiresAt'
  | 'createdAt'
  | 'completedAt'
  | 'identificator'
  | 'identificationBefore'
  | 'failure'
>;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function toMobileIdentificationCreatedView(entity: MobileIdentificationSummary): MobileIdentificationCreatedView {
  return {
    id: entity.id,
    status: entity.status,
    expiresAt: iso(entity.expiresAt),
    createdAt: entity.createdAt.toISOString(),
  };
}

export function toMobileIdentificationView(entity: MobileIdentificationSummary): MobileIdentificationView {
  return {
    ...toMobileIdentificationCreatedView(entity),
    docType: entity.docType,
    identifierMasked: entity.identifierMasked,
    completedAt: iso(entity.completedAt),
    identificator: entity.identificator,
    identificationBefore: entity.identificationBefore,
    failure: toFailureView(entity.failure),
  };
}
