import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { readWebhook } from '../btrust/btrust-webhook-reading';
import { JobQueue } from '../jobs/job-queue.service';
import { CasMetrics } from '../metrics/cas-metrics';
import { CallbackHandlerResult, CallbackHandlers, StoredWebhook } from './callback-handlers';
import { CallbackInboxRepository } from './callback-inbox.repository';
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
    private readonly inbox: CallbackInboxRepository,
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
    const pending = await this.inbox.findPending(inboxId);
    if (!pending) return;

    const { processState, providerCode, ...ids } = pending;
    const entry: StoredWebhook = { ...ids, reading: readWebhook({ processState, providerCode }) };
    const result = await this.handle(entry);
    const sessionIdMatch = 'sessionIdMatch' in result ? result.sessionIdMatch : null;
    // Only the worker that recorded the outcome counts it, so a job retried after a crash counts once.
    const counts = await this.inbox.recordOutcome(inboxId, { outcome: result.outcome, detail: result.detail ?? null, sessionIdMatch });
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
