import { Inject, Injectable } from '@nestjs/common';
import { BtrustPort } from '../btrust/btrust-port';
import { BtrustError } from '../btrust/btrust.errors';
import type { BtrustLanguage, SignedDocuments } from '../btrust/btrust.types';
import { notOutcomeUnknown } from '../btrust/provider-failure';
import { CallbackEndpointsService } from '../callbacks/callback-endpoints.service';
import { RequestError } from '../common/problem/request-error';
import { TransitionOutcome } from '../common/state-machine/apply-transition';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { WebIdentificationRepository } from '../identification/web/web-identification.repository';
import { decideUnsigned, SigningTiming } from './signed-documents-answer';
import { SigningCompletionService } from './signing-completion.service';
import { Signing } from './signing.entity';
import { SigningError, SigningErrorCode } from './signing.errors';
import { SigningRepository } from './signing.repository';
import { signingMachine } from './signing.state';
import { CALLBACK_URL_GRACE_MS } from './signings.service';

/** How an operator settles an OUTCOME_UNKNOWN signing after asking B-Trust. */
export type SigningResolution =
  | { outcome: 'NOT_STARTED'; note?: string }
  | { outcome: 'STARTED'; resultId: string; expiresAt?: Date; note?: string };

/** What a webhook adds to a reconciliation: it is a hint, confirmed with B-Trust before anything changes. */
export interface SigningHint {
  /** The webhook's resultId, used when 3.1 answered without one. */
  resultId?: string;
  /** B-Trust's webhook said REJECTED for this signing. */
  rejected?: boolean;
}

/**
 * Where an open signing stands at B-Trust (3.3), asked for by webhooks, the
 * reconciliation of missed ones (SigningReconciler decides when) and
 * operators; and the operators' settling of a signing whose start B-Trust
 * may or may not have received.
 */
@Injectable()
export class SigningReconciliationService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly records: SigningRepository,
    private readonly webIdentificationRecords: WebIdentificationRepository,
    private readonly btrust: BtrustPort,
    private readonly callbackEndpoints: CallbackEndpointsService,
    private readonly completion: SigningCompletionService,
  ) {}

  /**
   * Asks B-Trust where an open signing stands (3.3) and applies the verdict:
   * the signed documents → SIGNED (or FAILED, see complete); otherwise what
   * decideUnsigned says, by the answer's class and the signing's deadline.
   * Answers that leave it open but could not be had (B-Trust unreachable, our
   * access refused) propagate to the caller, which asks again later. Used by
   * webhooks, the reconciliation of missed ones, and operators' refreshes.
   */
  async reconcile(signing: Signing, cause: string, hint: SigningHint = {}): Promise<TransitionOutcome<Signing> | null> {
    if (signingMachine.isFinal(signing.status)) return null;
    const resultId = signing.resultId ?? hint.resultId;
    if (!resultId) return signing.status === 'PENDING' ? this.outcomeUnknownIfNeverAnswered(signing, cause) : null;
    const options = { language: await this.languageOf(signing) };

    let result: SignedDocuments;
    try {
      result = await this.btrust.getSignedDocuments({ resultId, sessionId: signing.signSessionId }, options);
    } catch (error) {
      if (!(error instanceof BtrustError)) throw error;
      const decision = decideUnsigned(error.answerClass, this.timingOf(signing), hint.rejected === true);
      switch (decision.kind) {
        case 'retry':
          throw error;
        case 'wait':
          return null;
        case 'end':
          return this.records.move(signing.id, decision.status, cause, { resultId, failure: { code: decision.code, message: decision.message } });
      }
    }
    return this.completion.complete(signing, resultId, result, cause);
  }

  /**
   * Settles an OUTCOME_UNKNOWN signing as an operator found it at B-Trust:
   * NOT_STARTED ends it FAILED (RESOLVED_NOT_STARTED); STARTED takes 3.1's
   * resultId and makes it PENDING, asked about (3.3) on the next
   * reconciliation round, within its deadline. 3.1 is never sent again.
   */
  async resolveOutcomeUnknown(id: string, resolution: SigningResolution): Promise<void> {
    let extendCallbacks: { identificationId: string; until: Date } | undefined;
    await this.records.settleLocked(id, async (signing) => {
      if (!signing) throw RequestError.notFound('The signing');
      if (signing.status !== 'OUTCOME_UNKNOWN') throw notOutcomeUnknown('signing', signing.status);
      const detail = { outcome: resolution.outcome, ...(resolution.note ? { note: resolution.note } : {}) };
      if (resolution.outcome === 'NOT_STARTED') {
        await signing.move('FAILED', 'operator', {
          failure: { code: 'RESOLVED_NOT_STARTED', message: 'An operator confirmed with B-Trust that the signing was never started.' },
        }, detail);
        return;
      }
      if (await signing.resultIdTakenByAnother(resolution.resultId)) {
        throw new SigningError(
          SigningErrorCode.RESULT_ID_IN_USE,
          'Another signing of this identification already has this B-Trust resultId.',
        );
      }
      await signing.move('PENDING', 'operator', {
        resultId: resolution.resultId,
        ...(resolution.expiresAt ? { expiresAt: resolution.expiresAt } : {}),
        failure: { code: null, message: null },
        // Asked about on the next reconciliation round.
        lastReconciledAt: null,
      }, detail);
      if (resolution.expiresAt) extendCallbacks = { identificationId: signing.webIdentificationId, until: resolution.expiresAt };
    });
    if (extendCallbacks) {
      await this.callbackEndpoints.extend(extendCallbacks.identificationId, new Date(extendCallbacks.until.getTime() + CALLBACK_URL_GRACE_MS));
    }
  }

  /**
   * The signing's bound: the sign session's expiry B-Trust gave (3.1's
   * expireDate, else the identification's sign session expiry), or
   * SIGNING_DEFAULT_VALIDITY_MS from creation when neither could be read.
   */
  private timingOf(signing: Signing): SigningTiming {
    const deadline = signing.expiresAt ?? new Date(signing.createdAt.getTime() + this.config.signing.defaultValidityMs);
    return { now: Date.now(), deadline: deadline.getTime(), graceMs: this.config.btrust.deadlineGraceMs };
  }

  /**
   * The server stopped between recording the signing and hearing 3.1's
   * answer, which B-Trust may have acted on: once that call surely ended, it
   * is OUTCOME_UNKNOWN for an operator, never sent again.
   */
  private async outcomeUnknownIfNeverAnswered(signing: Signing, cause: string): Promise<TransitionOutcome<Signing> | null> {
    if (Date.now() - signing.createdAt.getTime() < this.config.btrust.timeoutMs * 2) return null;
    return this.records.move(signing.id, 'OUTCOME_UNKNOWN', cause, {
      failure: { code: 'PROVIDER_OUTCOME_UNKNOWN', message: "The server stopped before it recorded B-Trust's answer; B-Trust may or may not have started the signing." },
    });
  }

  private async languageOf(signing: Signing): Promise<BtrustLanguage> {
    const identification = await this.webIdentificationRecords.findById(signing.webIdentificationId);
    return (identification?.language as BtrustLanguage | undefined) ?? 'bg';
  }
}
