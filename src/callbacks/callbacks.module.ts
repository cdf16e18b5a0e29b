import { Global, Module } from '@nestjs/common';
import { CallbackEndpointsService } from './callback-endpoints.service';
import { CallbackHandlers } from './callback-handlers';
import { CallbackInboxService } from './callback-inbox.service';
import { CallbackProcessor } from './callback-processor';
import { CallbacksController } from './callbacks.controller';

@Global()
@Module({
  controllers: [CallbacksController],
  providers: [CallbackEndpointsService, CallbackHandlers, CallbackInboxService, CallbackProcessor],
  exports: [CallbackEndpointsService, CallbackHandlers],
})
export class CallbacksModule {}
