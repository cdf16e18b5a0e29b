import { randomUUID } from 'node:crypto';
import { RegistrationRequest, WebIdentificationStartRequest } from './api-request-validation';
import { CallbackDispatcher } from './callback-dispatcher';
import { DocumentServices } from './document-services';
import { SAMPLE_PERSON, identificatorFor, isValidEgn, maskIdentifier } from './person-identifiers';
import {
  FailureRegistrationStatus,
  IdentifiedPerson,
  ProviderRecords,
  Registration,
  StateConflictError,
  UnknownRecordError,
  WebFailureStep,
  WebIdentification,
  eidCertificateToSend,
  moveWeb,
  registrationStatusOf,
  webStatusOf,
} from './provider-records';
import { badRequest, notReadyYet, rejected, unknownId } from './provider-refusal';
import { SandboxLogger } from './sandbox-logger';
import { ReadingsBoard, SandboxReadings } from './sandbox-readings';

export class InvalidPersonError extends Error {}

export interface WebIdentificationSettings {
  relyingPartyId: string;
  webSessionValidityMs: number;
  signSessionValidityMs: number;
}

export type ReviewOutcome = 'ALLOW_DENY' | 'ALLOWED';
export type ReviewDecision = 'ALLOWED' | 'DENIED';

const IDENTIFICATION_PROCESS_STATE = 'CREATE_SIGN_SESSION_REQUEST';
const CANCELLED_PROCESS_STATE = 'PROCESS_IS_CANCELED_BY_USER';
const ENDED_STATES: ReadonlyArray<WebIdentification['state']> = ['REJECTED', 'CANCELLED', 'EXPIRED', 'DENIED', 'FAILED'];

