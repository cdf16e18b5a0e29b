import { Global, Module } from '@nestjs/common';
import { LiveStatus } from './live-status.service';
import { StateChangeListener } from './state-change-listener';

/** Live status for frontends; global so each feature's controller can offer its `/events` endpoint. */
@Global()
@Module({
  providers: [StateChangeListener, LiveStatus],
  exports: [LiveStatus, StateChangeListener],
})
export class EventsModule {}
