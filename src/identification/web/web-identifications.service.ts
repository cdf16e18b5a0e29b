import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BtrustPort } from '../../btrust/btrust-port';
import { BtrustError } from '../../btrust/btrust.errors';
import type { RegistrationStatus, WebIdentificationStatus as ProviderWebStatus } from '../../btrust/btrust.types';
import { readWebReviewProgress } from '../../btrust/web-review-progress';
import { CallbackEndpointsService } from '../../callbacks/callback-endpoints.service';
import type { ProviderLanguage } from '../../common/http/request-language.decorator';
import { notStarted, providerFailure, upstreamError } from '../../btrust/provider-failure';
import { RequestError } from '../../common/problem/request-error';
import { bindIdempotencyKey } from '../../common/idempotency/idempotency.service';
import type { TransitionOutcome } from '../../common/state-machine/apply-transition';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { CreateWebIdentificationDto } from './dto/create-web-identification.dto';
import { WebIdentification } from './web-identification.entity';
import { decideWebProgress, WebTiming } from './web-identification-progress';
import { identificationStatusUnavailable } from './web-identification-signing-gate';
import { webIdentificationMachine } from './web-identification.state';
import { WebIdentificationError, WebIdentificationErrorCode } from './web-identification.errors';
import { WebIdentificationRepository } from './web-identification.repository';

/** How long a callback URL stays valid before the identification produced a sign session. */
const CALLBACK_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Webhooks for a signing may come a little after the sign session's nominal expiry. */
const CALLBACK_URL_GRACE_MS = 24 * 60 * 60 * 1000;

