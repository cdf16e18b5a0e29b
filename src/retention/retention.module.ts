import { Module } from '@nestjs/common';
import { IdentificationModule } from '../identification/identification.module';
import { SigningModule } from '../signing/signing.module';
import { PersonalDataRetention } from './personal-data-retention';
import { RetentionJob } from './retention.job';

/** Erases personal data of finished records after RETENTION_DAYS (see PersonalDataRetention); the feature repositories do the writing. */
@Module({ imports: [IdentificationModule, SigningModule], providers: [PersonalDataRetention, RetentionJob], exports: [PersonalDataRetention] })
export class RetentionModule {}
