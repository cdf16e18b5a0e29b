import { Global, Module } from '@nestjs/common';
import { CreationRateLimiter } from './creation-rate-limit';
import { RateWindowRepository } from './rate-window.repository';

/** Global, so any feature's controller can put `@LimitCreationRate()` on its paid POSTs, and a poller share a cap. */
@Global()
@Module({ providers: [CreationRateLimiter, RateWindowRepository], exports: [CreationRateLimiter, RateWindowRepository] })
export class RateLimitModule {}
