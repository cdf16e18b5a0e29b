import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { BtrustCallback } from '../btrust/btrust.types';
import { postgresPool } from '../database/postgres-pool';
import type { StoredWebhook } from './callback-handlers';
import type { CallbackInboxEntry, CallbackOutcome, SessionIdMatch } from './callback-inbox.entity';

export interface StoredCallback {
  subjectId: string;
  inserted: boolean;
}

/** A stored webhook not processed yet, as it was received. */
export type PendingWebhook = Omit<StoredWebhook, 'reading'> & Pick<CallbackInboxEntry, 'processState' | 'providerCode'>;

/** What processing made of a webhook. */
export interface WebhookOutcome {
  outcome: Exclude<CallbackOutcome, 'PENDING'>;
  detail: string | null;
  sessionIdMatch: SessionIdMatch | null;
}

/**
 * Resolves the token, stores the webhook and enqueues its processing: one
 * statement, so one round trip, and atomic without a transaction. Returns no
 * row when no live endpoint has the token (nothing is written then).
 *
 * The `enqueued` CTE is the INSERT pg-boss 10's `send()` runs for a job
 * without options of its own (every setting comes from its queue), in the
 * schema JobQueue gives pg-boss; the callback ingest test compares its row
 * with the queue's settings, so a pg-boss upgrade that changes its table
 * fails a test instead of losing jobs.
 */
const STORE_CALLBACK_AND_ENQUEUE_SQL = `
  WITH endpoint AS (
    SELECT subject_id FROM callback_endpoints WHERE token_hash = $1 AND expires_at > now()
  ), stored AS (
    INSERT INTO callback_inbox
      (id, subject_id, dedupe_key, request_id, relying_party_id, foreign_relying_party, process_state, session_id, result_id, provider_code)
    SELECT gen_random_uuid(), subject_id, $2, $3, $4, $9, $5, $6, $7, $8 FROM endpoint
    ON CONFLICT (subject_id, dedupe_key) DO UPDATE SET duplicates = callback_inbox.duplicates + 1
    RETURNING id, (xmax = 0) AS inserted
  ), enqueued AS (
    INSERT INTO pgboss.job
      (id, name, data, priority, start_after, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT gen_random_uuid(), queue.name, jsonb_build_object('inboxId', stored.id), 0, now(), queue.dead_letter,
           COALESCE(queue.expire_seconds * interval '1s', interval '15 minutes'),
           now() + CAST(COALESCE((queue.retention_minutes * 60)::text, '14 days') AS interval),
           COALESCE(queue.retry_limit, 2),
           CASE WHEN COALESCE(queue.retry_backoff, false) THEN GREATEST(queue.retry_delay, 1) ELSE COALESCE(queue.retry_delay, 0) END,
           COALESCE(queue.retry_backoff, false),
           queue.policy
      FROM stored JOIN pgboss.queue queue ON queue.name = $10
     WHERE stored.inserted
  )
  SELECT endpoint.subject_id AS "subjectId", stored.inserted FROM endpoint CROSS JOIN stored`;

const READ_PENDING_CALLBACK_SQL = `SELECT id, subject_id AS "subjectId", process_state AS "processState", session_id AS "sessionId",
                    result_id AS "resultId", provider_code AS "providerCode"
               FROM callback_inbox WHERE id = $1 AND outcome = 'PENDING'`;

const RECORD_CALLBACK_OUTCOME_SQL = `UPDATE callback_inbox SET outcome = $2, outcome_detail = $3, session_id_match = $4, processed_at = now()
              WHERE id = $1 AND outcome = 'PENDING'`;

/** The webhooks waiting to be processed, and the age in seconds of the oldest (0 when none waits): the inbox gauges. */
const COUNT_PENDING_CALLBACKS_SQL = `SELECT count(*)::int AS pending,
                COALESCE(EXTRACT(EPOCH FROM now() - min(received_at)), 0)::float8 AS oldest
           FROM callback_inbox WHERE outcome = 'PENDING'`;

/**
 * The inbox of webhooks (callback_inbox), the only writer of its rows. Every
 * statement on the webhook path goes straight to the driver's pool as a
 * named statement: each connection parses and plans it once for the whole
 * storm. The metrics scrape's count is no hot path and stays as it was.
 */
@Injectable()
export class CallbackInboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores a delivery and enqueues its job on `queue` when it is new; a
   * repeat of a stored delivery only increments `duplicates`. Null when no
   * live endpoint has this token.
   */
  async storeAndEnqueue(tokenHash: string, callback: BtrustCallback, foreignRelyingParty: boolean, queue: string): Promise<StoredCallback | null> {
    const { rows } = await postgresPool(this.dataSource).query<StoredCallback>({
      name: 'store-callback',
      text: STORE_CALLBACK_AND_ENQUEUE_SQL,
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
        queue,
      ],
    });
    return rows[0] ?? null;
  }

  /** The entry if it is still waiting to be processed. */
  async findPending(inboxId: string): Promise<PendingWebhook | undefined> {
    const { rows } = await postgresPool(this.dataSource).query<PendingWebhook>({
      name: 'read-pending-callback',
      text: READ_PENDING_CALLBACK_SQL,
      values: [inboxId],
    });
    return rows[0];
  }

  /**
   * Records what processing made of a pending entry; false when another
   * worker recorded it first (a job retried after a crash).
   */
  async recordOutcome(inboxId: string, { outcome, detail, sessionIdMatch }: WebhookOutcome): Promise<boolean> {
    const recorded = await postgresPool(this.dataSource).query({
      name: 'record-callback-outcome',
      text: RECORD_CALLBACK_OUTCOME_SQL,
      values: [inboxId, outcome, detail, sessionIdMatch],
    });
    return recorded.rowCount === 1;
  }

  // ── Metrics ──

  async pendingBacklog(): Promise<{ pending: number; oldest: number }> {
    const [row]: Array<{ pending: number; oldest: number }> = await this.dataSource.query(COUNT_PENDING_CALLBACKS_SQL);
    return row;
  }
}
