import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BtrustPort } from '../../btrust/btrust-port';
import { BtrustError } from '../../btrust/btrust.errors';
import type { MobileIdentificationProgress, MobileIdentificationResult } from '../../btrust/btrust.types';
import type { ProviderLanguage } from '../../common/http/request-language.decorator';
import { notOutcomeUnknown, notStarted, outcomeUnknown } from '../../btrust/provider-failure';
import { RequestError } from '../../common/problem/request-error';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { maskIdentifier } from '../../common/validation/bulgarian-identifiers';
import { MobileIdentificationError, MobileIdentificationErrorCode } from './mobile-identification.errors';
import { CreateMobileIdentificationDto } from './dto/create-mobile-identification.dto';
import type { MobileIdentificationSummary } from './dto/mobile-identification.view';
import { MobileIdentification } from './mobile-identification.entity';
import { LockedMobileIdentification, MobileChanges, MobileIdentificationRepository, PollingState } from './mobile-identification.repository';
import { mobileIdentificationMachine, MobileIdentificationStatus } from './mobile-identification.state';
import { MobileIdentificationPollScheduler } from './mobile-identification-poll.scheduler';
import { decidePoll, lastAskAt, PollAnswer, PollDecision } from './mobile-poll-decision';

/** How an operator settles an OUTCOME_UNKNOWN identification after asking B-Trust. */
export type OutcomeResolution =
  | { outcome: 'NOT_STARTED'; note?: string }
  | { outcome: 'STARTED'; callbackId: string; validUntil?: Date; note?: string };

@Injectable()
export class MobileIdentificationsService {
  private readonly logger = new Logger(MobileIdentificationsService.name);
  private readonly defaultValidityMs: number;
  private readonly graceMs: number;
  private readonly certificateAttempts: number;

  constructor(
    private readonly records: MobileIdentificationRepository,
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
    await this.records.insertNew(identification);

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
        await this.records.move(id, 'OUTCOME_UNKNOWN', 'api', {
          failure: { code: 'PROVIDER_OUTCOME_UNKNOWN', message: `B-Trust may or may not have started the request (${whatFailed(error)}).` },
          nextPollAt: null,
        });
        throw outcomeUnknown(id);
      }
      await this.records.move(id, 'FAILED', 'api', { failure: { code: error.code, message: failureMessage(error) } });
      throw notStarted(error);
    }

    const firstPollAt = this.polls.firstPollTime();
    // Reading: without a readable `validity` the configured default bounds the identification.
    const expiresAt = accepted.validUntil ?? new Date(identification.createdAt.getTime() + this.defaultValidityMs);
    await this.records.recordAcceptance(id, accepted.callbackId, expiresAt, firstPollAt);
    return Object.assign(identification, { providerCallbackId: accepted.callbackId, expiresAt, nextPollAt: firstPollAt });
  }

  /** What the API shows of one identification: its personal fields are neither read nor decrypted. */
  async findOwned(owner: string, id: string): Promise<MobileIdentificationSummary> {
    const summary = await this.records.findOwnedSummary(owner, id);
    if (!summary) throw RequestError.notFound('The mobile identification');
    return summary;
  }

  async certificate(owner: string, id: string): Promise<Buffer> {
    const found = await this.records.findOwnedWithCertificate(owner, id);
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
   * One poll now, outside the schedule (an operator's refresh), also of an
   * OUTCOME_UNKNOWN identification whose last ask failed. An identification
   * being polled by an instance right now is left to that poll.
   */
  async pollOnce(id: string): Promise<void> {
    if (await this.records.claimForRefresh(id, this.polls.claimLeaseMs)) await this.pollClaimed(id);
  }

  /**
   * One poll of B-Trust for an identification this instance has claimed, its
   * provider slot already taken. Writes the answer, when to poll next, and
   * releases the claim. What the answer means is decided by decidePoll.
   */
  async pollClaimed(id: string): Promise<void> {
    const identification = await this.records.pollingState(id);
    if (!identification || mobileIdentificationMachine.isFinal(identification.status)) return;
    if (!identification.providerCallbackId) {
      if (identification.status === 'OUTCOME_UNKNOWN') return this.records.releasePollClaims([id]);
      // The process stopped between recording the request and hearing B-Trust's answer.
      await this.records.move(id, 'OUTCOME_UNKNOWN', 'poll', {
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
    await this.records.withLocked(id, async (locked) => {
      if (!locked) throw RequestError.notFound('The mobile identification');
      if (locked.status !== 'OUTCOME_UNKNOWN') throw notOutcomeUnknown('mobile identification', locked.status);
      const detail = { outcome: resolution.outcome, ...(resolution.note ? { note: resolution.note } : {}) };
      if (resolution.outcome === 'NOT_STARTED') {
        await locked.move('FAILED', 'operator', {
          failure: { code: 'RESOLVED_NOT_STARTED', message: 'An operator confirmed with B-Trust that the request was never started.' },
        }, detail);
        return;
      }
      await this.assertCallbackIdFits(locked, resolution.callbackId);
      await locked.move('PENDING', 'operator', {
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
        await this.records.move(id, 'COMPLETED', 'poll', {
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
          await this.records.recordPoll(id, { ...asked, failure: { message: decision.message } });
          return;
        }
        await this.records.move(id, decision.status, 'poll', {
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
          await this.records.move(id, target, 'poll', progress);
        } else {
          await this.records.recordPoll(id, progress);
        }
      }
    }
  }

  /** B-Trust's callbackId may be given to this identification only: its own, or one no other identification holds. */
  private async assertCallbackIdFits(locked: LockedMobileIdentification, given: string): Promise<void> {
    if (locked.providerCallbackId !== null && locked.providerCallbackId !== given) {
      throw new MobileIdentificationError(
        MobileIdentificationErrorCode.CALLBACK_ID_MISMATCH,
        'This identification already has a B-Trust callbackId; resolve it with that one.',
      );
    }
    if (await locked.callbackIdHeldByAnother(given)) {
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
