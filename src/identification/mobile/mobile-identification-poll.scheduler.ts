import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SharedRateLimiter } from '../../common/rate-limit/shared-rate-limiter';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { JobQueue } from '../../jobs/job-queue.service';

export const MOBILE_POLL_QUEUE = 'mobile-identification-poll';

export interface MobilePollJob {
  id: string;
}

/**
 * When and how often B-Trust is polled for mobile identifications: backoff
 * per identification, one queued poll per identification (pg-boss `stately`
 * queue keyed by id, shared by all instances), and a cap on polls per second
 * across all instances.
 */
@Injectable()
export class MobileIdentificationPollScheduler implements OnModuleInit {
  private readonly limiter: SharedRateLimiter;
  private readonly timing: ResolvedAppConfig['identification']['mobilePoll'];

  constructor(
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
    @InjectDataSource() dataSource: DataSource,
    private readonly jobs: JobQueue,
  ) {
    this.timing = config.identification.mobilePoll;
    this.limiter = new SharedRateLimiter(dataSource, 'btrust-mobile-poll', this.timing.maxPerSecond, 1_000);
  }

  async onModuleInit(): Promise<void> {
    await this.jobs.createQueue(MOBILE_POLL_QUEUE, {
      policy: 'stately',
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      // A poll is seconds of work; a job held by a killed instance is handed out again after this.
      expireInSeconds: Math.ceil(Math.max(60, (this.timing.maxIntervalMs * 2) / 1000)),
    });
  }

  async firstPollTime(): Promise<Date> {
    return new Date(Date.now() + this.timing.initialIntervalMs);
  }

  /** initial × 1.5^n, capped: quick answers for quick people, little load for slow ones. */
  nextPollTime(pollsSoFar: number): Date {
    const delay = Math.min(this.timing.maxIntervalMs, this.timing.initialIntervalMs * 1.5 ** pollsSoFar);
    return new Date(Date.now() + delay);
  }

  async schedule(id: string, at: Date): Promise<void> {
    await this.jobs.send<MobilePollJob>(MOBILE_POLL_QUEUE, { id }, { singletonKey: id, startAfter: at });
  }

  takeProviderSlot(): Promise<void> {
    return this.limiter.acquire();
  }

  pruneRateWindows(): Promise<void> {
    return this.limiter.prune();
  }
}
