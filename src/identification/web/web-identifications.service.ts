import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BtrustClient } from '../../btrust/btrust.client';
import { BtrustError } from '../../btrust/btrust.errors';
import type { RegistrationStatus, WebIdentificationStatus as ProviderWebStatus } from '../../btrust/btrust.types';
import { CallbackEndpointsService } from '../../callbacks/callback-endpoints.service';
import type { ProviderLanguage } from '../../common/http/request-language.decorator';
import { providerFailure } from '../../btrust/provider-failure';
import type { FieldProblem } from '../../common/problem/problem';
import { RequestError } from '../../common/problem/request-error';
import { applyTransition, recordCreation, TransitionOutcome } from '../../common/state-machine/apply-transition';
import { isAllowedRedirectUrl } from '../../common/validation/redirect-urls';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { CreateWebIdentificationDto } from './dto/create-web-identification.dto';
import { WebIdentification } from './web-identification.entity';
import { WebIdentificationError, WebIdentificationErrorCode } from './web-identification.errors';
import { interpretWebProgress } from './web-identification-progress';
import { webIdentificationMachine, WebIdentificationStatus } from './web-identification.state';

type WebChanges = Partial<Omit<WebIdentification, 'id' | 'status' | 'owner'>>;

/** How long a callback URL stays valid before the identification produced a sign session. */
const CALLBACK_URL_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Webhooks for a signing may come a little after the sign session's nominal expiry. */
const CALLBACK_URL_GRACE_MS = 24 * 60 * 60 * 1000;
const IDENTIFICATION_PROCESS_STATE = 'CREATE_SIGN_SESSION_REQUEST';

@Injectable()
export class WebIdentificationsService {
  private readonly logger = new Logger(WebIdentificationsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly btrust: BtrustClient,
    private readonly callbackEndpoints: CallbackEndpointsService,
  ) {}

