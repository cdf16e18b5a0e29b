import { randomUUID } from 'node:crypto';
import { RegistrationRequest, WebIdentificationStartRequest } from './api-request-validation';
import { CallbackDispatcher } from './callback-dispatcher';
import { DocumentServices } from './document-services';
import { SAMPLE_PERSON, identificatorFor, isValidEgn, maskIdentifier } from './person-identifiers';
import {
  IdentifiedPerson,
  ProviderRecords,
  Registration,
  StateConflictError,
  UnknownRecordError,
  WebIdentification,
  moveWeb,
} from './provider-records';
import { badRequest, notReadyYet, rejected, unknownId } from './provider-refusal';
import { SandboxLogger } from './sandbox-logger';

export class InvalidPersonError extends Error {}

export interface WebIdentificationSettings {
  relyingPartyId: string;
  webSessionValidityMs: number;
  signSessionValidityMs: number;
}

export type ReviewOutcome = 'ALLOW_DENY' | 'ALLOWED';

const IDENTIFICATION_PROCESS_STATE = 'CREATE_SIGN_SESSION_REQUEST';
const CANCELLED_PROCESS_STATE = 'PROCESS_IS_CANCELED_BY_USER';

/** Scenarios 2, 4 and 5: the web session, its registration, the video identification and its result. */
export class WebIdentificationFlow {
  constructor(
    private readonly records: ProviderRecords,
    private readonly documents: DocumentServices,
    private readonly callbacks: CallbackDispatcher,
    private readonly settings: WebIdentificationSettings,
    private readonly logger: SandboxLogger,
  ) {}

  start(request: WebIdentificationStartRequest, now: Date): WebIdentification {
    const record: WebIdentification = {
      webSessionId: randomUUID(),
      resultId: this.records.nextResultId(),
      createdAt: now,
      webSessionExpireDate: new Date(now.getTime() + this.settings.webSessionValidityMs),
      requestCallbackUrl: request.requestCallbackUrl,
      reason: request.identificationReason,
      state: 'STARTED',
    };
    this.records.addWeb(record);
    this.logger.info({ webSessionId: record.webSessionId, resultId: record.resultId }, 'sandbox web identification started');
    return record;
  }

  /** Reading: the document does not say whether a second registration for one web session is allowed; it is refused. */
  createRegistration(webSessionId: string, request: RegistrationRequest, now: Date): { record: WebIdentification; registration: Registration } {
    const record = this.records.webBySessionId.get(webSessionId);
    if (!record) throw unknownId('unknown webSessionId');
    this.expireIfDue(record, now);
    if (record.state !== 'STARTED') throw rejected(`web session is ${record.state}`);
    const registration: Registration = {
      sessionId: randomUUID(),
      registrationId: randomUUID(),
      createdOn: now,
      expiredOn: new Date(now.getTime() + this.settings.webSessionValidityMs),
      reviewStatus: 'N_A',
      ...request,
    };
    this.records.addRegistration(record, registration);
    moveWeb(record, 'REGISTERED');
    return { record, registration };
  }

  registrationByRegistrationId(registrationId: string, now: Date): { record: WebIdentification; registration: Registration } {
    const record = this.records.webByRegistrationId.get(registrationId);
    if (!record?.registration) throw unknownId('unknown registrationId');
    this.expireIfDue(record, now);
    return { record, registration: record.registration };
  }

  byResultId(resultId: number, now: Date): WebIdentification | undefined {
    const record = this.records.webByResultId.get(resultId);
    if (record) this.expireIfDue(record, now);
    return record;
  }

  /**
   * 2.5. `onlyMetadata=true` is only valid with CREATE_SIGN_SESSION_REQUEST.
   * Reading: the other process states have nothing to fetch here; a known
   * one (such as PROCESS_IS_CANCELED_BY_USER from a callback) is answered
   * REJECTED, an unknown one BAD_REQUEST.
   */
  result(resultId: number, processState: string, sessionId: string, onlyMetadata: boolean, now: Date): WebIdentification {
    if (onlyMetadata && processState !== IDENTIFICATION_PROCESS_STATE) {
      throw badRequest('onlyMetadata=true is only valid with CREATE_SIGN_SESSION_REQUEST');
    }
    const record = this.records.webByResultId.get(resultId);
    if (!record || record.webSessionId !== sessionId) throw unknownId('unknown resultId or sessionId');
    this.expireIfDue(record, now);
    if (record.state === 'REJECTED' || record.state === 'CANCELLED' || record.state === 'EXPIRED') {
      throw rejected(`web identification is ${record.state}`);
    }
    if (processState !== IDENTIFICATION_PROCESS_STATE) throw rejected(`nothing to fetch for ${processState}`);
    if (record.state !== 'IDENTIFIED') throw notReadyYet('web identification not finished');
    return record;
  }

  bySessionId(webSessionId: string): WebIdentification {
    const record = this.records.webBySessionId.get(webSessionId);
    if (!record) throw new UnknownRecordError('web identification');
    return record;
  }

  /** The record behind the video identification page, found by the registration's sessionId. */
  byRegistrationSessionId(sessionId: string, now: Date): WebIdentification {
    const record = this.records.webByRegistrationSessionId.get(sessionId);
    if (!record) throw new UnknownRecordError('registration');
    this.expireIfDue(record, now);
    return record;
  }

