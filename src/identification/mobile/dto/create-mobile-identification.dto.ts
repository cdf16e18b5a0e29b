import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsEmailAddress, IsE164Phone, IsIsoDate, IsPlausibleBirthDate, NoControlCharacters } from '../../../common/validation/decorators';
import { SatisfiesMobileIdentityRules } from '../mobile-identity-rules';

export const MOBILE_DOC_TYPES = ['EGN', 'LNC', 'EMAIL', 'PHONE'] as const;
export type MobileDocType = (typeof MOBILE_DOC_TYPES)[number];

export class CreateMobileIdentificationDto {
  @ApiProperty({ enum: MOBILE_DOC_TYPES, example: 'EGN', description: 'What `identifier` is.' })
  @IsIn(MOBILE_DOC_TYPES)
  docType: MobileDocType;

  @ApiProperty({
    example: '7805166742',
    description: 'EGN or LNC (10 digits, checksum verified), e-mail address, or E.164 phone number, as `docType` says.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(254)
  @NoControlCharacters()
  @SatisfiesMobileIdentityRules()
  identifier: string;

  @ApiProperty({
    example: '1978-05-16',
    description:
      'YYYY-MM-DD, from 1900-01-01 to today. B-Trust matches the person on it; for an EGN it must match the date encoded in the EGN.',
  })
  @IsIsoDate()
  @NoControlCharacters()
  @IsPlausibleBirthDate()
  @SatisfiesMobileIdentityRules()
  dateOfBirth: string;

  @ApiPropertyOptional({ example: '+359888133443', description: 'E.164; B-Trust uses it for onboarding.' })
  @IsOptional()
  @IsE164Phone()
  @NoControlCharacters()
  phoneNumber?: string;

  @ApiPropertyOptional({ example: 'person@example.com', description: 'B-Trust uses it for onboarding.' })
  @IsOptional()
  @IsEmailAddress()
  @NoControlCharacters()
  email?: string;

  @ApiProperty({ example: 'Opening a savings account', description: 'Shown to the person in B-Trust MOBILE.' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @NoControlCharacters()
  reason: string;
}