  /**
   * Scenario 2: startWebIdentification, then createRegistration, then the
   * redirect URL. The record and its callback URL exist before the first
   * call; if either call fails the record ends FAILED with the reason.
   */
  async create(owner: string, request: CreateWebIdentificationDto, language: ProviderLanguage | undefined): Promise<WebIdentification> {
    this.assertAllowedRedirects(request);
    const id = randomUUID();
    const callbackUrl = await this.dataSource.transaction(async (manager) => {
      await manager.insert(WebIdentification, {
        id,
        owner,
        status: 'STARTED',
        reason: request.reason,
        language: request.language,
        successUrl: request.successUrl,
        cancelUrl: request.cancelUrl,
        externalRef: request.externalRef ?? null,
      });
      await recordCreation(manager, webIdentificationMachine, id, 'STARTED', 'api');
      return this.callbackEndpoints.issue(manager, id, new Date(Date.now() + CALLBACK_URL_LIFETIME_MS));
    });
    const options = { language: language ?? request.language };

    let started;
    try {
      started = await this.btrust.startWebIdentification({ callbackUrl, reason: request.reason }, options);
    } catch (error) {
      throw await this.failCreation(id, error, 'startWebIdentification');
    }
    await this.repository().update(id, {
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
    await this.repository().update(id, {
      registrationId: registration.registrationId,
      registrationSessionId: registration.sessionId,
      redirectUrl,
      registrationStatus: 'STARTED',
      expiresAt: earliest(started.expiresAt, registration.expiresOn),
    });
    return this.findOwned(owner, id);
  }

  async findOwned(owner: string, id: string): Promise<WebIdentification> {
    const found = await this.repository().findOneBy({ id, owner });
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
    const found = await this.repository()
      .createQueryBuilder('identification')
      .addSelect('identification.eidCertificatePdf')
      .where('identification.id = :id AND identification.owner = :owner', { id, owner })
      .getOne();
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
    await this.repository().update(id, {
      registrationStatus: status.status,
      reviewStatus: status.reviewStatus,
      providerUpdatedAt: new Date(),
    });
    return status;
  }

  /**
   * A webhook said the identification produced a sign session: fetch the
   * result (2.5) over mutual TLS and only then move to IDENTIFIED.
   */
  async confirmIdentified(identification: WebIdentification, cause: string): Promise<TransitionOutcome<WebIdentification>> {
    const result = await this.btrust.getWebIdentificationResult(
      {
        resultId: identification.resultId!,
        processState: IDENTIFICATION_PROCESS_STATE,
        sessionId: identification.webSessionId!,
        onlyMetadata: false,
      },
      { language: identification.language as ProviderLanguage },
    );
    const outcome = await this.move(identification.id, 'IDENTIFIED', cause, {
      identifiedAt: new Date(),
      clientIdentificator: result.clientIdentificator,
      eidCertificatePdf: result.eidCertificatePdf,
      signSessionId: result.signSessionId,
      signSessionExpiresAt: result.signSessionExpiresAt,
    });
    if (outcome.result === 'moved' && result.signSessionExpiresAt) {
      await this.callbackEndpoints.extend(identification.id, new Date(result.signSessionExpiresAt.getTime() + CALLBACK_URL_GRACE_MS));
    }
    return outcome;
  }

  /**
   * Asks B-Trust where a STARTED identification stands (scenarios 5 and 4)
   * and applies the verdict. Used by webhooks that carry no result, by the
   * reconciliation of missed webhooks and by `?refresh=true`. Provider
   * errors propagate to the caller, which decides whether to retry.
   */
  async reconcile(identification: WebIdentification, cause: string): Promise<TransitionOutcome<WebIdentification> | null> {
    if (webIdentificationMachine.isFinal(identification.status) || !identification.resultId) {
      return this.expireIfNeverStarted(identification, cause);
    }
    const language = { language: identification.language as ProviderLanguage };
    const webStatus: ProviderWebStatus = await this.btrust.getWebIdentificationStatus(identification.resultId, language);
    const registration = identification.registrationId
      ? await this.btrust.getRegistrationStatus(identification.registrationId, language)
      : null;
    const progress = {
      status: webStatus.status,
      step: webStatus.step,
      registrationStatus: registration?.status ?? identification.registrationStatus,
      reviewStatus: registration?.reviewStatus ?? identification.reviewStatus,
    };
    await this.repository().update(identification.id, {
      providerStatus: progress.status,
      providerStep: progress.step,
      registrationStatus: progress.registrationStatus,
      reviewStatus: progress.reviewStatus,
      providerUpdatedAt: new Date(),
      lastReconciledAt: new Date(),
    });

    const expired = identification.expiresAt !== null && identification.expiresAt.getTime() <= Date.now();
    const verdict = interpretWebProgress(progress, expired);
    switch (verdict) {
      case 'OPEN':
        return null;
      case 'IDENTIFIED':
        return this.confirmIdentified(identification, cause);
      default:
        return this.move(identification.id, verdict, cause, {
          failureCode: verdict,
          failureMessage: registration?.userMessage ?? `B-Trust reports ${progress.status ?? 'no status'}`,
        });
    }
  }

  private async expireIfNeverStarted(identification: WebIdentification, cause: string) {
    if (identification.status !== 'STARTED') return null;
    // B-Trust never accepted it (the server stopped mid-creation): nothing to ask about.
    return this.move(identification.id, 'FAILED', cause, {
      failureCode: 'PROVIDER_OUTCOME_UNKNOWN',
      failureMessage: 'The server stopped before B-Trust confirmed the request.',
    });
  }

  move(id: string, to: WebIdentificationStatus, cause: string, changes: WebChanges = {}): Promise<TransitionOutcome<WebIdentification>> {
    return this.dataSource.transaction((manager) =>
      applyTransition<WebIdentificationStatus, WebIdentification>(manager, {
        target: WebIdentification,
        machine: webIdentificationMachine,
        id,
        to,
        cause,
        changes,
        detail: changes.failureCode ? { code: changes.failureCode } : undefined,
      }),
    );
  }

  private async failCreation(id: string, error: unknown, step: string): Promise<unknown> {
    if (!(error instanceof BtrustError)) return error;
    await this.move(id, 'FAILED', 'api', {
      failureCode: error.code,
      failureMessage: `${step}: ${error.providerMessage ?? error.message}`,
    });
    return providerFailure(error);
  }

  private assertAllowedRedirects(request: CreateWebIdentificationDto): void {
    const origins = this.config.identification.allowedRedirectOrigins;
    const problems: FieldProblem[] = (['successUrl', 'cancelUrl'] as const)
      .filter((field) => !isAllowedRedirectUrl(request[field], origins))
      .map((field) => ({
        field,
        codes: ['REDIRECT_NOT_ALLOWED'],
        messages: [`${field} must be an absolute URL on one of the allowed origins (${origins.join(', ')})`],
      }));
    if (problems.length > 0) throw RequestError.invalid(problems);
  }

  private repository() {
    return this.dataSource.getRepository(WebIdentification);
  }
}

function earliest(...dates: Array<Date | null>): Date | null {
  const known = dates.filter((date): date is Date => date !== null);
  return known.length === 0 ? null : new Date(Math.min(...known.map((date) => date.getTime())));
}
