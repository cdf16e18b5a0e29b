import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** One request's hold on a key: the key in its scope, and the holder (a random id per request) that claimed it. */
export interface KeyHold {
  owner: string;
  key: string;
  holder: string;
}

/** A key as a repeat finds it. */
export interface StoredKey {
  requestHash: string;
  /** Null while the request is still being served (or its holder stopped without answering). */
  responseStatus: number | null;
  responseBody: unknown;
  /** What is left of the holder's lease: 0 once it has run out, and once the key is answered. */
  leaseLeftMs: number | null;
  /** The record the holder created, once it did. */
  recordId: string | null;
}

/** A status and body stored for a key, replayed to every repeat. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * Inserts the key, or takes over one that is free to take: forgotten (past
 * its time to live, its request no longer running), or in progress with a
 * lease that ran out and the same body (its holder died before creating its
 * record; another body is still a reuse of the key).
 */
const CLAIM_KEY_SQL = `INSERT INTO idempotency_keys (owner, key, request_hash, holder, lease_expires_at, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), now() + make_interval(secs => $6))
       ON CONFLICT (owner, key) DO UPDATE SET
         request_hash = excluded.request_hash, holder = excluded.holder, lease_expires_at = excluded.lease_expires_at,
         expires_at = excluded.expires_at, created_at = now(), response_status = NULL, response_body = NULL,
         record_id = NULL
       WHERE (idempotency_keys.response_status IS NOT NULL AND idempotency_keys.expires_at <= now())
          OR (idempotency_keys.response_status IS NULL AND idempotency_keys.lease_expires_at <= now()
              AND ((idempotency_keys.request_hash = excluded.request_hash AND idempotency_keys.record_id IS NULL)
                   OR idempotency_keys.expires_at <= now()))
       RETURNING xmax <> 0 AS taken_over`;

const READ_KEY_SQL = `SELECT request_hash AS "requestHash", response_status AS "responseStatus", response_body AS "responseBody",
              record_id AS "recordId",
              GREATEST(0, EXTRACT(EPOCH FROM lease_expires_at - now()) * 1000)::float8 AS "leaseLeftMs"
         FROM idempotency_keys WHERE owner = $1 AND key = $2`;

const RENEW_LEASE_SQL = `UPDATE idempotency_keys SET lease_expires_at = now() + make_interval(secs => $4)
        WHERE owner = $1 AND key = $2 AND holder = $3 AND response_status IS NULL`;

const STORE_HOLDERS_ANSWER_SQL = `UPDATE idempotency_keys SET response_status = $4, response_body = $5, lease_expires_at = NULL
        WHERE owner = $1 AND key = $2 AND holder = $3`;

const STORE_ABANDONED_KEYS_ANSWER_SQL = `UPDATE idempotency_keys SET response_status = $3, response_body = $4, lease_expires_at = NULL
        WHERE owner = $1 AND key = $2 AND response_status IS NULL AND lease_expires_at <= now() RETURNING 1`;

const RELEASE_HOLDERS_KEY_SQL = 'DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND holder = $3';

const BIND_RECORD_TO_HOLDERS_KEY_SQL = 'UPDATE idempotency_keys SET record_id = $4 WHERE owner = $1 AND key = $2 AND holder = $3';

const DELETE_EXPIRED_KEYS_SQL = `DELETE FROM idempotency_keys
        WHERE expires_at <= now() AND (response_status IS NOT NULL OR lease_expires_at <= now())
       RETURNING 1`;

/**
 * The Idempotency-Key claims and their stored answers (idempotency_keys),
 * the only writer of its rows. Every write by a holder names it, so a
 * request whose key was taken over never touches the new holder's claim.
 */
@Injectable()
export class IdempotencyKeyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Null when the key is held or answered already; otherwise whether it was taken over from an earlier holder. */
  async claim(hold: KeyHold, requestHash: string, lease: { leaseMs: number; keyTtlMs: number }): Promise<{ takenOver: boolean } | null> {
    const rows: Array<{ taken_over: boolean }> = await this.dataSource.query(CLAIM_KEY_SQL, [
      hold.owner,
      hold.key,
      requestHash,
      hold.holder,
      lease.leaseMs / 1000,
      lease.keyTtlMs / 1000,
    ]);
    return rows.length > 0 ? { takenOver: rows[0].taken_over } : null;
  }

  async find(owner: string, key: string): Promise<StoredKey | undefined> {
    const rows: StoredKey[] = await this.dataSource.query(READ_KEY_SQL, [owner, key]);
    return rows[0];
  }

  async renewLease(hold: KeyHold, leaseMs: number): Promise<void> {
    await this.dataSource.query(RENEW_LEASE_SQL, [hold.owner, hold.key, hold.holder, leaseMs / 1000]);
  }

  /** Stores the holder's answer and ends its lease; a holder whose key was taken over stores nothing. */
  async storeAnswer(hold: KeyHold, answer: StoredResponse): Promise<void> {
    await this.dataSource.query(STORE_HOLDERS_ANSWER_SQL, [hold.owner, hold.key, hold.holder, answer.status, JSON.stringify(answer.body)]);
  }

  /** Stores an answer for a key whose holder's lease ran out unanswered; false when another request did it first. */
  async storeAbandonedAnswer(owner: string, key: string, answer: StoredResponse): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(STORE_ABANDONED_KEYS_ANSWER_SQL, [owner, key, answer.status, JSON.stringify(answer.body)]);
    return rows.length > 0;
  }

  /** Forgets the holder's claim, so that the client may send the request again. */
  async release(hold: KeyHold): Promise<void> {
    await this.dataSource.query(RELEASE_HOLDERS_KEY_SQL, [hold.owner, hold.key, hold.holder]);
  }

  /** Ties the holder's key to the record it creates, in the transaction that inserts the record. */
  async bindRecordWithin(manager: EntityManager, hold: KeyHold, recordId: string): Promise<void> {
    await manager.query(BIND_RECORD_TO_HOLDERS_KEY_SQL, [hold.owner, hold.key, hold.holder, recordId]);
  }

  /** Deletes every key past its time to live whose request is no longer running; returns how many. */
  async deleteExpired(): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(DELETE_EXPIRED_KEYS_SQL);
    return rows.length;
  }
}
