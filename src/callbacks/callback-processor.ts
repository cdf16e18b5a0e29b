import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobQueue } from '../jobs/job-queue.service';
import { CasMetrics } from '../metrics/cas-metrics';
import { CallbackHandlers } from './callback-handlers';
import { CallbackInboxEntry } from './callback-inbox.entity';
import { CALLBACK_QUEUE, CallbackJob } from './callback-inbox.service';

/**
 * Works the inbox: hands each stored webhook to the feature that handles its
 * processState and records the outcome. A handler that throws leaves the
 * entry PENDING and pg-boss retries the job with backoff.
 */
@Injectable()
export class CallbackProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(CallbackProcessor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
    private readonly handlers: CallbackHandlers,
    private readonly metrics: CasMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.work<CallbackJob>(CALLBACK_QUEUE, ({ inboxId }) => this.process(inboxId), {
      concurrency: 4,
      pollingIntervalSeconds: 0.5,
    });
  }

  async process(inboxId: string): Promise<void> {
    const inbox = this.dataSource.getRepository(CallbackInboxEntry);
    const entry = await inbox.findOneBy({ id: inboxId });
    if (!entry || entry.outcome !== 'PENDING') return;

    const handler = this.handlers.find(entry.processState);
    const result = handler
      ? await handler.handle(entry)
      : { outcome: 'UNHANDLED' as const, detail: `No handler for processState ${entry.processState}` };
    const updated = await inbox.update(
      { id: inboxId, outcome: 'PENDING' },
      { outcome: result.outcome, outcomeDetail: result.detail ?? null, processedAt: new Date() },
    );
    if (result.outcome !== 'APPLIED' && result.outcome !== 'NO_CHANGE') {
      // Only the worker that recorded the outcome counts it, so a job retried after a crash counts once.
      if (updated.affected === 1) this.metrics.countCallbackRejected(result.outcome);
      this.logger.warn({ inboxId, subjectId: entry.subjectId, outcome: result.outcome, detail: result.detail }, 'Callback not applied');
    }
  }
}
