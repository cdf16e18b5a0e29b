import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { outcomeUnknown } from '../../btrust/provider-failure';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { ProblemDocument, StoredProblem } from '../problem/problem';
import { toProblem } from '../problem/to-problem';
import { IdempotencyError, IdempotencyErrorCode } from './idempotency.errors';
import { IdempotencyKeyRepository, KeyHold, StoredKey, StoredResponse } from './idempotency-key.repository';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** A holder renews its lease this many times per lease, so one late renewal never loses it. */
const RENEWALS_PER_LEASE = 3;
/** The longest Retry-After on a key in progress: its holder may answer any moment, well before its lease ends. */
const MAX_RETRY_AFTER_SECONDS = 5;
const PRUNE_EVERY_MS = 10 * 60_000;

/** The key the request being served holds, for bindIdempotencyKey deep in its service. */
const heldKeys = new AsyncLocalStorage<{ hold: KeyHold; keys: IdempotencyKeyRepository }>();

/**
 * Ties the key of the request being served (if it sent one) to the record it creates, in the
 * transaction that inserts the record, before the paid provider call. A holder that dies after
 * this may have reached B-Trust: its key is then answered with the record's unknown outcome,
 * never served afresh.
 */
export async function bindIdempotencyKey(manager: EntityManager, recordId: string): Promise<void> {
  const held = heldKeys.getStore();
  if (!held) return;
  await held.keys.bindRecordWithin(manager, held.hold, recordId);
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
    private readonly keys: IdempotencyKeyRepository,
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
    const hold: KeyHold = { owner, key: scopedKey, holder: randomUUID() };

    // A key pruned between the claim and the read is claimed again: twice is enough, as only expired keys are pruned.
    for (let attempt = 0; ; attempt += 1) {
      if (await this.claim(hold, requestHash)) break;
      const stored = await this.keys.find(owner, scopedKey);
      if (stored?.recordId && stored.responseStatus === null && stored.leaseLeftMs === 0 && stored.requestHash === requestHash) {
        await this.settleAbandoned(owner, scopedKey, stored.recordId);
        continue;
      }
      if (stored || attempt > 0) return this.answerRepeat(stored, requestHash);
    }
    return heldKeys.run({ hold, keys: this.keys }, () => this.serve(hold, work));
  }

  /** Deletes every key past its time to live whose request is no longer running; returns how many. */
  async pruneExpired(): Promise<number> {
    return this.keys.deleteExpired();
  }

  /**
   * Takes the key: new, forgotten, or left by a holder that stopped before
   * creating its record (see IdempotencyKeyRepository.claim).
   */
  private async claim(hold: KeyHold, requestHash: string): Promise<boolean> {
    const claimed = await this.keys.claim(hold, requestHash, this.config.idempotency);
    if (claimed?.takenOver) this.logger.warn({ scope: hold.key.split(':')[0] }, 'Idempotency key taken over from a request that stopped or expired');
    return claimed !== null;
  }

  private async serve(hold: KeyHold, work: () => Promise<StoredResponse>): Promise<StoredResponse> {
    const renewal = setInterval(() => {
      this.keys.renewLease(hold, this.config.idempotency.leaseMs).catch((error: unknown) => this.logger.warn({ err: error }, 'Could not renew an idempotency lease'));
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
          await this.keys.release(hold);
          throw error;
        }
        await this.keys.storeAnswer(hold, { status: problem.status, body: { ...problem.body, requestId: undefined } });
        throw error;
      }
      // Only the holder stores: a request whose key was taken over answers its own client and leaves the key to the new holder.
      await this.keys.storeAnswer(hold, response);
      return response;
    } finally {
      clearInterval(renewal);
    }
  }

  /**
   * A holder died after creating its record, so B-Trust may have started the paid request: the
   * key's answer becomes that record's unknown outcome, stored like any other so that every
   * repeat gets it. The record itself is settled by its flow's recovery and by operators.
   */
  private async settleAbandoned(owner: string, key: string, recordId: string): Promise<void> {
    const problem = toProblem(outcomeUnknown(recordId), {});
    const stored = await this.keys.storeAbandonedAnswer(owner, key, { status: problem.status, body: { ...problem.body, requestId: undefined } });
    if (stored) this.logger.warn({ scope: key.split(':')[0], recordId }, 'Idempotency key of a request that died after creating its record: answered as outcome unknown');
  }

  private answerRepeat(stored: StoredKey | undefined, requestHash: string): StoredResponse {
    if (stored && stored.requestHash !== requestHash) {
      throw new IdempotencyError(
        IdempotencyErrorCode.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was first used with a different request body. Use a new key for a new request.',
      );
    }
    if (stored?.responseStatus != null) {
      if (stored.responseStatus >= 400) throw new StoredProblem(stored.responseStatus, stored.responseBody as ProblemDocument);
      return { status: stored.responseStatus, body: stored.responseBody };
    }
    const retryAfterSeconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil((stored?.leaseLeftMs ?? 0) / 1000)));
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
