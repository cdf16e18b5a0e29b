import { Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { JobQueue } from '../jobs/job-queue.service';
import { PersonalDataRetention } from './personal-data-retention';

export const RETENTION_QUEUE = 'personal-data-retention';

/** One chain of runs for all instances: pg-boss keeps at most one queued run per key. */
const CHAIN_KEY = 'daily';
const DAY_MS = 24 * 60 * 60 * 1000;
/** The first run after a start-up that found no run queued, so a fresh deployment purges the same day. */
const FIRST_RUN_DELAY_MS = 60 * 1000;

/**
 * Runs the retention purge daily as a pg-boss job that queues its own next
 * run. The queue is `stately`: whichever instances start, there is one queued
 * run (plus at most the one running), and a run held by a killed instance is
 * handed out again.
 */
@Injectable()
export class RetentionJob implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger(RetentionJob.name);

  constructor(
    private readonly jobs: JobQueue,
    private readonly retention: PersonalDataRetention,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.createQueue(RETENTION_QUEUE, { policy: 'stately', retryLimit: 3, retryDelay: 300, expireInSeconds: 3600 });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.work(RETENTION_QUEUE, () => this.run(), { pollingIntervalSeconds: 30 });
    await this.queueNext(FIRST_RUN_DELAY_MS);
  }

  private async run(): Promise<void> {
    try {
      await this.retention.purgeExpired();
    } finally {
      // Queued even when this run failed (it is retried on its own): the chain must not break.
      await this.queueNext(DAY_MS);
    }
  }

  private async queueNext(delayMs: number): Promise<void> {
    const id = await this.jobs.send(RETENTION_QUEUE, {}, { singletonKey: CHAIN_KEY, startAfter: new Date(Date.now() + delayMs) });
    if (id) this.logger.log({ at: new Date(Date.now() + delayMs).toISOString() }, 'Retention purge scheduled');
  }
}
