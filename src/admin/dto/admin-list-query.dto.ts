import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { NoControlCharacters } from '../../common/validation/decorators';
import { MOBILE_IDENTIFICATION_STATUSES, MobileIdentificationStatus } from '../../identification/mobile/mobile-identification.state';
import { WEB_IDENTIFICATION_STATUSES, WebIdentificationStatus } from '../../identification/web/web-identification.state';
import { SIGNING_STATUSES, SigningStatus } from '../../signing/signing.state';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

/** Filters and paging shared by every operator listing; newest first. */
export class AdminListQuery {
  @ApiPropertyOptional({ format: 'date-time', example: '2026-11-01T00:00:00Z', description: 'Created at or after this instant.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @NoControlCharacters()
  createdFrom?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-12-01T00:00:00Z', description: 'Created before this instant.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @NoControlCharacters()
  createdTo?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ format: 'uuid', description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsUUID()
  @NoControlCharacters()
  cursor?: string;
}

export class MobileIdentificationListQuery extends AdminListQuery {
  @ApiPropertyOptional({ enum: MOBILE_IDENTIFICATION_STATUSES, example: 'IN_PROGRESS' })
  @IsOptional()
  @IsIn(MOBILE_IDENTIFICATION_STATUSES)
  status?: MobileIdentificationStatus;
}

export class WebIdentificationListQuery extends AdminListQuery {
  @ApiPropertyOptional({ enum: WEB_IDENTIFICATION_STATUSES, example: 'STARTED' })
  @IsOptional()
  @IsIn(WEB_IDENTIFICATION_STATUSES)
  status?: WebIdentificationStatus;
}

export class SigningListQuery extends AdminListQuery {
  @ApiPropertyOptional({ enum: SIGNING_STATUSES, example: 'PENDING' })
  @IsOptional()
  @IsIn(SIGNING_STATUSES)
  status?: SigningStatus;
}
