import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BtrustCallbackFormatError } from '../btrust/btrust.errors';
import { parseBtrustCallback } from '../btrust/wire/webhook.wire';
import type { BtrustCallback } from '../btrust/btrust.types';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { postgresPool } from '../database/postgres-pool';
import { jobInsertSql } from '../jobs/job-insert-sql';
import { JobQueue } from '../jobs/job-queue.service';
import { CasMetrics } from '../metrics/cas-metrics';
import { CallbackError, CallbackErrorCode } from './callback.errors';
import { CallbackEndpointsService, hashCallbackToken } from './callback-endpoints.service';

export const CALLBACK_QUEUE = 'btrust-callback';

export interface CallbackJob {
  inboxId: string;
}

export type CallbackReceipt = { status: 'accepted' | 'duplicate' };

interface StoredCallback {
  subjectId: string;
  inserted: boolean;
}

/**
 * Resolves the token, stores the webhook and enqueues its processing: one
 * statement, so one round trip, and atomic without a transaction. Returns no
 * row when no live endpoint has the token (nothing is written then).
 */
const STORE_CALLBACK_SQL = `
  WITH endpoint AS (
    SELECT subject_id FROM callback_endpoints WHERE token_hash = $1 AND expires_at > now()
  ), stored AS (
    INSERT INTO callback_inbox
      (id, subject_id, dedupe_key, request_id, relying_party_id, foreign_relying_party, process_state, session_id, result_id, provider_code)
    SELECT gen_random_uuid(), subject_id, $2, $3, $4, $9, $5, $6, $7, $8 FROM endpoint
    ON CONFLICT (subject_id, dedupe_key) DO UPDATE SET duplicates = callback_inbox.duplicates + 1
    RETURNING id, (xmax = 0) AS inserted
  ), enqueued AS (
    ${jobInsertSql({
      queueParameter: '$10',
      rows: 'stored',
      where: 'stored.inserted',
      data: "jsonb_build_object('inboxId', stored.id)",
    })}
  )
  SELECT endpoint.subject_id AS "subjectId", stored.inserted FROM endpoint CROSS JOIN stored`;

/**
 * The request path of a webhook, kept as short as possible: check the shape,
 * then resolve the token, store the webhook in the inbox and enqueue its
 * processing in one statement, answer. Nothing about the identification
 * changes here.
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
    const tokenHash = hashCallbackToken(token);
    let callback: BtrustCallback;
    try {
      callback = parseBtrustCallback(body);
    } catch (error) {
      if (!(error instanceof BtrustCallbackFormatError)) throw error;
      // An address we never handed out is a 404 whatever was posted to it.
      if (!(await this.endpoints.resolve(tokenHash))) throw this.notFound();
      this.metrics.countCallbackRejected('INVALID_CALLBACK');
      throw new CallbackError(CallbackErrorCode.INVALID_CALLBACK, 'The body is not a B-Trust status callback.', {
        problems: error.problems,
      });
    }

    // Reading: the document's webhook examples name another relying-party number than its header
    // example and never say the two are the same. The URL's token already ties the webhook to one
    // of our flows and processing asks B-Trust over mutual TLS, so another id is flagged, not dropped.
    const foreign = callback.relyingPartyId !== this.config.btrust.relyingPartyId;
    const stored = await this.store(tokenHash, callback, foreign);
    if (!stored) throw this.notFound();
    const receipt: CallbackReceipt = { status: stored.inserted ? 'accepted' : 'duplicate' };

    if (!stored.inserted) this.metrics.callbacksDeduplicated.inc();
    else if (foreign) {
      this.metrics.callbacksUnexpectedIds.inc({ field: 'relyingPartyId' });
      this.logger.log({ subjectId: stored.subjectId, processState: callback.processState }, 'B-Trust callback names another relyingPartyId; processed as a hint');
    }
    // Every delivery already has its access-log line and its counters; a second line per webhook
    // doubled the logging cost of a storm. Anything not applied is logged when it is processed.
    this.logger.debug({ subjectId: stored.subjectId, processState: callback.processState, receipt: receipt.status }, 'B-Trust callback received');
    return receipt;
  }

  /**
   * A webhook is acknowledged only once it and its job are committed; a
   * repeat of a stored delivery only counts as a duplicate. Null when no live
   * endpoint has this token.
   */
  private async store(tokenHash: string, callback: BtrustCallback, foreignRelyingParty: boolean): Promise<StoredCallback | null> {
    // Named, so that each connection parses and plans the statement once.
    const { rows } = await postgresPool(this.dataSource).query<StoredCallback>({
      name: 'store-callback',
      text: STORE_CALLBACK_SQL,
      values: [
        tokenHash,
        [callback.requestId, callback.processState, callback.sessionId, callback.resultId].join('|'),
        callback.requestId,
        callback.relyingPartyId,
        callback.processState,
        callback.sessionId,
        callback.resultId,
        callback.providerCode ?? null,
        foreignRelyingParty,
        CALLBACK_QUEUE,
      ],
    });
    return rows[0] ?? null;
  }

  private notFound(): CallbackError {
    this.metrics.countCallbackRejected('CALLBACK_NOT_FOUND');
    return new CallbackError(CallbackErrorCode.CALLBACK_NOT_FOUND, 'No callback is expected at this address.');
  }
}
