import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BtrustCallbackFormatError } from '../btrust/btrust.errors';
import { parseBtrustCallback } from '../btrust/btrust-wire';
import type { BtrustCallback } from '../btrust/btrust.types';
import { ApiProblem } from '../common/problem/problem';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { JobQueue } from '../jobs/job-queue.service';
import { CasMetrics } from '../metrics/cas-metrics';
import { CallbackEndpointsService } from './callback-endpoints.service';
import { CallbackOutcome } from './callback-inbox.entity';

export const CALLBACK_QUEUE = 'btrust-callback';

export interface CallbackJob {
  inboxId: string;
}

export type CallbackReceipt = { status: 'accepted' | 'duplicate' | 'ignored' };

/**
 * The request path of a webhook, kept as short as possible: resolve the
 * token, check the shape, store it in the inbox and enqueue its processing
 * in one transaction, answer. Nothing about the identification changes here.
 */
@Injectable()
export class CallbackInboxService implements OnModuleInit {
  private readonly logger = new Logger(CallbackInboxService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly endpoints: CallbackEndpointsService,
    private readonly jobs: JobQueue,
    private readonly metrics: CasMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.createQueue(CALLBACK_QUEUE, { retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 });
  }

  async receive(token: string, body: unknown): Promise<CallbackReceipt> {
    this.metrics.callbacksReceived.inc();
    const endpoint = await this.endpoints.resolve(token);
    if (!endpoint) {
      this.metrics.countCallbackRejected('CALLBACK_NOT_FOUND');
      throw new ApiProblem(HttpStatus.NOT_FOUND, 'CALLBACK_NOT_FOUND', 'Not found', 'No callback is expected at this address.');
    }

    let callback: BtrustCallback;
    try {
      callback = parseBtrustCallback(body);
    } catch (error) {
      if (!(error instanceof BtrustCallbackFormatError)) throw error;
      this.metrics.countCallbackRejected('INVALID_CALLBACK');
      throw new ApiProblem(HttpStatus.BAD_REQUEST, 'INVALID_CALLBACK', 'Invalid callback', 'The body is not a B-Trust status callback.', {
        problems: error.problems,
      });
    }

    // Another relying party's callback at our URL is kept for operators but never processed.
    const foreign = callback.relyingPartyId !== this.config.btrust.relyingPartyId;
    const outcome: CallbackOutcome = foreign ? 'FOREIGN_RELYING_PARTY' : 'PENDING';
    const dedupeKey = [callback.requestId, callback.processState, callback.sessionId, callback.resultId].join('|');

    const receipt = await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; inserted: boolean }> = await manager.query(
        `INSERT INTO callback_inbox
           (id, subject_id, dedupe_key, request_id, relying_party_id, process_state, session_id, result_id, provider_code, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (subject_id, dedupe_key) DO UPDATE SET duplicates = callback_inbox.duplicates + 1
         RETURNING id, (xmax = 0) AS inserted`,
        [
          randomUUID(),
          endpoint.subjectId,
          dedupeKey,
          callback.requestId,
          callback.relyingPartyId,
          callback.processState,
          callback.sessionId,
          callback.resultId,
          callback.providerCode ?? null,
          outcome,
        ],
      );
      const [{ id, inserted }] = rows;
      if (!inserted) return { status: 'duplicate' as const };
      if (foreign) return { status: 'ignored' as const };
      await this.jobs.sendWithin<CallbackJob>(manager, CALLBACK_QUEUE, { inboxId: id });
      return { status: 'accepted' as const };
    });

    if (receipt.status === 'duplicate') this.metrics.callbacksDeduplicated.inc();
    if (receipt.status === 'ignored') this.metrics.countCallbackRejected('FOREIGN_RELYING_PARTY');
    this.logger.log(
      { subjectId: endpoint.subjectId, processState: callback.processState, receipt: receipt.status },
      'B-Trust callback received',
    );
    return receipt;
  }
}
