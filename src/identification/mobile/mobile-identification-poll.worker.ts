import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobQueue } from '../../jobs/job-queue.service';
import { MOBILE_POLL_QUEUE, MobileIdentificationPollScheduler, MobilePollJob } from './mobile-identification-poll.scheduler';
import { MobileIdentificationsService } from './mobile-identifications.service';

const SWEEP_INTERVAL_MS = 30_000;

/**
 * Runs the poll jobs, and sweeps for open identifications whose poll is
 * overdue (a job lost with a killed instance): those get a new job, which the
 * queue's one-per-identification rule keeps from doubling up.
 */
@Injectable()
export class MobileIdentificationPollWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MobileIdentificationPollWorker.name);
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly scheduler: MobileIdentificationPollScheduler,
    private readonly identifications: MobileIdentificationsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.work<MobilePollJob>(
      MOBILE_POLL_QUEUE,
      async ({ id }) => {
        const next = await this.identifications.pollOnce(id);
        if (next) await this.scheduler.schedule(id, next);
      },
      { concurrency: 8, pollingIntervalSeconds: 0.5 },
    );
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweepTimer);
  }

  async sweep(): Promise<void> {
    try {
      const overdue: Array<{ id: string }> = await this.dataSource.query(
        `SELECT id FROM mobile_identifications
          WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')
            AND (next_poll_at IS NULL OR next_poll_at < now() - make_interval(secs => $1))
            AND created_at < now() - interval '30 seconds'
          LIMIT 1000`,
        [SWEEP_INTERVAL_MS / 1000],
      );
      for (const { id } of overdue) await this.scheduler.schedule(id, new Date());
      if (overdue.length > 0) this.logger.log({ count: overdue.length }, 'Rescheduled overdue mobile identification polls');
      await this.scheduler.pruneRateWindows();
    } catch (error) {
      this.logger.error({ err: error }, 'Sweeping overdue polls failed');
    }
  }
}
