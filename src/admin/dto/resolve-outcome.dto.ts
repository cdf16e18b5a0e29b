import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import type { FieldProblem } from '../../common/problem/problem';
import { NoControlCharacters } from '../../common/validation/decorators';

export const RESOLUTION_OUTCOMES = ['NOT_STARTED', 'STARTED'] as const;
export type ResolutionOutcome = (typeof RESOLUTION_OUTCOMES)[number];

/**
 * An operator's verdict on a record whose paid request B-Trust may or may not have started,
 * after asking B-Trust. Each kind of record adds the provider id that STARTED needs.
 */
export class ResolveOutcomeUnknownDto {
  @ApiProperty({
    enum: RESOLUTION_OUTCOMES,
    example: 'STARTED',
    description: '`NOT_STARTED`: B-Trust confirms it never started the request; the record ends `FAILED` (`RESOLVED_NOT_STARTED`). ' +
      '`STARTED`: B-Trust confirms it did; give its id and the record is followed again.',
  })
  @IsIn(RESOLUTION_OUTCOMES)
  outcome: ResolutionOutcome;

  @ApiPropertyOptional({ maxLength: 500, example: 'B-Trust support ticket 4711', description: 'Kept in the audit trail. No personal data.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @NoControlCharacters()
  note?: string;
}

export class ResolveMobileIdentificationDto extends ResolveOutcomeUnknownDto {
  @ApiPropertyOptional({
    example: 'a2c25bcd-00f0-4128-8890-fbcb26fc2f81',
    description: 'Required with `STARTED`, refused with `NOT_STARTED`: the `callbackId` B-Trust gave the request (1.1).',
  })
  @ValidateIf((body: ResolveMobileIdentificationDto) => body.outcome === 'STARTED' || body.callbackId !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @NoControlCharacters()
  callbackId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-27T12:05:00Z',
    description: 'With `STARTED`: B-Trust\'s `validity` for the request, when B-Trust told you. Otherwise the default deadline from creation applies ' +
      '(MOBILE_DEFAULT_VALIDITY_MS); past it B-Trust is asked once more, and anything but a finished identification ends `EXPIRED`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @NoControlCharacters()
  validUntil?: string;
}

export class ResolveSigningDto extends ResolveOutcomeUnknownDto {
  @ApiPropertyOptional({
    example: '109',
    description: 'Required with `STARTED`, refused with `NOT_STARTED`: the `resultId` B-Trust gave the signing (3.1).',
  })
  @ValidateIf((body: ResolveSigningDto) => body.outcome === 'STARTED' || body.resultId !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @NoControlCharacters()
  resultId?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-11-27T21:59:59Z',
    description: 'With `STARTED`: B-Trust\'s `expireDate` for the signing, when B-Trust told you. Otherwise the sign session\'s expiry ' +
      'applies, or SIGNING_DEFAULT_VALIDITY_MS from creation; past it B-Trust is asked once more, and without the signed documents ' +
      'the signing ends `EXPIRED`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @NoControlCharacters()
  expiresAt?: string;
}

/** Fields that only a STARTED resolution may carry, sent with NOT_STARTED. */
export function onlyWithStartedProblems(body: object & { outcome: ResolutionOutcome }, startedFields: string[]): FieldProblem[] {
  if (body.outcome === 'STARTED') return [];
  return startedFields
    .filter((field) => (body as Record<string, unknown>)[field] !== undefined)
    .map((field) => ({ field, codes: ['ONLY_WITH_STARTED'], messages: [`${field} is only accepted with outcome STARTED`] }));
}
