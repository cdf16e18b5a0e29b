import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { postgresPool } from '../database/postgres-pool';
import { JobQueue } from '../jobs/job-queue.service';
import { CasMetrics } from '../metrics/cas-metrics';
import { CallbackHandlers, StoredWebhook } from './callback-handlers';
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
    // Each worker takes a few jobs per fetch and handles them side by side: one fetch and one
    // completion for all of them, which is most of a job's round trips when the webhook changes nothing.
    await this.jobs.work<CallbackJob>(CALLBACK_QUEUE, ({ inboxId }) => this.process(inboxId), {
      concurrency: 4,
      batchSize: 5,
      pollingIntervalSeconds: 0.5,
    });
  }

  async process(inboxId: string): Promise<void> {
    // Named statements: each connection parses and plans them once for the whole storm.
    const pool = postgresPool(this.dataSource);
    const { rows } = await pool.query<StoredWebhook>({
      name: 'read-pending-callback',
      text: `SELECT id, subject_id AS "subjectId", process_state AS "processState", session_id AS "sessionId",
                    result_id AS "resultId", provider_code AS "providerCode"
               FROM callback_inbox WHERE id = $1 AND outcome = 'PENDING'`,
      values: [inboxId],
    });
    const [entry] = rows;
    if (!entry) return;

    const handler = this.handlers.find(entry.processState);
    const result = handler
      ? await handler.handle(entry)
      : { outcome: 'UNHANDLED' as const, detail: `No handler for processState ${entry.processState}` };
    const recorded = await pool.query({
      name: 'record-callback-outcome',
      text: `UPDATE callback_inbox SET outcome = $2, outcome_detail = $3, processed_at = now() WHERE id = $1 AND outcome = 'PENDING'`,
      values: [inboxId, result.outcome, result.detail ?? null],
    });
    if (result.outcome !== 'APPLIED' && result.outcome !== 'NO_CHANGE') {
      // Only the worker that recorded the outcome counts it, so a job retried after a crash counts once.
      if (recorded.rowCount === 1) this.metrics.countCallbackRejected(result.outcome);
      this.logger.warn({ inboxId, subjectId: entry.subjectId, outcome: result.outcome, detail: result.detail }, 'Callback not applied');
    }
  }
}
