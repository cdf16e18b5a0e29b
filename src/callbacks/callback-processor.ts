import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { readWebhook } from '../btrust/btrust-webhook-reading';
import { postgresPool } from '../database/postgres-pool';
import { JobQueue } from '../jobs/job-queue.service';
import { CasMetrics } from '../metrics/cas-metrics';
import { CallbackHandlerResult, CallbackHandlers, StoredWebhook } from './callback-handlers';
import type { CallbackInboxEntry } from './callback-inbox.entity';
import { CALLBACK_QUEUE, CallbackJob } from './callback-inbox.service';

/**
 * Works the inbox: hands each stored webhook to the feature its processState
 * names (then to the others, if that one does not know its resultId) and
 * records the outcome and which of the flow's ids its sessionId was. A
 * handler that throws leaves the entry PENDING and pg-boss retries the job
 * with backoff.
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
    const { rows } = await pool.query<PendingWebhook>({
      name: 'read-pending-callback',
      text: `SELECT id, subject_id AS "subjectId", process_state AS "processState", session_id AS "sessionId",
                    result_id AS "resultId", provider_code AS "providerCode"
               FROM callback_inbox WHERE id = $1 AND outcome = 'PENDING'`,
      values: [inboxId],
    });
    const [pending] = rows;
    if (!pending) return;

    const { processState, providerCode, ...ids } = pending;
    const entry: StoredWebhook = { ...ids, reading: readWebhook({ processState, providerCode }) };
    const result = await this.handle(entry);
    const sessionIdMatch = 'sessionIdMatch' in result ? result.sessionIdMatch : null;
    const recorded = await pool.query({
      name: 'record-callback-outcome',
      text: `UPDATE callback_inbox SET outcome = $2, outcome_detail = $3, session_id_match = $4, processed_at = now()
              WHERE id = $1 AND outcome = 'PENDING'`,
      values: [inboxId, result.outcome, result.detail ?? null, sessionIdMatch],
    });
    // Only the worker that recorded the outcome counts it, so a job retried after a crash counts once.
    const counts = recorded.rowCount === 1;
    if (sessionIdMatch === 'NONE') {
      if (counts) this.metrics.callbacksUnexpectedIds.inc({ field: 'sessionId' });
      this.logger.log({ inboxId, subjectId: entry.subjectId, outcome: result.outcome }, 'Callback sessionId is none of its flow\'s ids; tied by its resultId');
    }
    if (result.outcome !== 'APPLIED' && result.outcome !== 'NO_CHANGE') {
      if (counts) this.metrics.countCallbackRejected(result.outcome);
      this.logger.warn({ inboxId, subjectId: entry.subjectId, outcome: result.outcome, detail: result.detail }, 'Callback not applied');
    }
  }

  /** The first handler whose flow knows the webhook's resultId takes it. */
  private async handle(entry: StoredWebhook): Promise<CallbackHandlerResult | { outcome: 'UNHANDLED'; detail: string }> {
    const handlers = this.handlers.inOrderFor(entry.reading.concerns);
    if (handlers.length === 0) return { outcome: 'UNHANDLED', detail: 'No handler is registered' };
    const mismatches: string[] = [];
    for (const handler of handlers) {
      const result = await handler.handle(entry);
      if (result.outcome !== 'MISMATCH') return result;
      mismatches.push(result.detail);
    }
    return { outcome: 'MISMATCH', detail: mismatches.join('; ') };
  }
}

type PendingWebhook = Omit<StoredWebhook, 'reading'> & Pick<CallbackInboxEntry, 'processState' | 'providerCode'>;
