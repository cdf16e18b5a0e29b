import { Module } from '@nestjs/common';
import { PersonalDataRetention } from './personal-data-retention';
import { RetentionJob } from './retention.job';

/** Erases personal data of finished records after RETENTION_DAYS (see PersonalDataRetention). */
@Module({ providers: [PersonalDataRetention, RetentionJob], exports: [PersonalDataRetention] })
export class RetentionModule {}
