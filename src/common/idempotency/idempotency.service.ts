import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { outcomeUnknown } from '../../btrust/provider-failure';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { ProblemDocument, StoredProblem } from '../problem/problem';
import { toProblem } from '../problem/to-problem';
import { IdempotencyError, IdempotencyErrorCode } from './idempotency.errors';

export interface StoredResponse {
  status: number;
  body: unknown;
}

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** A holder renews its lease this many times per lease, so one late renewal never loses it. */
const RENEWALS_PER_LEASE = 3;
/** The longest Retry-After on a key in progress: its holder may answer any moment, well before its lease ends. */
const MAX_RETRY_AFTER_SECONDS = 5;
const PRUNE_EVERY_MS = 10 * 60_000;

interface StoredKey {
  request_hash: string;
  response_status: number | null;
  response_body: unknown;
  lease_left_ms: number | null;
  record_id: string | null;
}

interface HeldKey {
  owner: string;
  key: string;
  holder: string;
}

/** The key the request being served holds, for bindIdempotencyKey deep in its service. */
const heldKeys = new AsyncLocalStorage<HeldKey>();

/**
 * Ties the key of the request being served (if it sent one) to the record it creates, in the
 * transaction that inserts the record, before the paid provider call. A holder that dies after
 * this may have reached B-Trust: its key is then answered with the record's unknown outcome,
 * never served afresh.
 */
export async function bindIdempotencyKey(manager: EntityManager, recordId: string): Promise<void> {
  const held = heldKeys.getStore();
  if (!held) return;
  await manager.query('UPDATE idempotency_keys SET record_id = $4 WHERE owner = $1 AND key = $2 AND holder = $3', [
    held.owner,
    held.key,
    held.holder,
    recordId,
  ]);
}

