import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBase64,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { exampleUrl } from '../../common/http/api-examples';
import { IsAllowedRedirect } from '../../common/validation/allowed-redirect';
import { IsSafeFileName, NoControlCharacters } from '../../common/validation/decorators';
import { MAX_FILE_NAME_LENGTH } from '../../common/validation/file-names';
import { EXAMPLE_PDF_BASE64 } from './example-pdf';

/** PDF pages are at most 14,400 points (200 inches) on a side (ISO 32000-1, annex C). */
const MAX_PAGE_POINTS = 14_400;

export class VisibleSignatureDto {
  @ApiProperty({ example: 1, minimum: 1, description: '1-based page number; the page must exist.' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  page: number;

  @ApiProperty({ example: 56, minimum: 0, description: 'Left edge of the box, in points from the page\'s left edge.' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_PAGE_POINTS)
  x: number;

  @ApiProperty({ example: 700, minimum: 0, description: 'Top edge of the box, in points from the page\'s top edge.' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_PAGE_POINTS)
  y: number;

  @ApiProperty({ example: 200, minimum: 1, description: 'Points; the box must lie inside the page.' })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_POINTS)
  width: number;

  @ApiProperty({ example: 60, minimum: 1, description: 'Points; the box must lie inside the page.' })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_POINTS)
  height: number;
}

/** What every document carries besides its content, in both request forms. */
export class DocumentDescriptionDto {
  @ApiProperty({ example: 'Loan agreement 4711', description: 'Shown to the person on the signing page.' })
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  @NoControlCharacters()
  title: string;

  @ApiPropertyOptional({ type: VisibleSignatureDto, description: 'Omit for an invisible signature.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => VisibleSignatureDto)
  visibleSignature?: VisibleSignatureDto;

  @ApiPropertyOptional({ description: 'Qualified long-term preservation at B-Trust (only for subscribers of that service).' })
  @IsOptional()
  @IsBoolean()
  archive?: boolean;
}

export class JsonDocumentDto extends DocumentDescriptionDto {
  @ApiProperty({ example: 'contract-4711.pdf', maxLength: MAX_FILE_NAME_LENGTH, description: 'Shown when the person downloads the signed document. No path parts.' })
  @IsSafeFileName()
  @NoControlCharacters()
  fileName: string;

  @ApiProperty({ format: 'byte', example: EXAMPLE_PDF_BASE64, description: 'The PDF, base64. Not encrypted, at most SIGNING_MAX_DOCUMENT_MB.' })
  @IsString()
  @IsBase64()
  @NoControlCharacters()
  contentBase64: string;
}

export class MultipartDocumentDto extends DocumentDescriptionDto {
  @ApiPropertyOptional({ example: 'contract-4711.pdf', maxLength: MAX_FILE_NAME_LENGTH, description: 'Defaults to the uploaded file\'s name.' })
  @IsOptional()
  @IsSafeFileName()
  @NoControlCharacters()
  fileName?: string;
}

class SigningOptionsDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'B-Trust e-mails the signed documents to the person.' })
  @IsOptional()
  @IsBoolean()
  emailSignedDocuments: boolean = false;

  @ApiProperty({ example: exampleUrl('/signed'), description: 'Where B-Trust sends the person after signing. Must be on ALLOWED_REDIRECT_ORIGINS.' })
  @IsAllowedRedirect()
  successUrl: string;

  @ApiProperty({ example: exampleUrl('/not-signed'), description: 'Where B-Trust sends the person after refusing. Must be on ALLOWED_REDIRECT_ORIGINS.' })
  @IsAllowedRedirect()
  cancelUrl: string;
}

/** `application/json`: the documents inline, base64. */
export class CreateSigningDto extends SigningOptionsDto {
  @ApiProperty({ type: [JsonDocumentDto], description: 'At least one, at most SIGNING_MAX_DOCUMENTS.' })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => JsonDocumentDto)
  documents: JsonDocumentDto[];
}

/** The `metadata` field of `multipart/form-data`: describes the file parts, in their order. */
export class SigningMetadataDto extends SigningOptionsDto {
  @ApiProperty({ type: [MultipartDocumentDto], description: 'One entry per file part, in the same order.' })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => MultipartDocumentDto)
  documents: MultipartDocumentDto[];
}
