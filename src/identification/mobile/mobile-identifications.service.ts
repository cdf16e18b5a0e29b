import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { postgresPool } from '../../database/postgres-pool';
import { BtrustClient } from '../../btrust/btrust.client';
import { BtrustError } from '../../btrust/btrust.errors';
import type { MobileIdentificationResult } from '../../btrust/btrust.types';
import type { ProviderLanguage } from '../../common/http/request-language.decorator';
import { ApiProblem, NotFoundProblem } from '../../common/problem/problem';
import { upstreamProblem } from '../../common/problem/upstream-problem';
import { applyTransition, recordCreation, TransitionOutcome } from '../../common/state-machine/apply-transition';
import { maskIdentifier } from '../../common/validation/bulgarian-identifiers';
import { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';
import type { MobileIdentificationSummary } from './dto/mobile-identification.view';
import { MobileIdentification, OPEN_MOBILE_IDENTIFICATION } from './mobile-identification.entity';
import { mobileIdentificationMachine, MobileIdentificationStatus } from './mobile-identification.state';
import { MobileIdentificationPollScheduler } from './mobile-identification-poll.scheduler';

/** An open identification no instance is polling right now. */
const CLAIMABLE = `${OPEN_MOBILE_IDENTIFICATION} AND (poll_claimed_until IS NULL OR poll_claimed_until < now())`;

type PollingState = Pick<MobileIdentification, 'id' | 'status' | 'providerCallbackId' | 'expiresAt' | 'language' | 'pollCount'>;

/** Everything a move can write besides the status itself. */
type MobileChanges = Partial<Omit<MobileIdentification, 'id' | 'status' | 'owner'>>;

@Injectable()
export class MobileIdentificationsService {
  private readonly logger = new Logger(MobileIdentificationsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly btrust: BtrustClient,
    private readonly polls: MobileIdentificationPollScheduler,
  ) {}

  /**
   * Records the request (validated, cross-field rules included, by the DTO),
   * then asks B-Trust (a paid call, never retried). The record exists before the call, so a failure is kept as
   * FAILED with its reason instead of vanishing.
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
      failureCode: null,
      failureMessage: null,
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
      await this.move(id, 'FAILED', 'api', { failureCode: error.code, failureMessage: failureMessage(error) });
      throw upstreamProblem(error);
    }

    const firstPollAt = this.polls.firstPollTime();
    await postgresPool(this.dataSource).query(
      `UPDATE mobile_identifications SET provider_callback_id = $2, expires_at = $3, next_poll_at = $4, updated_at = now()
       WHERE id = $1`,
      [id, accepted.callbackId, accepted.validUntil, firstPollAt],
    );
    return Object.assign(identification, {
      providerCallbackId: accepted.callbackId,
      expiresAt: accepted.validUntil,
      nextPollAt: firstPollAt,
    });
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
              identification_before AS "identificationBefore", failure_code AS "failureCode", failure_message AS "failureMessage"
       FROM mobile_identifications WHERE id = $1 AND owner = $2`,
      [id, owner],
    );
    if (rows.length === 0) throw new NotFoundProblem('The mobile identification');
    return rows[0];
  }

  async certificate(owner: string, id: string): Promise<Buffer> {
    const found = await this.dataSource
      .getRepository(MobileIdentification)
      .createQueryBuilder('identification')
      .addSelect('identification.certificatePdf')
      .where('identification.id = :id AND identification.owner = :owner', { id, owner })
      .getOne();
    if (!found) throw new NotFoundProblem('The mobile identification');
    if (found.status !== 'COMPLETED' || !found.certificatePdf) {
      throw new ApiProblem(
        HttpStatus.CONFLICT,
        'NOT_COMPLETED',
        'Not completed',
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
   * One poll now, outside the schedule (an operator's refresh). An
   * identification being polled by an instance right now is left to that poll.
   */
  async pollOnce(id: string): Promise<void> {
    const [claimed]: [unknown[], number] = await this.dataSource.query(
      `UPDATE mobile_identifications SET poll_claimed_until = now() + make_interval(secs => $2)
        WHERE id = $1 AND ${CLAIMABLE}
        RETURNING id`,
      [id, this.polls.claimLeaseMs / 1000],
    );
    if (claimed.length > 0) await this.pollClaimed(id);
  }

  /**
   * One poll of B-Trust for an identification this instance has claimed, its
   * provider slot already taken. Writes the answer, when to poll next, and
   * releases the claim.
   */
  async pollClaimed(id: string): Promise<void> {
    const identification = await this.pollingState(id);
    if (!identification || mobileIdentificationMachine.isFinal(identification.status)) return;
    if (!identification.providerCallbackId) {
      // The process stopped between recording the request and hearing B-Trust's answer.
      await this.move(id, 'FAILED', 'poll', {
        failureCode: 'PROVIDER_OUTCOME_UNKNOWN',
        failureMessage: 'The server stopped before B-Trust confirmed the request.',
      });
      return;
    }
    if (identification.expiresAt && identification.expiresAt.getTime() <= Date.now()) {
      await this.move(id, 'EXPIRED', 'poll', { failureCode: 'EXPIRED', failureMessage: 'The person did not confirm in time.' });
      return;
    }

    // When B-Trust was asked, not when it answered: the schedule is about asking.
    const polledAt = new Date();
    let result: MobileIdentificationResult;
    try {
      result = await this.btrust.getIdentificationResult(identification.providerCallbackId, {
        language: identification.language as ProviderLanguage,
      });
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      return this.afterPollFailure(identification, error, polledAt);
    }

    if (result.state === 'FINISHED') {
      await this.move(id, 'COMPLETED', 'poll', {
        certificatePdf: result.certificatePdf,
        identificator: result.identificator,
        identificationBefore: result.identificationBefore,
        completedAt: new Date(),
        providerStatus: 'FINISHED',
        lastPolledAt: polledAt,
        pollCount: identification.pollCount + 1,
        nextPollAt: null,
      });
      return;
    }

    const progress = {
      providerStatus: result.providerStatus,
      lastPolledAt: polledAt,
      pollCount: identification.pollCount + 1,
      nextPollAt: this.polls.nextPollTime(identification.pollCount + 1),
      pollClaimedUntil: null,
    };
    const target = progressStatus(result.providerStatus);
    if (target && target !== identification.status) {
      await this.move(id, target, 'poll', progress);
    } else {
      await postgresPool(this.dataSource).query(
        `UPDATE mobile_identifications
            SET provider_status = $2, last_polled_at = $3, poll_count = $4, next_poll_at = $5, poll_claimed_until = NULL, updated_at = now()
          WHERE id = $1`,
        [id, progress.providerStatus, progress.lastPolledAt, progress.pollCount, progress.nextPollAt],
      );
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
      language: string;
      poll_count: number;
    }>('SELECT status, provider_callback_id, expires_at, language, poll_count FROM mobile_identifications WHERE id = $1', [id]);
    if (!row) return undefined;
    return {
      id,
      status: row.status,
      providerCallbackId: row.provider_callback_id,
      expiresAt: row.expires_at,
      language: row.language,
      pollCount: row.poll_count,
    };
  }

  private async afterPollFailure(identification: PollingState, error: BtrustError, polledAt: Date): Promise<void> {
    const failure = { failureCode: error.code, failureMessage: failureMessage(error), lastPolledAt: polledAt };
    // Reading: B-Trust answers a rejected and an expired identification alike (REJECTED, data null);
    // past `validity` we call it EXPIRED.
    if (error.code === 'REJECTED') {
      const expired = identification.expiresAt !== null && identification.expiresAt.getTime() <= Date.now();
      await this.move(identification.id, expired ? 'EXPIRED' : 'REJECTED', 'poll', failure);
      return;
    }
    if (error.code === 'UNPROCESSABLE_RESPONSE' || error.code === 'NOT_FOUND' || error.code === 'BAD_REQUEST') {
      await this.move(identification.id, 'FAILED', 'poll', failure);
      return;
    }
    // The provider (or our channel to it) is down: keep polling with backoff until `validity` passes.
    await this.dataSource.getRepository(MobileIdentification).update(identification.id, {
      pollCount: identification.pollCount + 1,
      lastPolledAt: polledAt,
      nextPollAt: this.polls.nextPollTime(identification.pollCount + 1),
      pollClaimedUntil: null,
    });
    this.logger.warn({ id: identification.id, code: error.code }, 'Polling B-Trust failed; will retry');
  }

  private move(
    id: string,
    to: MobileIdentificationStatus,
    cause: string,
    changes: MobileChanges,
  ): Promise<TransitionOutcome<MobileIdentification>> {
    return this.dataSource.transaction((manager) =>
      applyTransition<MobileIdentificationStatus, MobileIdentification>(manager, {
        target: MobileIdentification,
        machine: mobileIdentificationMachine,
        id,
        to,
        cause,
        // Every move ends this instance's claim on the identification, if it held one.
        changes: mobileIdentificationMachine.isFinal(to) ? { ...changes, nextPollAt: null, pollClaimedUntil: null } : { ...changes, pollClaimedUntil: null },
        detail: changes.failureCode ? { code: changes.failureCode } : undefined,
      }),
    );
  }
}

/** Reading: 206 carries ON_BOARDING or IN_PROGRESS; other values keep the current status. */
function progressStatus(providerStatus: string | null): MobileIdentificationStatus | null {
  if (providerStatus === 'ON_BOARDING') return 'ON_BOARDING';
  if (providerStatus === 'IN_PROGRESS') return 'IN_PROGRESS';
  return null;
}

function failureMessage(error: BtrustError): string {
  return error.providerMessage ?? error.message;
}
