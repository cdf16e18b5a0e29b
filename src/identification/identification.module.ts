import { Module } from '@nestjs/common';
import { MobileIdentificationPollScheduler } from './mobile/mobile-identification-poll.scheduler';
import { MobileIdentificationPoller } from './mobile/mobile-identification.poller';
import { MobileIdentificationRepository } from './mobile/mobile-identification.repository';
import { MobileIdentificationsController } from './mobile/mobile-identifications.controller';
import { MobileIdentificationsService } from './mobile/mobile-identifications.service';
import { WebIdentificationCallbacks } from './web/web-identification-callbacks';
import { WebIdentificationReconciler } from './web/web-identification-reconciler';
import { WebIdentificationRepository } from './web/web-identification.repository';
import { WebIdentificationsController } from './web/web-identifications.controller';
import { WebIdentificationsService } from './web/web-identifications.service';

@Module({
  controllers: [MobileIdentificationsController, WebIdentificationsController],
  providers: [
    MobileIdentificationRepository,
    WebIdentificationRepository,
    MobileIdentificationsService,
    MobileIdentificationPollScheduler,
    MobileIdentificationPoller,
    WebIdentificationsService,
    WebIdentificationCallbacks,
    WebIdentificationReconciler,
  ],
  exports: [WebIdentificationsService, MobileIdentificationsService, MobileIdentificationRepository, WebIdentificationRepository],
})
export class IdentificationModule {}
