import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { exampleUrl } from '../../../common/http/api-examples';
import { IsAllowedRedirect } from '../../../common/validation/allowed-redirect';
import { NoControlCharacters } from '../../../common/validation/decorators';

export class CreateWebIdentificationDto {
  @ApiProperty({ example: 'Opening a savings account', description: 'Why the person is identified; shown by B-Trust.' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @NoControlCharacters()
  reason: string;

  @ApiPropertyOptional({ enum: ['bg', 'en'], default: 'bg', description: 'Language of B-Trust\'s identification pages.' })
  @IsOptional()
  @IsIn(['bg', 'en'])
  language: 'bg' | 'en' = 'bg';

  @ApiPropertyOptional({ type: Boolean, default: true, description: 'B-Trust verifies the person\'s e-mail address.' })
  @IsOptional()
  @IsBoolean()
  verifyEmail: boolean = true;

  @ApiPropertyOptional({ type: Boolean, default: true, description: 'B-Trust verifies the person\'s phone number.' })
  @IsOptional()
  @IsBoolean()
  verifyPhone: boolean = true;

  @ApiPropertyOptional({ type: Boolean, default: true, description: 'Passed to B-Trust unchanged (its document describes this flag inconsistently).' })
  @IsOptional()
  @IsBoolean()
  showGtcGdp: boolean = true;

  @ApiPropertyOptional({ type: Boolean, default: true, description: 'Passed to B-Trust unchanged (its document describes this flag inconsistently).' })
  @IsOptional()
  @IsBoolean()
  showMainInfo: boolean = true;

  @ApiProperty({ example: exampleUrl('/identified'), description: 'Where B-Trust sends the person after success. Must be on ALLOWED_REDIRECT_ORIGINS.' })
  @IsAllowedRedirect()
  successUrl: string;

  @ApiProperty({ example: exampleUrl('/cancelled'), description: 'Where B-Trust sends the person after cancelling. Must be on ALLOWED_REDIRECT_ORIGINS.' })
  @IsAllowedRedirect()
  cancelUrl: string;

  @ApiPropertyOptional({ example: 'application-4711', description: 'Your own reference, kept with the record.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @NoControlCharacters()
  @Matches(/^[\x20-\x7e]*$/, { message: 'externalRef must be printable ASCII' })
  externalRef?: string;
}
