import { Module } from '@nestjs/common';
import { IdentificationModule } from '../identification/identification.module';
import { SigningModule } from '../signing/signing.module';
import { AdminController } from './admin.controller';
import { AdminRecordsService } from './admin-records.service';
import { OperatorActionLog } from './operator-action-log';
import { OperatorActionRepository } from './operator-action.repository';

/** The operator API under /api/v1/admin. */
@Module({
  imports: [IdentificationModule, SigningModule],
  controllers: [AdminController],
  providers: [AdminRecordsService, OperatorActionLog, OperatorActionRepository],
})
export class AdminModule {}