/**
 * Implements the `Idempotency-Key` header for paid POSTs: the first request
 * with a key does the work and its answer is stored; a repeat with the same
 * body gets that answer at once, a repeat with another body is refused, and a
 * repeat while the first still runs is told to come back (409 with
 * Retry-After). A key is claimed with one atomic statement, so concurrent
 * repeats on any server instance never start a second provider call. The
 * claim is a lease that its holder renews while it works: when the holder's
 * process dies, the lease runs out and the next repeat takes the key over and
 * serves the request afresh — unless the dead holder had created its record
 * (bindIdempotencyKey), and so may have sent the paid call: that key's answer
 * becomes the record's unknown outcome (PROVIDER_OUTCOME_UNKNOWN), and no
 * second paid call is sent. Keys are forgotten IDEMPOTENCY_KEY_TTL_MS after
 * their first use.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyService.name);
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.pruneTimer = setInterval(() => {
      this.pruneExpired().catch((error: unknown) => this.logger.warn({ err: error }, 'Could not prune expired idempotency keys'));
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruneTimer);
  }

  async run(
    owner: string,
    scope: string,
    key: string | undefined,
    requestBody: unknown,
    work: () => Promise<StoredResponse>,
  ): Promise<StoredResponse> {
    if (key === undefined) return work();
    if (!KEY_FORMAT.test(key)) {
      throw new IdempotencyError(
        IdempotencyErrorCode.INVALID_IDEMPOTENCY_KEY,
        'The Idempotency-Key header must be 1 to 255 printable ASCII characters.',
      );
    }
    const scopedKey = `${scope}:${key}`;
    const requestHash = hashBody(requestBody);
    const holder = randomUUID();

    // A key pruned between the claim and the read is claimed again: twice is enough, as only expired keys are pruned.
    for (let attempt = 0; ; attempt += 1) {
      if (await this.claim(owner, scopedKey, requestHash, holder)) break;
      const stored = await this.read(owner, scopedKey);
      if (stored?.record_id && stored.response_status === null && stored.lease_left_ms === 0 && stored.request_hash === requestHash) {
        await this.settleAbandoned(owner, scopedKey, stored.record_id);
        continue;
      }
      if (stored || attempt > 0) return this.answerRepeat(stored, requestHash);
    }
    return heldKeys.run({ owner, key: scopedKey, holder }, () => this.serve(owner, scopedKey, holder, work));
  }

  /** Deletes every key past its time to live whose request is no longer running; returns how many. */
  async pruneExpired(): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(
      `DELETE FROM idempotency_keys
        WHERE expires_at <= now() AND (response_status IS NOT NULL OR lease_expires_at <= now())
       RETURNING 1`,
    );
    return rows.length;
  }

  /**
   * Inserts the key, or takes over one that is free to take: forgotten (past
   * its time to live, its request no longer running), or in progress with a
   * lease that ran out and the same body (its holder died before creating its
   * record; another body is still a reuse of the key).
   */
  private async claim(owner: string, key: string, requestHash: string, holder: string): Promise<boolean> {
    const { leaseMs, keyTtlMs } = this.config.idempotency;
    const rows: Array<{ taken_over: boolean }> = await this.dataSource.query(
      `INSERT INTO idempotency_keys (owner, key, request_hash, holder, lease_expires_at, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), now() + make_interval(secs => $6))
       ON CONFLICT (owner, key) DO UPDATE SET
         request_hash = excluded.request_hash, holder = excluded.holder, lease_expires_at = excluded.lease_expires_at,
         expires_at = excluded.expires_at, created_at = now(), response_status = NULL, response_body = NULL,
         record_id = NULL
       WHERE (idempotency_keys.response_status IS NOT NULL AND idempotency_keys.expires_at <= now())
          OR (idempotency_keys.response_status IS NULL AND idempotency_keys.lease_expires_at <= now()
              AND ((idempotency_keys.request_hash = excluded.request_hash AND idempotency_keys.record_id IS NULL)
                   OR idempotency_keys.expires_at <= now()))
       RETURNING xmax <> 0 AS taken_over`,
      [owner, key, requestHash, holder, leaseMs / 1000, keyTtlMs / 1000],
    );
    if (rows[0]?.taken_over) this.logger.warn({ scope: key.split(':')[0] }, 'Idempotency key taken over from a request that stopped or expired');
    return rows.length > 0;
  }

  private async serve(owner: string, key: string, holder: string, work: () => Promise<StoredResponse>): Promise<StoredResponse> {
    const renewal = setInterval(() => {
      this.renewLease(owner, key, holder).catch((error: unknown) => this.logger.warn({ err: error }, 'Could not renew an idempotency lease'));
    }, this.config.idempotency.leaseMs / RENEWALS_PER_LEASE);
    renewal.unref();
    try {
      let response: StoredResponse;
      try {
        response = await work();
      } catch (error) {
        const problem = toProblem(error, {});
        if (problem.unexpected) {
          // Nothing trustworthy to replay: free the key so the client can retry.
          await this.dataSource.query('DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND holder = $3', [owner, key, holder]);
          throw error;
        }
        await this.store(owner, key, holder, { status: problem.status, body: { ...problem.body, requestId: undefined } });
        throw error;
      }
      await this.store(owner, key, holder, response);
      return response;
    } finally {
      clearInterval(renewal);
    }
  }

  private async renewLease(owner: string, key: string, holder: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET lease_expires_at = now() + make_interval(secs => $4)
        WHERE owner = $1 AND key = $2 AND holder = $3 AND response_status IS NULL`,
      [owner, key, holder, this.config.idempotency.leaseMs / 1000],
    );
  }

  /** Only the holder stores: a request whose key was taken over answers its own client and leaves the key to the new holder. */
  private async store(owner: string, key: string, holder: string, response: StoredResponse): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET response_status = $4, response_body = $5, lease_expires_at = NULL
        WHERE owner = $1 AND key = $2 AND holder = $3`,
      [owner, key, holder, response.status, JSON.stringify(response.body)],
    );
  }

  /**
   * A holder died after creating its record, so B-Trust may have started the paid request: the
   * key's answer becomes that record's unknown outcome, stored like any other so that every
   * repeat gets it. The record itself is settled by its flow's recovery and by operators.
   */
  private async settleAbandoned(owner: string, key: string, recordId: string): Promise<void> {
    const problem = toProblem(outcomeUnknown(recordId), {});
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE idempotency_keys SET response_status = $3, response_body = $4, lease_expires_at = NULL
        WHERE owner = $1 AND key = $2 AND response_status IS NULL AND lease_expires_at <= now() RETURNING 1`,
      [owner, key, problem.status, JSON.stringify({ ...problem.body, requestId: undefined })],
    );
    if (rows.length > 0) this.logger.warn({ scope: key.split(':')[0], recordId }, 'Idempotency key of a request that died after creating its record: answered as outcome unknown');
  }

  private async read(owner: string, key: string): Promise<StoredKey | undefined> {
    const rows: StoredKey[] = await this.dataSource.query(
      `SELECT request_hash, response_status, response_body, record_id,
              GREATEST(0, EXTRACT(EPOCH FROM lease_expires_at - now()) * 1000)::float8 AS lease_left_ms
         FROM idempotency_keys WHERE owner = $1 AND key = $2`,
      [owner, key],
    );
    return rows[0];
  }

  private answerRepeat(stored: StoredKey | undefined, requestHash: string): StoredResponse {
    if (stored && stored.request_hash !== requestHash) {
      throw new IdempotencyError(
        IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was first used with a different request body. Use a new key for a new request.',
      );
    }
    if (stored?.response_status != null) {
      if (stored.response_status >= 400) throw new StoredProblem(stored.response_status, stored.response_body as ProblemDocument);
      return { status: stored.response_status, body: stored.response_body };
    }
    const retryAfterSeconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil((stored?.lease_left_ms ?? 0) / 1000)));
    throw new IdempotencyError(
      IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
      'Send the same request again after Retry-After seconds: it gets the first request\'s answer, or serves the request ' +
        'if the first one stopped without answering.',
      { retryAfterSeconds },
      retryAfterSeconds,
    );
  }
}

/** Key order must not matter: `{a,b}` and `{b,a}` are the same request. */
export function hashBody(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