/** Scenarios 2, 4 and 5: the web session, its registration, the video identification and its result. */
export class WebIdentificationFlow {
  constructor(
    private readonly records: ProviderRecords,
    private readonly documents: DocumentServices,
    private readonly callbacks: CallbackDispatcher,
    private readonly readings: ReadingsBoard,
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
      readings: this.readings.get(),
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
    if (record.state !== 'STARTED') throw rejected(`web session is ${record.state}`, record.readings);
    const registration: Registration = {
      sessionId: randomUUID(),
      registrationId: randomUUID(),
      createdOn: now,
      expiredOn: new Date(now.getTime() + this.settings.webSessionValidityMs),
      reviewStatus: 'N_A',
      ...request,
    };
    moveWeb(record, 'REGISTERED');
    this.records.addRegistration(record, registration);
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
   * REJECTED, an unknown one BAD_REQUEST. Before the identification is
   * done (an agent's review included) the answer is the `notYetAnswer`.
   */
  result(resultId: number, processState: string, sessionId: string, onlyMetadata: boolean, now: Date): WebIdentification {
    if (onlyMetadata && processState !== IDENTIFICATION_PROCESS_STATE) {
      throw badRequest('onlyMetadata=true is only valid with CREATE_SIGN_SESSION_REQUEST');
    }
    const record = this.records.webByResultId.get(resultId);
    if (!record || record.webSessionId !== sessionId) throw unknownId('unknown resultId or sessionId');
    this.expireIfDue(record, now);
    if (ENDED_STATES.includes(record.state)) throw rejected(`web identification is ${record.state}`, record.readings);
    if (processState !== IDENTIFICATION_PROCESS_STATE) throw rejected(`nothing to fetch for ${processState}`, record.readings);
    if (record.state !== 'IDENTIFIED') throw notReadyYet('web identification not finished', record.readings);
    return record;
  }

  /** The eID certificate of a full 2.5 answer (see eidCertificateToSend). */
  certificateToSend(record: WebIdentification): Buffer | undefined {
    return eidCertificateToSend(record, () => this.records.saveWeb(record));
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

  setReadings(webSessionId: string, readings: Partial<SandboxReadings>): WebIdentification {
    const record = this.bySessionId(webSessionId);
    record.readings = { ...record.readings, ...readings };
    this.records.saveWeb(record);
    return record;
  }

  /**
   * The person passed the video identification. With `review=automatic` it
   * is identified at once (FINALIZED, ALLOW_DENY or ALLOWED); with
   * `review=manual` the registration is COMPLETED with FINALIZE_REJECT and
   * waits for an agent (`review`), whatever the web session's date.
   */
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
      this.refuse(record, registration, now);
      this.records.saveWeb(record);
      throw error;
    }
    if (record.readings.review === 'manual') {
      moveWeb(record, 'UNDER_REVIEW');
      registration.reviewStatus = 'FINALIZE_REJECT';
      this.records.saveWeb(record);
      this.logger.info({ webSessionId: record.webSessionId, resultId: record.resultId }, 'sandbox web identification waits for an agent');
      return record;
    }
    this.identify(record, registration, review);
    return record;
  }

  /**
   * An agent's review: of a registration waiting for one (FINALIZE_REJECT),
   * or of one approved automatically (ALLOW_DENY), which an agent may still
   * allow or deny.
   */
  review(record: WebIdentification, decision: ReviewDecision, now: Date): WebIdentification {
    const registration = this.registrationOf(record);
    if (record.state === 'UNDER_REVIEW') {
      if (decision === 'ALLOWED') {
        this.identify(record, registration, 'ALLOWED');
        return record;
      }
      this.refuse(record, registration, now);
      this.records.saveWeb(record);
      this.logger.info({ webSessionId: record.webSessionId }, 'sandbox web identification denied by an agent');
      this.notify(record, IDENTIFICATION_PROCESS_STATE, 'was rejected', { ok: false });
      return record;
    }
    if (record.state === 'IDENTIFIED' && registration.reviewStatus === 'ALLOW_DENY') {
      if (decision === 'DENIED') return this.deny(record, now);
      registration.reviewStatus = 'ALLOWED';
      registration.reviewedOn = now;
      this.records.saveWeb(record);
      return record;
    }
    throw new StateConflictError(`${record.state} (review ${registration.reviewStatus})`, `review ${decision}`);
  }

  /**
   * An agent denies an identification approved automatically (ALLOW_DENY):
   * its sign session is no longer accepted, and a webhook says so.
   */
  deny(record: WebIdentification, now: Date): WebIdentification {
    const registration = this.registrationOf(record);
    if (registration.reviewStatus !== 'ALLOW_DENY') {
      throw new StateConflictError(`${record.state} (review ${registration.reviewStatus})`, 'DENIED');
    }
    moveWeb(record, 'DENIED');
    registration.reviewStatus = 'DENIED';
    registration.reviewedOn = now;
    registration.userMessageBg = 'Идентификацията е отхвърлена от служител.';
    this.records.saveWeb(record);
    this.logger.info({ webSessionId: record.webSessionId }, 'sandbox web identification denied after approval');
    this.notify(record, IDENTIFICATION_PROCESS_STATE, 'was denied', { ok: false });
    return record;
  }

  /**
   * Scenario 5 reports a failure step. The registration keeps its status
   * unless `registrationStatus` says otherwise. Reading: the document names
   * no failure webhook; as for a rejection, one with `code` REJECTED is sent.
   */
  fail(record: WebIdentification, failure: { step: WebFailureStep; registrationStatus?: FailureRegistrationStatus }, now: Date): WebIdentification {
    this.expireIfDue(record, now);
    const registrationStatusBefore = registrationStatusOf(record);
    moveWeb(record, 'FAILED');
    record.failure = { ...failure, registrationStatusBefore };
    if (record.registration) {
      record.registration.processedOn ??= now;
      record.registration.userMessageBg = 'Идентификацията не беше успешна.';
    }
    this.records.saveWeb(record);
    this.logger.info({ webSessionId: record.webSessionId, step: failure.step }, 'sandbox web identification failed');
    this.notify(record, IDENTIFICATION_PROCESS_STATE, 'failed', { ok: false });
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
    this.refuse(record, registration, now);
    this.records.saveWeb(record);
    this.logger.info({ webSessionId: record.webSessionId }, 'sandbox web identification rejected');
    this.notify(record, IDENTIFICATION_PROCESS_STATE, 'was rejected', { ok: false });
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
    this.records.saveWeb(record);
    this.logger.info({ webSessionId: record.webSessionId }, 'sandbox web identification cancelled');
    this.notify(record, CANCELLED_PROCESS_STATE, 'was canceled by the user', { ok: false });
    return record;
  }

  /**
   * An open identification expires; an identified one loses its sign session.
   * Reading: the document names no expiry notification, so none is sent.
   */
  expire(record: WebIdentification, now: Date): WebIdentification {
    if (record.state === 'IDENTIFIED' && record.signSession) {
      record.signSession.expiresAt = now;
    } else {
      this.markExpired(record, now);
    }
    this.records.saveWeb(record);
    return record;
  }

  /** Only a web session or a registration in progress expires by the clock; an agent's review does not. */
  expireIfDue(record: WebIdentification, now: Date): void {
    const deadline =
      record.state === 'STARTED' ? record.webSessionExpireDate : record.state === 'REGISTERED' ? record.registration?.expiredOn : undefined;
    if (deadline && now >= deadline) {
      this.markExpired(record, now);
      this.records.saveWeb(record);
    }
  }

  /**
   * The webhook the record's state implies, sent now (control action
   * `callbacks/send`); `processState` and `code` may be forced.
   */
  sendWebhook(record: WebIdentification, overrides: { processState?: string; code?: string }): ReturnType<CallbackDispatcher['notify']> {
    const implied =
      record.state === 'IDENTIFIED'
        ? { processState: IDENTIFICATION_PROCESS_STATE, outcome: 'completed successfully', ok: true }
        : record.state === 'CANCELLED'
          ? { processState: CANCELLED_PROCESS_STATE, outcome: 'was canceled by the user', ok: false }
          : ENDED_STATES.includes(record.state)
            ? { processState: IDENTIFICATION_PROCESS_STATE, outcome: 'was rejected', ok: false }
            : { processState: webStatusOf(record).status, outcome: 'changed its status', ok: true };
    return this.notify(record, overrides.processState ?? implied.processState, implied.outcome, { ok: implied.ok, code: overrides.code });
  }

  private identify(record: WebIdentification, registration: Registration, review: ReviewOutcome): void {
    const reviewedAt = new Date();
    record.signSession = {
      id: randomUUID(),
      expiresAt: new Date(reviewedAt.getTime() + this.settings.signSessionValidityMs),
      consumed: false,
    };
    registration.reviewStatus = review;
    registration.reviewedOn = reviewedAt;
    moveWeb(record, 'IDENTIFIED');
    this.records.saveWeb(record);
    this.logger.info({ webSessionId: record.webSessionId, resultId: record.resultId }, 'sandbox web identification approved');
    this.notify(record, IDENTIFICATION_PROCESS_STATE, 'completed successfully', { ok: true });
  }

  private markExpired(record: WebIdentification, now: Date): void {
    moveWeb(record, 'EXPIRED');
    if (record.registration) {
      record.registration.processedOn = now;
      record.registration.userMessageBg = 'Срокът на регистрацията изтече.';
    }
  }

  private refuse(record: WebIdentification, registration: Registration, now: Date): void {
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

  /**
   * Reading: the 2.4 example carries 2.1's webSessionId as `sessionId`, but
   * 2.2 also calls the registration's id `sessionId`;
   * `identificationWebhookSessionId=registration-session` sends that one.
   */
  private notify(
    record: WebIdentification,
    processState: string,
    outcome: string,
    result: { ok: boolean; code?: string },
  ): ReturnType<CallbackDispatcher['notify']> {
    const sessionId =
      record.readings.identificationWebhookSessionId === 'registration-session' && record.registration
        ? record.registration.sessionId
        : record.webSessionId;
    return this.callbacks.notifyOutcome(
      record.requestCallbackUrl,
      { processState, sessionId, resultId: String(record.resultId) },
      outcome,
      result,
      record.readings,
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
