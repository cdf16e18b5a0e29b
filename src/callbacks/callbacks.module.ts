import { Global, Module } from '@nestjs/common';
import { CallbackEndpointRepository } from './callback-endpoint.repository';
import { CallbackEndpointsService } from './callback-endpoints.service';
import { CallbackHandlers } from './callback-handlers';
import { CallbackInboxRepository } from './callback-inbox.repository';
import { CallbackInboxService } from './callback-inbox.service';
import { CallbackProcessor } from './callback-processor';
import { CallbacksController } from './callbacks.controller';

@Global()
@Module({
  controllers: [CallbacksController],
  providers: [CallbackEndpointRepository, CallbackEndpointsService, CallbackHandlers, CallbackInboxRepository, CallbackInboxService, CallbackProcessor],
  exports: [CallbackEndpointsService, CallbackHandlers, CallbackInboxRepository],
})
export class CallbacksModule {}
