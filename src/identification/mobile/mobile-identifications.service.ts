import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { postgresPool } from '../../database/postgres-pool';
import { BtrustPort } from '../../btrust/btrust-port';
import { BtrustError } from '../../btrust/btrust.errors';
import type { MobileIdentificationProgress, MobileIdentificationResult } from '../../btrust/btrust.types';
import type { ProviderLanguage } from '../../common/http/request-language.decorator';
import { notOutcomeUnknown, notStarted, outcomeUnknown } from '../../btrust/provider-failure';
import { RequestError } from '../../common/problem/request-error';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { bindIdempotencyKey } from '../../common/idempotency/idempotency.service';
import { recordCreation } from '../../common/state-machine/apply-transition';
import { maskIdentifier } from '../../common/validation/bulgarian-identifiers';
import { MobileIdentificationError, MobileIdentificationErrorCode } from './mobile-identification.errors';
import { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';
import type { MobileIdentificationSummary } from './dto/mobile-identification.view';
import { MobileIdentification, OPEN_MOBILE_IDENTIFICATION } from './mobile-identification.entity';
import { mobileIdentificationMachine, MobileIdentificationStatus, moveMobileIdentification } from './mobile-identification.state';
import { MobileIdentificationPollScheduler } from './mobile-identification-poll.scheduler';
import { decidePoll, lastAskAt, PollAnswer, PollDecision } from './mobile-poll-decision';

const UNCLAIMED = '(poll_claimed_until IS NULL OR poll_claimed_until < now())';
/** An open identification no instance is polling right now. */
const CLAIMABLE = `${OPEN_MOBILE_IDENTIFICATION} AND ${UNCLAIMED}`;
/** What an operator's refresh may ask about: an open identification, or one whose last ask failed. */
const REFRESHABLE = `(${OPEN_MOBILE_IDENTIFICATION} OR (status = 'OUTCOME_UNKNOWN' AND provider_callback_id IS NOT NULL)) AND ${UNCLAIMED}`;

type PollingState = Pick<
  MobileIdentification,
  'id' | 'status' | 'providerCallbackId' | 'expiresAt' | 'createdAt' | 'language' | 'pollCount' | 'eidCertificateMisses'
>;

/** How an operator settles an OUTCOME_UNKNOWN identification after asking B-Trust. */
export type OutcomeResolution =
  | { outcome: 'NOT_STARTED'; note?: string }
  | { outcome: 'STARTED'; callbackId: string; validUntil?: Date; note?: string };

/** Everything a move can write besides the status itself. */
type MobileChanges = Partial<Omit<MobileIdentification, 'id' | 'status' | 'owner'>>;

@Injectable()
export class MobileIdentificationsService {
  private readonly logger = new Logger(MobileIdentificationsService.name);
  private readonly defaultValidityMs: number;
  private readonly graceMs: number;
  private readonly certificateAttempts: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly btrust: BtrustPort,
    private readonly polls: MobileIdentificationPollScheduler,
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
  ) {
    this.defaultValidityMs = config.identification.mobileDefaultValidityMs;
    this.graceMs = config.btrust.deadlineGraceMs;
    this.certificateAttempts = config.identification.eidCertificateFetchAttempts;
  }

  /**
   * Records the request (validated, cross-field rules included, by the DTO),
   * then asks B-Trust (a paid call, never retried). The record exists before
   * the call, so nothing vanishes: a request B-Trust did not start ends FAILED
   * with its reason, and one it may have started (a timeout, a reset or a 5xx
   * after it was sent) is kept as OUTCOME_UNKNOWN for an operator, and never
   * sent again.
   */
  async create(
    owner: string,
    request: CreateMobileIdentificationDto,
    language: ProviderLanguage | undefined,
  ): Promise<MobileIdentification> {
    // The row as written, completed below with B-Trust's answer: the response comes from it, not from a read-back.
    const identification = Object.assign(new MobileIdentification(), {
      id: randomUUID(),
      owner,
      status: 'PENDING',
      docType: request.docType,
      identifier: request.identifier,
      identifierMasked: maskIdentifier(request.identifier),
      dateOfBirth: request.dateOfBirth ?? null,
      phoneNumber: request.phoneNumber ?? null,
      email: request.email ?? null,
      reason: request.reason,
      language: language ?? 'bg',
      providerCallbackId: null,
      providerStatus: null,
      expiresAt: null,
      completedAt: null,
      identificator: null,
      identificationBefore: null,
      failure: { code: null, message: null },
      eidCertificateMisses: 0,
      // Looked at again then if B-Trust's answer never got recorded (the process stopped mid-call).
      nextPollAt: this.polls.outcomeDeadline(),
      lastPolledAt: null,
      pollClaimedUntil: null,
      purgedAt: null,
    } satisfies Omit<MobileIdentification, 'certificatePdf' | 'identifierHmac' | 'pollCount' | 'createdAt' | 'updatedAt'>);
    const { id } = identification;
    await this.dataSource.transaction(async (manager) => {
      // Fills in what the database generates (createdAt, updatedAt, pollCount) from the INSERT's RETURNING.
      await manager.insert(MobileIdentification, identification);
      await recordCreation(manager, mobileIdentificationMachine, id, 'PENDING', 'api');
      await bindIdempotencyKey(manager, id);
    });

    let accepted;
    try {
      accepted = await this.btrust.identification(
        {
          docType: request.docType,
          identifier: request.identifier,
          dateOfBirth: request.dateOfBirth,
          phoneNumber: request.phoneNumber,
          email: request.email,
          reason: request.reason,
        },
        { language },
      );
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      if (error.answerClass === 'UNKNOWN_OUTCOME') {
        await moveMobileIdentification.alone(this.dataSource, id, 'OUTCOME_UNKNOWN', 'api', {
          failure: { code: 'PROVIDER_OUTCOME_UNKNOWN', message: `B-Trust may or may not have started the request (${whatFailed(error)}).` },
          nextPollAt: null,
        });
        throw outcomeUnknown(id);
      }
      await moveMobileIdentification.alone(this.dataSource, id, 'FAILED', 'api', { failure: { code: error.code, message: failureMessage(error) } });
      throw notStarted(error);
    }

    const firstPollAt = this.polls.firstPollTime();
    // Reading: without a readable `validity` the configured default bounds the identification.
    const expiresAt = accepted.validUntil ?? new Date(identification.createdAt.getTime() + this.defaultValidityMs);
    await postgresPool(this.dataSource).query(
      `UPDATE mobile_identifications SET provider_callback_id = $2, expires_at = $3, next_poll_at = $4, updated_at = now()
       WHERE id = $1`,
      [id, accepted.callbackId, expiresAt, firstPollAt],
    );
    return Object.assign(identification, { providerCallbackId: accepted.callbackId, expiresAt, nextPollAt: firstPollAt });
  }

  /**
   * What the API shows of one identification. One parameterised query for the
   * busiest route: no query building or entity hydration, and the encrypted
   * personal fields are neither read nor decrypted.
   */
  async findOwned(owner: string, id: string): Promise<MobileIdentificationSummary> {
    const { rows } = await postgresPool(this.dataSource).query<MobileIdentificationSummary>(
      `SELECT id, status, doc_type AS "docType", identifier_masked AS "identifierMasked", expires_at AS "expiresAt",
              created_at AS "createdAt", completed_at AS "completedAt", identificator,
              identification_before AS "identificationBefore", json_build_object('code', failure_code, 'message', failure_message) AS failure
       FROM mobile_identifications WHERE id = $1 AND owner = $2`,
      [id, owner],
    );
    if (rows.length === 0) throw RequestError.notFound('The mobile identification');
    return rows[0];
  }

  async certificate(owner: string, id: string): Promise<Buffer> {
    const found = await this.dataSource
      .getRepository(MobileIdentification)
      .createQueryBuilder('identification')
      .addSelect('identification.certificatePdf')
      .where('identification.id = :id AND identification.owner = :owner', { id, owner })
      .getOne();
    if (!found) throw RequestError.notFound('The mobile identification');
    if (found.status !== 'COMPLETED' || !found.certificatePdf) {
      throw new MobileIdentificationError(
        MobileIdentificationErrorCode.NOT_COMPLETED,
        `The identification is ${found.status}; the eID certificate exists only once it is COMPLETED.`,
      );
    }
    return found.certificatePdf;
  }

  /**
   * Claims up to `limit` identifications whose poll is due, most overdue
   * first, for this instance alone until the claim lapses.
   */
  async claimDuePolls(limit: number): Promise<string[]> {
    const { rows } = await postgresPool(this.dataSource).query<{ id: string; next_poll_at: Date }>(
      `UPDATE mobile_identifications SET poll_claimed_until = now() + make_interval(secs => $2)
        WHERE id IN (
          SELECT id FROM mobile_identifications
           WHERE ${CLAIMABLE} AND next_poll_at <= now()
           ORDER BY next_poll_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id, next_poll_at`,
      [limit, this.polls.claimLeaseMs / 1000],
    );
    // RETURNING comes in the order rows were updated, not the subquery's.
    return rows.sort((a, b) => a.next_poll_at.getTime() - b.next_poll_at.getTime()).map((row) => row.id);
  }

  /** Hands back claims that could not be polled now (the cap was reached). */
  async releasePollClaims(ids: string[]): Promise<void> {
    await this.dataSource.query(`UPDATE mobile_identifications SET poll_claimed_until = NULL WHERE id = ANY($1::uuid[])`, [ids]);
  }

  async countOpen(): Promise<number> {
    const [{ open }]: Array<{ open: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS open FROM mobile_identifications WHERE ${OPEN_MOBILE_IDENTIFICATION}`,
    );
    return open;
  }

  /**
   * One poll now, outside the schedule (an operator's refresh), also of an
   * OUTCOME_UNKNOWN identification whose last ask failed. An identification
   * being polled by an instance right now is left to that poll.
   */
  async pollOnce(id: string): Promise<void> {
    const [claimed]: [unknown[], number] = await this.dataSource.query(
      `UPDATE mobile_identifications SET poll_claimed_until = now() + make_interval(secs => $2)
        WHERE id = $1 AND ${REFRESHABLE}
        RETURNING id`,
      [id, this.polls.claimLeaseMs / 1000],
    );
    if (claimed.length > 0) await this.pollClaimed(id);
  }

  /**
   * One poll of B-Trust for an identification this instance has claimed, its
   * provider slot already taken. Writes the answer, when to poll next, and
   * releases the claim. What the answer means is decided by decidePoll.
   */
  async pollClaimed(id: string): Promise<void> {
    const identification = await this.pollingState(id);
    if (!identification || mobileIdentificationMachine.isFinal(identification.status)) return;
    if (!identification.providerCallbackId) {
      if (identification.status === 'OUTCOME_UNKNOWN') return this.releasePollClaims([id]);
      // The process stopped between recording the request and hearing B-Trust's answer.
      await moveMobileIdentification.alone(this.dataSource, id, 'OUTCOME_UNKNOWN', 'poll', {
        failure: { code: 'PROVIDER_OUTCOME_UNKNOWN', message: "The server stopped before it recorded B-Trust's answer; B-Trust may or may not have started the request." },
        nextPollAt: null,
      });
      return;
    }

    // When B-Trust was asked, not when it answered: the schedule is about asking.
    const polledAt = new Date();
    let answer: PollAnswer;
    let result: MobileIdentificationResult | undefined;
    try {
      result = await this.btrust.getIdentificationResult(identification.providerCallbackId, {
        language: identification.language as ProviderLanguage,
      });
      answer = result.state === 'DONE' ? { kind: 'finished', hasCertificate: result.certificatePdf !== null } : { kind: 'pending' };
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      answer = { kind: 'failed', answerClass: error.answerClass, reason: failureMessage(error) };
      // A 401/403 is logged, throttled, where every call is observed.
      if (error.answerClass === 'TRANSIENT') {
        this.logger.warn({ id, code: error.code, answerClass: error.answerClass }, 'Polling B-Trust failed; will ask again');
      }
    }

    const timing = { now: polledAt.getTime(), deadline: this.deadlineOf(identification).getTime(), graceMs: this.graceMs };
    const decision = decidePoll(answer, timing, { misses: identification.eidCertificateMisses, attempts: this.certificateAttempts });
    await this.apply(identification, decision, result, polledAt, timing);
  }

  /**
   * Settles an OUTCOME_UNKNOWN identification as an operator found it at B-Trust:
   * NOT_STARTED ends it FAILED (RESOLVED_NOT_STARTED); STARTED takes B-Trust's
   * callbackId and polls it again from now, within its deadline. Nothing is
   * ever sent to B-Trust again but polls.
   */
  async resolveOutcomeUnknown(id: string, resolution: OutcomeResolution): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [row]: Array<{ status: MobileIdentificationStatus; provider_callback_id: string | null }> = await manager.query(
        'SELECT status, provider_callback_id FROM mobile_identifications WHERE id = $1 FOR UPDATE',
        [id],
      );
      if (!row) throw RequestError.notFound('The mobile identification');
      if (row.status !== 'OUTCOME_UNKNOWN') throw notOutcomeUnknown('mobile identification', row.status);
      const detail = { outcome: resolution.outcome, ...(resolution.note ? { note: resolution.note } : {}) };
      if (resolution.outcome === 'NOT_STARTED') {
        await moveMobileIdentification.within(manager, id, 'FAILED', 'operator', {
          failure: { code: 'RESOLVED_NOT_STARTED', message: 'An operator confirmed with B-Trust that the request was never started.' },
        }, detail);
        return;
      }
      await this.assertCallbackIdFits(manager, id, row.provider_callback_id, resolution.callbackId);
      await moveMobileIdentification.within(manager, id, 'PENDING', 'operator', {
        providerCallbackId: resolution.callbackId,
        ...(resolution.validUntil ? { expiresAt: resolution.validUntil } : {}),
        failure: { code: null, message: null },
        nextPollAt: new Date(),
      }, detail);
    });
  }

  /** The identification's deadline: B-Trust's validity, else the configured default from creation. */
  private deadlineOf(identification: Pick<PollingState, 'expiresAt' | 'createdAt'>): Date {
    return identification.expiresAt ?? new Date(identification.createdAt.getTime() + this.defaultValidityMs);
  }

  private async apply(
    identification: PollingState,
    decision: PollDecision,
    result: MobileIdentificationResult | undefined,
    polledAt: Date,
    timing: { deadline: number; graceMs: number },
  ): Promise<void> {
    const { id } = identification;
    const asked = { lastPolledAt: polledAt, pollCount: identification.pollCount + 1 };
    switch (decision.kind) {
      case 'complete': {
        const finished = result as Extract<MobileIdentificationResult, { state: 'DONE' }>;
        await moveMobileIdentification.alone(this.dataSource, id, 'COMPLETED', 'poll', {
          ...asked,
          certificatePdf: finished.certificatePdf,
          identificator: finished.identificator,
          identificationBefore: finished.identificationBefore,
          completedAt: new Date(),
          providerStatus: finished.providerStatus,
          failure: { code: null, message: null },
        });
        return;
      }
      case 'end':
        if (decision.status === identification.status) {
          // A refresh of an OUTCOME_UNKNOWN identification that still could not ask B-Trust.
          await this.dataSource.getRepository(MobileIdentification).update(id, { ...asked, failure: { message: decision.message }, pollClaimedUntil: null });
          return;
        }
        await moveMobileIdentification.alone(this.dataSource, id, decision.status, 'poll', {
          ...asked,
          failure: { code: decision.code, message: decision.message },
          ...(decision.misses !== undefined ? { eidCertificateMisses: decision.misses } : {}),
        });
        return;
      case 'certificate-missing':
      case 'ask-again': {
        // Never later than the last ask, so that the deadline is honoured whatever the backoff.
        const nextPollAt = new Date(Math.min(this.polls.nextPollTime(asked.pollCount).getTime(), Math.max(lastAskAt(timing), Date.now())));
        const providerStatus = result?.providerStatus;
        const progress: MobileChanges = {
          ...asked,
          nextPollAt,
          ...(providerStatus !== undefined ? { providerStatus } : {}),
          ...(decision.kind === 'certificate-missing' ? { eidCertificateMisses: decision.misses } : {}),
        };
        // An OUTCOME_UNKNOWN identification that B-Trust answered again is polled again.
        const target = identification.status === 'OUTCOME_UNKNOWN' ? 'PENDING' : result?.state === 'PENDING' && result.progress ? STATUS_OF_PROGRESS[result.progress] : null;
        if (target && target !== identification.status) {
          await moveMobileIdentification.alone(this.dataSource, id, target, 'poll', progress);
        } else {
          await this.dataSource.getRepository(MobileIdentification).update(id, { ...progress, pollClaimedUntil: null });
        }
      }
    }
  }

  /**
   * The columns a poll needs, in one query: the most frequent query of a busy
   * server, so it neither hydrates the entity nor decrypts its personal fields.
   */
  private async pollingState(id: string): Promise<PollingState | undefined> {
    const {
      rows: [row],
    } = await postgresPool(this.dataSource).query<{
      status: MobileIdentificationStatus;
      provider_callback_id: string | null;
      expires_at: Date | null;
      created_at: Date;
      language: string;
      poll_count: number;
      eid_certificate_misses: number;
    }>(
      `SELECT status, provider_callback_id, expires_at, created_at, language, poll_count, eid_certificate_misses
         FROM mobile_identifications WHERE id = $1`,
      [id],
    );
    if (!row) return undefined;
    return {
      id,
      status: row.status,
      providerCallbackId: row.provider_callback_id,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      language: row.language,
      pollCount: row.poll_count,
      eidCertificateMisses: row.eid_certificate_misses,
    };
  }

  /** B-Trust's callbackId may be given to this identification only: its own, or one no other identification holds. */
  private async assertCallbackIdFits(manager: EntityManager, id: string, current: string | null, given: string): Promise<void> {
    if (current !== null && current !== given) {
      throw new MobileIdentificationError(
        MobileIdentificationErrorCode.CALLBACK_ID_MISMATCH,
        'This identification already has a B-Trust callbackId; resolve it with that one.',
      );
    }
    const [other]: unknown[] = await manager.query('SELECT 1 FROM mobile_identifications WHERE provider_callback_id = $1 AND id <> $2', [given, id]);
    if (other) {
      throw new MobileIdentificationError(
        MobileIdentificationErrorCode.CALLBACK_ID_IN_USE,
        'Another mobile identification already polls this B-Trust callbackId.',
      );
    }
  }
}

/** Our states mirror the provider's progress on purpose; a pending answer naming none keeps the current status. */
const STATUS_OF_PROGRESS: Readonly<Record<MobileIdentificationProgress, MobileIdentificationStatus>> = {
  ENROLLING: 'ON_BOARDING',
  IDENTIFYING: 'IN_PROGRESS',
};

function failureMessage(error: BtrustError): string {
  return error.providerMessage ?? error.message;
}

/** What went wrong with the call, without anything B-Trust said: no personal data can be in it. */
function whatFailed(error: BtrustError): string {
  return error.httpStatus === undefined ? error.code : `${error.code}, HTTP ${error.httpStatus}`;
}
