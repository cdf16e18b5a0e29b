import { Global, Module } from '@nestjs/common';
import { CreationRateLimiter } from './creation-rate-limit';

/** Global, so any feature's controller can put `@LimitCreationRate()` on its paid POSTs. */
@Global()
@Module({ providers: [CreationRateLimiter], exports: [CreationRateLimiter] })
export class RateLimitModule {}