@Injectable()
export class WebIdentificationsService {
  private readonly logger = new Logger(WebIdentificationsService.name);
  private readonly defaultValidityMs: number;
  private readonly reviewMaxMs: number;
  private readonly refreshBeforeSigningMs: number;
  private readonly certificateAttempts: number;
  private readonly graceMs: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly records: WebIdentificationRepository,
    private readonly btrust: BtrustPort,
    private readonly callbackEndpoints: CallbackEndpointsService,
  ) {
    this.defaultValidityMs = config.identification.webDefaultValidityMs;
    this.reviewMaxMs = config.identification.webReviewMaxMs;
    this.refreshBeforeSigningMs = config.identification.webRefreshBeforeSigningMs;
    this.certificateAttempts = config.identification.eidCertificateFetchAttempts;
    this.graceMs = config.btrust.deadlineGraceMs;
  }

  /**
   * Scenario 2: startWebIdentification, then createRegistration, then the
   * redirect URL. The record and its callback URL exist before the first
   * call; if either call fails the record ends FAILED with the reason.
   */
  async create(owner: string, request: CreateWebIdentificationDto, language: ProviderLanguage | undefined): Promise<WebIdentification> {
    const id = randomUUID();
    const callbackUrl = await this.records.insertStarted(
      {
        id,
        owner,
        reason: request.reason,
        language: request.language,
        successUrl: request.successUrl,
        cancelUrl: request.cancelUrl,
        externalRef: request.externalRef ?? null,
      },
      async (manager) => {
        await bindIdempotencyKey(manager, id);
        return this.callbackEndpoints.issue(manager, id, new Date(Date.now() + CALLBACK_URL_LIFETIME_MS));
      },
    );
    const options = { language: language ?? request.language };

    let started;
    try {
      started = await this.btrust.startWebIdentification({ callbackUrl, reason: request.reason }, options);
    } catch (error) {
      throw await this.failCreation(id, error, 'startWebIdentification');
    }
    await this.records.recordWebSession(id, {
      webSessionId: started.webSessionId,
      resultId: started.resultId,
      expiresAt: started.expiresAt,
    });

    let registration;
    try {
      registration = await this.btrust.createRegistration(
        started.webSessionId,
        {
          cancelUrl: request.cancelUrl,
          successUrl: request.successUrl,
          externalRef: id,
          language: request.language,
          verifyEmail: request.verifyEmail,
          verifyPhone: request.verifyPhone,
          showGtcGdp: request.showGtcGdp,
          showMainInfo: request.showMainInfo,
        },
        options,
      );
    } catch (error) {
      throw await this.failCreation(id, error, 'createRegistration');
    }
    const redirectUrl = this.config.btrust.identificationUrlTemplate.replace('{sessionId}', encodeURIComponent(registration.sessionId));
    await this.records.recordRegistration(id, {
      registrationId: registration.registrationId,
      registrationSessionId: registration.sessionId,
      redirectUrl,
      registrationStatus: registration.status,
      // Reading: 2.1's webSessionExpireDate and 2.2's expiredOn may differ; the later one bounds the
      // person's session (the tolerant choice), and without a readable date the configured default does.
      expiresAt: latest(started.expiresAt, registration.expiresOn) ?? new Date(Date.now() + this.defaultValidityMs),
    });
    return this.findOwned(owner, id);
  }

  async findOwned(owner: string, id: string): Promise<WebIdentification> {
    const found = await this.records.findOwned(owner, id);
    if (!found) throw RequestError.notFound('The web identification');
    return found;
  }

  /** `?refresh=true`: ask B-Trust now (scenarios 5 and 4) before answering. */
  async refreshOwned(owner: string, id: string): Promise<WebIdentification> {
    const identification = await this.findOwned(owner, id);
    try {
      await this.reconcile(identification, 'refresh');
    } catch (error) {
      if (error instanceof BtrustError) throw providerFailure(error);
      throw error;
    }
    return this.findOwned(owner, id);
  }

  async certificate(owner: string, id: string): Promise<Buffer> {
    const found = await this.records.findOwnedWithCertificate(owner, id);
    if (!found) throw RequestError.notFound('The web identification');
    if (found.status !== 'IDENTIFIED' || !found.eidCertificatePdf) {
      throw new WebIdentificationError(
        WebIdentificationErrorCode.NOT_IDENTIFIED,
        `The identification is ${found.status}; the eID certificate exists only once it is IDENTIFIED.`,
      );
    }
    return found.eidCertificatePdf;
  }

  /** Scenario 4, live from B-Trust; the answer is also remembered on the record. */
  async registration(owner: string, id: string, language: ProviderLanguage | undefined): Promise<RegistrationStatus> {
    const identification = await this.findOwned(owner, id);
    if (!identification.registrationId) {
      throw new WebIdentificationError(WebIdentificationErrorCode.NO_REGISTRATION, 'B-Trust never created a registration for this identification.');
    }
    let status: RegistrationStatus;
    try {
      status = await this.btrust.getRegistrationStatus(identification.registrationId, { language });
    } catch (error) {
      if (error instanceof BtrustError) throw providerFailure(error);
      throw error;
    }
    await this.records.recordRegistrationAnswer(id, { registrationStatus: status.status, reviewStatus: status.reviewStatus });
    return status;
  }

  /**
   * B-Trust says the identification was approved: fetch the result (2.5) over mutual TLS and only
   * with the eID certificate move to IDENTIFIED. A result without it is asked for again (by the
   * next webhook or reconciliation) until EID_CERTIFICATE_FETCH_ATTEMPTS such answers, then the
   * identification FAILS with EID_CERTIFICATE_MISSING. An identification already IDENTIFIED is
   * not fetched again (its sign session may have moved on with signings): where it stands is
   * asked, at most once per WEB_IDENTIFICATION_REFRESH_BEFORE_SIGNING_MS, so that a burst of
   * repeated webhooks does not become a burst of calls to B-Trust.
   */
  async confirmIdentified(identification: WebIdentification, cause: string): Promise<TransitionOutcome<WebIdentification>> {
    if (identification.status === 'IDENTIFIED') {
      const asked = this.isStale(identification) ? await this.reconcile(identification, cause) : null;
      return asked ?? { result: 'unchanged', entity: identification };
    }
    const result = await this.btrust.getWebIdentificationResult(
      {
        resultId: identification.resultId!,
        sessionId: identification.webSessionId!,
        onlyMetadata: false,
      },
      { language: identification.language as ProviderLanguage },
    );
    if (!result.eidCertificatePdf) return this.certificateMissing(identification, cause);
    const outcome = await this.records.move(identification.id, 'IDENTIFIED', cause, {
      identifiedAt: new Date(),
      clientIdentificator: result.clientIdentificator,
      eidCertificatePdf: result.eidCertificatePdf,
      signSessionId: result.signSessionId,
      signSessionExpiresAt: result.signSessionExpiresAt,
      failure: { code: null, message: null },
    });
    if (outcome.result === 'moved' && result.signSessionExpiresAt) {
      await this.callbackEndpoints.extend(identification.id, new Date(result.signSessionExpiresAt.getTime() + CALLBACK_URL_GRACE_MS));
    }
    return outcome;
  }

  /**
   * Before a paid signing (3.1): when the last word from B-Trust on an IDENTIFIED identification
   * is older than WEB_IDENTIFICATION_REFRESH_BEFORE_SIGNING_MS, ask again (scenarios 5 and 4), so
   * that an agent's DENIED is seen before a contract is signed on it. Reading: when B-Trust cannot
   * be asked, the signing is refused as retryable (503 IDENTIFICATION_STATUS_UNAVAILABLE, or 502
   * PROVIDER_ACCESS_REFUSED for our own certificate or grant) rather than signed on a stale
   * approval: a retry costs the person a moment, a contract signed on a denied identification
   * cannot be taken back.
   */
  async refreshBeforeSigning(identification: WebIdentification): Promise<WebIdentification> {
    if (identification.status !== 'IDENTIFIED' || !this.isStale(identification)) return identification;
    try {
      await this.reconcile(identification, 'before-signing');
    } catch (error) {
      if (error instanceof BtrustError) throw identificationStatusUnavailable(error);
      throw error;
    }
    return this.records.getById(identification.id);
  }

  /** B-Trust's last word on an identification is older than WEB_IDENTIFICATION_REFRESH_BEFORE_SIGNING_MS. */
  private isStale(identification: WebIdentification): boolean {
    const lastKnown = Math.max(identification.providerUpdatedAt?.getTime() ?? 0, identification.identifiedAt?.getTime() ?? 0);
    return Date.now() - lastKnown >= this.refreshBeforeSigningMs;
  }

  private async certificateMissing(identification: WebIdentification, cause: string): Promise<TransitionOutcome<WebIdentification>> {
    const misses = await this.records.countCertificateMiss(identification.id);
    if (misses < this.certificateAttempts) {
      this.logger.warn({ id: identification.id, misses }, 'B-Trust sent the web identification result without the eID certificate; will ask again');
      return { result: 'unchanged', entity: { ...identification, eidCertificateMisses: misses } };
    }
    return this.records.move(identification.id, 'FAILED', cause, {
      failure: { code: 'EID_CERTIFICATE_MISSING', message: `B-Trust approved the identification but sent no eID certificate in ${misses} answers.` },
    });
  }

  /**
   * Asks B-Trust where an identification stands (scenarios 5 and 4) and applies what that means
   * (readWebReviewProgress, then decideWebProgress). Used by webhooks, by the reconciliation of
   * open identifications, by `?refresh=true` and before a signing. Provider errors propagate to
   * the caller, which decides whether to retry: no answer we could not get ends anything.
   */
  async reconcile(identification: WebIdentification, cause: string): Promise<TransitionOutcome<WebIdentification> | null> {
    if (this.creationMayBeUnderWay(identification)) return null;
    if (webIdentificationMachine.isFinal(identification.status) || !identification.resultId) {
      return this.expireIfNeverStarted(identification, cause);
    }
    const language = { language: identification.language as ProviderLanguage };
    // The two reads are not one snapshot. Scenario 4 first: a failure step (5) that comes between
    // them is then read with the registration as it was before, never as a bare EXPIRED or REJECTED.
    const registration = identification.registrationId
      ? await this.btrust.getRegistrationStatus(identification.registrationId, language)
      : null;
    const webStatus: ProviderWebStatus = await this.btrust.getWebIdentificationStatus(identification.resultId, language);
    const report = {
      status: webStatus.status,
      step: webStatus.step,
      registrationStatus: registration?.status ?? identification.registrationStatus,
      reviewStatus: registration?.reviewStatus ?? identification.reviewStatus,
    };
    await this.records.recordProviderReport(identification.id, {
      providerStatus: report.status,
      providerStep: report.step,
      registrationStatus: report.registrationStatus,
      reviewStatus: report.reviewStatus,
    });

    const decision = decideWebProgress(identification.status, readWebReviewProgress(report), this.timingOf(identification));
    switch (decision.kind) {
      case 'stay':
        return null;
      case 'review':
        return this.records.move(identification.id, 'UNDER_REVIEW', cause, { reviewStartedAt: new Date() });
      case 'confirm':
        return this.confirmIdentified(identification, cause);
      case 'end':
        return this.records.move(identification.id, decision.status, cause, {
          failure: { code: decision.code, message: registration?.userMessage ? `${decision.message} B-Trust: ${registration.userMessage}` : decision.message },
        });
    }
  }

  /**
   * The create call is still between its two provider calls (neither retried), or may be: nothing
   * is decided about the record until both have surely ended, or the registration is stored.
   */
  private creationMayBeUnderWay(identification: WebIdentification): boolean {
    return (
      identification.status === 'STARTED' &&
      identification.registrationId === null &&
      Date.now() - identification.createdAt.getTime() < this.config.btrust.timeoutMs * 3
    );
  }

  /** The bounds of an open identification: its web session's deadline, and its review's once one started. */
  private timingOf(identification: WebIdentification): WebTiming {
    const reviewStart = identification.status === 'UNDER_REVIEW' ? (identification.reviewStartedAt ?? identification.createdAt) : null;
    return {
      now: Date.now(),
      sessionDeadline: (identification.expiresAt ?? new Date(identification.createdAt.getTime() + this.defaultValidityMs)).getTime(),
      reviewDeadline: reviewStart ? reviewStart.getTime() + this.reviewMaxMs : null,
      graceMs: this.graceMs,
    };
  }

  private async expireIfNeverStarted(identification: WebIdentification, cause: string) {
    if (identification.status !== 'STARTED') return null;
    // B-Trust never accepted it (the server stopped mid-creation): nothing to ask about.
    return this.records.move(identification.id, 'FAILED', cause, {
      failure: { code: 'PROVIDER_OUTCOME_UNKNOWN', message: 'The server stopped before B-Trust confirmed the request.' },
    });
  }

  private async failCreation(id: string, error: unknown, step: string): Promise<unknown> {
    if (!(error instanceof BtrustError)) return error;
    await this.records.move(id, 'FAILED', 'api', {
      failure: { code: error.code, message: `${step}: ${error.providerMessage ?? error.message}` },
    });
    // By what the answer means, not by its body: a REJECTED on 401/403 is our certificate or grant.
    if (error.answerClass !== 'UNKNOWN_OUTCOME') return notStarted(error);
    // Received, with no usable answer: whatever its body says (REJECTED included), not a refusal.
    return error.code === 'TIMEOUT' ? providerFailure(error) : upstreamError(error);
  }
}

function latest(...dates: Array<Date | null>): Date | null {
  const known = dates.filter((date): date is Date => date !== null);
  return known.length === 0 ? null : new Date(Math.max(...known.map((date) => date.getTime())));
}