  async approve(
    record: WebIdentification,
    person: Partial<IdentifiedPerson>,
    review: ReviewOutcome,
    now: Date,
  ): Promise<WebIdentification> {
    this.expireIfDue(record, now);
    const identified = personFrom(person);
    const registration = this.registrationOf(record);
    moveWeb(record, 'COMPLETED');
    registration.processedOn = now;
    record.person = identified;
    record.clientIdentificator = identificatorFor(this.settings.relyingPartyId, 'EGN', identified.egn);
    try {
      record.eidCertificatePdf = await this.documents.issueEidCertificate({
        fullName: identified.fullName,
        identifierMasked: maskIdentifier('EGN', identified.egn),
        identificator: record.clientIdentificator,
        identifiedAt: now,
        reason: record.reason,
      });
    } catch (error) {
      this.deny(record, registration, now);
      throw error;
    }
    const reviewedAt = new Date();
    record.signSession = {
      id: randomUUID(),
      expiresAt: new Date(reviewedAt.getTime() + this.settings.signSessionValidityMs),
      consumed: false,
    };
    registration.reviewStatus = review;
    registration.reviewedOn = reviewedAt;
    moveWeb(record, 'IDENTIFIED');
    this.logger.info({ webSessionId: record.webSessionId, resultId: record.resultId }, 'sandbox web identification approved');
    this.notify(record, IDENTIFICATION_PROCESS_STATE, 'completed successfully', true);
    return record;
  }

  /**
   * Reading: the document describes only the success callback. On a
   * rejection the sandbox still calls back, with `code` REJECTED and the
   * process state the request was heading for, so a relying party that
   * fetches 2.5 on any callback learns the outcome there.
   */
  reject(record: WebIdentification, now: Date): WebIdentification {
    this.expireIfDue(record, now);
    const registration = this.registrationOf(record);
    this.deny(record, registration, now);
    this.logger.info({ webSessionId: record.webSessionId }, 'sandbox web identification rejected');
    this.notify(record, IDENTIFICATION_PROCESS_STATE, 'was rejected', false);
    return record;
  }

  /**
   * Reading: the document lists PROCESS_IS_CANCELED_BY_USER as a status, not
   * as a callback; the sandbox calls back with it as the process state.
   */
  cancel(record: WebIdentification, now: Date): WebIdentification {
    this.expireIfDue(record, now);
    const registration = this.registrationOf(record);
    moveWeb(record, 'CANCELLED');
    registration.processedOn = now;
    registration.userMessageBg = 'Процесът е прекратен от клиента.';
    this.logger.info({ webSessionId: record.webSessionId }, 'sandbox web identification cancelled');
    this.notify(record, CANCELLED_PROCESS_STATE, 'was canceled by the user', false);
    return record;
  }

  /**
   * An open identification expires; an identified one loses its sign session.
   * Reading: the document names no expiry notification, so none is sent.
   */
  expire(record: WebIdentification, now: Date): WebIdentification {
    if (record.state === 'IDENTIFIED' && record.signSession) {
      record.signSession.expiresAt = now;
      return record;
    }
    this.markExpired(record, now);
    return record;
  }

  expireIfDue(record: WebIdentification, now: Date): void {
    const deadline =
      record.state === 'STARTED' ? record.webSessionExpireDate : record.state === 'REGISTERED' ? record.registration?.expiredOn : undefined;
    if (deadline && now >= deadline) this.markExpired(record, now);
  }

  private markExpired(record: WebIdentification, now: Date): void {
    moveWeb(record, 'EXPIRED');
    if (record.registration) {
      record.registration.processedOn = now;
      record.registration.userMessageBg = 'Срокът на регистрацията изтече.';
    }
  }

  private deny(record: WebIdentification, registration: Registration, now: Date): void {
    moveWeb(record, 'REJECTED');
    registration.processedOn ??= now;
    registration.reviewStatus = 'DENIED';
    registration.reviewedOn = now;
    registration.userMessageBg = 'Идентификацията е отхвърлена.';
  }

  private registrationOf(record: WebIdentification): Registration {
    if (!record.registration) throw new StateConflictError(record.state, 'a person action (no registration yet)');
    return record.registration;
  }

  private notify(record: WebIdentification, processState: string, outcome: string, ok: boolean): void {
    this.callbacks.notify(
      record.requestCallbackUrl,
      {
        processState,
        sessionId: record.webSessionId,
        resultId: String(record.resultId),
        dataMessage: `The request with resultID ${record.resultId} ${outcome}`,
      },
      { ok },
    );
  }
}

function personFrom(person: Partial<IdentifiedPerson>): IdentifiedPerson {
  const fullName = person.fullName?.trim() || SAMPLE_PERSON.fullName;
  const egn = person.egn?.trim() || SAMPLE_PERSON.egn;
  if (fullName.length > 200) throw new InvalidPersonError('The full name is too long.');
  if (!isValidEgn(egn)) throw new InvalidPersonError('The EGN is not valid (10 digits, a real date and the check digit).');
  return { fullName, egn };
}
