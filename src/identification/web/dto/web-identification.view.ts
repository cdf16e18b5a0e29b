import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BTRUST_VALUE_DESCRIPTIONS, BTRUST_VALUE_EXAMPLES } from '../../../btrust/btrust-examples';
import type { RegistrationStatus } from '../../../btrust/btrust.types';
import type { WebIdentification } from '../web-identification.entity';
import { FailureView, toFailureView } from '../../failure.view';
import { WEB_IDENTIFICATION_STATUS_MEANINGS, WEB_IDENTIFICATION_STATUSES, WebIdentificationStatus } from '../web-identification.state';

const STATUS_DESCRIPTION = Object.entries(WEB_IDENTIFICATION_STATUS_MEANINGS)
  .map(([status, meaning]) => `- \`${status}\`: ${meaning}`)
  .join('\n');

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export class WebIdentificationCreatedView {
  @ApiProperty({ format: 'uuid', example: '7c9e6679-7425-40de-944b-e07fc1f90ae7' })
  id: string;

  @ApiProperty({ enum: WEB_IDENTIFICATION_STATUSES, example: 'STARTED', description: STATUS_DESCRIPTION })
  status: WebIdentificationStatus;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'https://iduat.borica.bg/session/56f6bccb-1635-444e-b983-79bc35d22743', description: 'Send the person\'s browser here.' })
  redirectUrl: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2026-11-27T13:00:00.000Z',
    description: "The web session's deadline (B-Trust's date, or the configured default): it bounds STARTED, not an agent's review.",
  })
  expiresAt: string | null;
}

export class ProviderProgressView {
  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.webStatus, description: 'B-Trust web identification status (scenario 5).' })
  status: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.webStep, description: BTRUST_VALUE_DESCRIPTIONS.webStep })
  step: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.registrationStatus, description: 'Registration status (scenario 4).' })
  registrationStatus: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.reviewStatus })
  reviewStatus: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  updatedAt: string | null;
}

export class WebIdentificationView extends WebIdentificationCreatedView {
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  identifiedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'bf821d16f6e0dd070a6a0035e524285c78ab59d7c8d03622f43088ba1e5ea30c', description: 'The person\'s identifier in your domain (B-Trust `clientIdentificator`).' })
  clientIdentificator: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true, description: 'Documents can be signed until then (the sign session\'s expiry).' })
  signingAvailableUntil: string | null;

  @ApiProperty({ type: ProviderProgressView })
  provider: ProviderProgressView;

  @ApiPropertyOptional({ type: FailureView, nullable: true })
  failure: FailureView | null;
}

export class RegistrationView {
  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.registrationStatus, description: BTRUST_VALUE_DESCRIPTIONS.registrationStatus })
  status: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: BTRUST_VALUE_EXAMPLES.reviewStatus, description: BTRUST_VALUE_DESCRIPTIONS.reviewStatus })
  reviewStatus: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  createdOn: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  processedOn: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  reviewedOn: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'B-Trust\'s message for the person (in Bulgarian).' })
  userMessage: string | null;
}

export function toWebIdentificationCreatedView(entity: WebIdentification): WebIdentificationCreatedView {
  return { id: entity.id, status: entity.status, redirectUrl: entity.redirectUrl, expiresAt: iso(entity.expiresAt) };
}

export function toWebIdentificationView(entity: WebIdentification): WebIdentificationView {
  return {
    ...toWebIdentificationCreatedView(entity),
    identifiedAt: iso(entity.identifiedAt),
    clientIdentificator: entity.clientIdentificator,
    signingAvailableUntil: entity.status === 'IDENTIFIED' ? iso(entity.signSessionExpiresAt) : null,
    provider: {
      status: entity.providerStatus,
      step: entity.providerStep,
      registrationStatus: entity.registrationStatus,
      reviewStatus: entity.reviewStatus,
      updatedAt: iso(entity.providerUpdatedAt),
    },
    failure: toFailureView(entity.failure),
  };
}

export function toRegistrationView(status: RegistrationStatus): RegistrationView {
  return {
    status: status.status,
    reviewStatus: status.reviewStatus,
    createdOn: iso(status.createdOn),
    processedOn: iso(status.processedOn),
    reviewedOn: iso(status.reviewedOn),
    userMessage: status.userMessage,
  };
}
