import { IdentifierType } from './person-identifiers';
import { SandboxReadings } from './sandbox-readings';
import { MEMORY_ONLY, RecordStore } from './sandbox-store';

/**
 * The sandbox's memory: one record per mobile identification, web
 * identification and signing, each with its state machine written as data.
 * Every state change goes through `moveTo`, whatever moved it (the API, a
 * page, the control API or the clock), and every changed record is saved
 * through `ProviderRecords.save*` to the sandbox's store.
 */

export class StateConflictError extends Error {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`Cannot move from ${from} to ${to}`);
    this.name = 'StateConflictError';
  }
}

export class UnknownRecordError extends Error {
  constructor(kind: string) {
    super(`No such ${kind}`);
    this.name = 'UnknownRecordError';
  }
}

function moveTo<S extends string>(transitions: Record<S, readonly S[]>, record: { state: S }, to: S): void {
  if (!transitions[record.state].includes(to)) {
    throw new StateConflictError(record.state, to);
  }
  record.state = to;
}

// Mobile identification (scenario 1). CREATED until the relying party's first poll.
export type MobileState = 'CREATED' | 'ON_BOARDING' | 'IN_PROGRESS' | 'FINISHED' | 'REJECTED' | 'EXPIRED';

const MOBILE_TRANSITIONS: Record<MobileState, readonly MobileState[]> = {
  CREATED: ['ON_BOARDING', 'FINISHED', 'REJECTED', 'EXPIRED'],
  ON_BOARDING: ['IN_PROGRESS', 'FINISHED', 'REJECTED', 'EXPIRED'],
  IN_PROGRESS: ['FINISHED', 'REJECTED', 'EXPIRED'],
  FINISHED: [],
  REJECTED: [],
  EXPIRED: [],
};

export const OPEN_MOBILE_STATES: readonly MobileState[] = ['CREATED', 'ON_BOARDING', 'IN_PROGRESS'];

export interface MobileIdentification {
  callbackId: string;
  createdAt: Date;
  validity: Date;
  identifierType: IdentifierType;
  identifierValue: string;
  reason: string;
  identificator: string;
  state: MobileState;
  eidCertificatePdf?: Buffer;
  readings: SandboxReadings;
  /** Set once 1.2 answered FINISHED without the certificate (reading `eidCertificate=missing-first`). */
  eidCertificateWithheld?: boolean;
}

export function moveMobile(record: MobileIdentification, to: MobileState): void {
  moveTo(MOBILE_TRANSITIONS, record, to);
}

// Web identification (scenarios 2, 4, 5). COMPLETED lasts while the eID certificate is composed and sealed;
// UNDER_REVIEW while an agent has to approve or reject it (reading `review=manual`); DENIED is an agent's
// denial after the automatic approval; FAILED is a failure step of scenario 5 (control action `fail`).
export type WebState =
  | 'STARTED'
  | 'REGISTERED'
  | 'COMPLETED'
  | 'UNDER_REVIEW'
  | 'IDENTIFIED'
  | 'DENIED'
  | 'REJECTED'
  | 'CANCELLED'
  | 'EXPIRED'
  | 'FAILED';

const WEB_TRANSITIONS: Record<WebState, readonly WebState[]> = {
  STARTED: ['REGISTERED', 'EXPIRED', 'FAILED'],
  REGISTERED: ['COMPLETED', 'REJECTED', 'CANCELLED', 'EXPIRED', 'FAILED'],
  COMPLETED: ['IDENTIFIED', 'UNDER_REVIEW', 'REJECTED'],
  UNDER_REVIEW: ['IDENTIFIED', 'REJECTED', 'EXPIRED', 'FAILED'],
  IDENTIFIED: ['DENIED'],
  DENIED: [],
  REJECTED: [],
  CANCELLED: [],
  EXPIRED: [],
  FAILED: [],
};

export const WEB_FAILURE_STEPS = ['WEB_IDV_REGISTRATION_FAILED', 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED'] as const;
export type WebFailureStep = (typeof WEB_FAILURE_STEPS)[number];
export const FAILURE_REGISTRATION_STATUSES = ['REJECTED', 'EXPIRED', 'STARTED'] as const;
export type FailureRegistrationStatus = (typeof FAILURE_REGISTRATION_STATUSES)[number];

export interface WebFailure {
  step: WebFailureStep;
  /** What 4.1 shows beside the failure step; unset keeps the status the registration had. */
  registrationStatus?: FailureRegistrationStatus;
  /** The registration status when it failed. */
  registrationStatusBefore: string;
}

export interface Registration {
  sessionId: string;
  registrationId: string;
  createdOn: Date;
  expiredOn: Date;
  processedOn?: Date;
  reviewedOn?: Date;
  reviewStatus: 'N_A' | 'FINALIZE_REJECT' | 'ALLOW_DENY' | 'ALLOWED' | 'DENIED';
  userMessageBg?: string;
  successUrl: string;
  cancelUrl: string;
  userLanguage: string;
  verifyEmailAddress: boolean;
  verifyPhoneNumber: boolean;
}

export interface SignSession {
  id: string;
  expiresAt: Date;
  /** The signing currently using it; a signed signing consumes the session and hands out a new one. */
  pendingSigningResultId?: number;
  consumed: boolean;
}

export interface IdentifiedPerson {
  fullName: string;
  egn: string;
}

export interface WebIdentification {
  webSessionId: string;
  resultId: number;
  createdAt: Date;
  webSessionExpireDate: Date;
  requestCallbackUrl: string;
  reason: string;
  state: WebState;
  registration?: Registration;
  person?: IdentifiedPerson;
  clientIdentificator?: string;
  eidCertificatePdf?: Buffer;
  signSession?: SignSession;
  failure?: WebFailure;
  readings: SandboxReadings;
  /** Set once 2.5 answered without the certificate (reading `eidCertificate=missing-first`). */
  eidCertificateWithheld?: boolean;
}

export function moveWeb(record: WebIdentification, to: WebState): void {
  moveTo(WEB_TRANSITIONS, record, to);
}

/**
 * Scenario 5's `{status, step}` of a web identification.
 * Reading: the document lists the values but not which state shows which.
 * Only the failure steps (control action `fail`) show a step ending in
 * _FAILED: a rejection, a cancel and an expiry keep WEB_IDV_REGISTRATION.
 * A cancel shows PROCESS_IS_CANCELED_BY_USER. An agent's review in
 * progress shows IN_PROGRESS. A denial after approval leaves scenario 5 as
 * it was (the process did finish): only scenario 4's review says DENIED.
 */
export function webStatusOf(record: WebIdentification): { status: string; step: string } {
  switch (record.state) {
    case 'STARTED':
      return { status: 'START_WEB_SESSION', step: 'START' };
    case 'REGISTERED':
    case 'REJECTED':
    case 'EXPIRED':
      return { status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION' };
    case 'COMPLETED':
      return { status: 'AUTOMATIC_AGENT_COMPOSE_CLIENT_DOCUMENT', step: 'BORICA_SEAL_FOR_CLIENT_DOCUMENTS' };
    case 'UNDER_REVIEW':
      return { status: 'IN_PROGRESS', step: 'WEB_IDV_REGISTRATION' };
    case 'IDENTIFIED':
    case 'DENIED':
      return { status: 'CREATE_SIGN_SESSION_REQUEST', step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED' };
    case 'CANCELLED':
      return { status: 'PROCESS_IS_CANCELED_BY_USER', step: 'WEB_IDV_REGISTRATION' };
    case 'FAILED':
      return record.failure?.step === 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED'
        ? { status: 'AUTOMATIC_AGENT_COMPOSE_CLIENT_DOCUMENT', step: 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED' }
        : { status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION_FAILED' };
  }
}

/**
 * Scenario 4's registration status of a web identification with a registration.
 * Reading: a cancel by the person is a REJECTED registration that no agent
 * reviewed (N_A); the document has no CANCELLED registration status. An
 * agent's denial after approval makes the registration REJECTED ("DENIED -
 * the registration is rejected by agent").
 */
export function registrationStatusOf(record: WebIdentification): string {
  switch (record.state) {
    case 'STARTED':
    case 'REGISTERED':
      return 'STARTED';
    case 'COMPLETED':
    case 'UNDER_REVIEW':
      return 'COMPLETED';
    case 'IDENTIFIED':
      return 'FINALIZED';
    case 'DENIED':
    case 'REJECTED':
    case 'CANCELLED':
      return 'REJECTED';
    case 'EXPIRED':
      return 'EXPIRED';
    case 'FAILED':
      return record.failure?.registrationStatus ?? record.failure?.registrationStatusBefore ?? 'STARTED';
  }
}

// Signing with a one-time certificate (scenario 3). SIGNING lasts while the certificates are issued and the PDFs signed.
export type SigningState = 'PENDING' | 'SIGNING' | 'SIGNED' | 'REJECTED' | 'EXPIRED';

const SIGNING_TRANSITIONS: Record<SigningState, readonly SigningState[]> = {
  PENDING: ['SIGNING', 'REJECTED', 'EXPIRED'],
  SIGNING: ['SIGNED', 'PENDING'],
  SIGNED: [],
  REJECTED: [],
  EXPIRED: [],
};

/** Reading: the document gives no status for a signing; these follow its status and step lists. */
export const SIGNING_STATUS: Record<SigningState, { status: string; step: string }> = {
  PENDING: { status: 'SIGNING_CLIENT_DOCUMENT', step: 'OTP' },
  SIGNING: { status: 'SIGNING_CLIENT_DOCUMENT', step: 'SIGNING_CLIENT_DOCUMENTS' },
  SIGNED: { status: 'SIGN_SESSION', step: 'SIGNING_WITH_SIGN_SESSION_SUCCESS' },
  REJECTED: { status: 'PROCESS_IS_CANCELED_BY_USER', step: 'SIGNING_CLIENT_DOCUMENTS' },
  EXPIRED: { status: 'SIGNING_CLIENT_DOCUMENT', step: 'OTP' },
};

export interface SignaturePosition {
  imageHeight: number;
  imageWidth: number;
  imageXAxis: number;
  imageYAxis: number;
  pageNumber: number;
}

export interface DocumentToSign {
  content: Buffer;
  fileName: string;
  legalFileName: string;
  padesVisualSignature: boolean;
  signaturePosition?: SignaturePosition;
}

export interface SignedDocument {
  filename: string;
  content: Buffer;
}

export interface Signing {
  resultId: number;
  webSessionId: string;
  signSessionId: string;
  createdAt: Date;
  expireDate: Date;
  pageToken: string;
  smsCode: string;
  documents: DocumentToSign[];
  successUrl: string;
  cancelUrl: string;
  state: SigningState;
  signedDocuments?: SignedDocument[];
  readings: SandboxReadings;
}

export function moveSigning(record: Signing, to: SigningState): void {
  moveTo(SIGNING_TRANSITIONS, record, to);
}

/**
 * The eID certificate an answer carries (1.2 FINISHED, or 2.5 without
 * onlyMetadata). With the reading `eidCertificate=missing-first` the first
 * such answer leaves it out (the document lets it be missing; a client must
 * ask again); `save` keeps that it was left out once.
 */
export function eidCertificateToSend(
  record: { readings: SandboxReadings; eidCertificateWithheld?: boolean; eidCertificatePdf?: Buffer },
  save: () => void,
): Buffer | undefined {
  if (record.readings.eidCertificate === 'missing-first' && !record.eidCertificateWithheld) {
    record.eidCertificateWithheld = true;
    save();
    return undefined;
  }
  return record.eidCertificatePdf;
}

const RETENTION_MS = 24 * 60 * 60 * 1000;
// The document's examples: resultId 95 and 109, requestId 315 and 327.
const FIRST_RESULT_ID = 95;
const FIRST_REQUEST_ID = 301;

export interface IdSequences {
  lastResultId: number;
  lastRequestId: number;
}

/**
 * All records, indexed by every id the wire and the pages use, and kept in
 * the store (a folder, or memory only). Records older than a day are dropped.
 */
export class ProviderRecords {
  readonly mobile = new Map<string, MobileIdentification>();
  readonly webBySessionId = new Map<string, WebIdentification>();
  readonly webByResultId = new Map<number, WebIdentification>();
  readonly webByRegistrationId = new Map<string, WebIdentification>();
  readonly webByRegistrationSessionId = new Map<string, WebIdentification>();
  readonly signingByResultId = new Map<number, Signing>();
  readonly signingByPageToken = new Map<string, Signing>();
  private readonly sequences: IdSequences = { lastResultId: FIRST_RESULT_ID - 1, lastRequestId: FIRST_REQUEST_ID - 1 };

  constructor(private readonly store: RecordStore = MEMORY_ONLY) {
    const stored = store.load();
    Object.assign(this.sequences, stored.sequences);
    for (const record of stored.mobile) this.mobile.set(record.callbackId, record);
    for (const record of stored.web) this.indexWeb(record);
    for (const record of stored.signings) this.indexSigning(record);
  }

  /** Web identifications and signings share one sequence of result ids, as 95 and 109 in the document suggest. */
  nextResultId(): number {
    this.sequences.lastResultId += 1;
    this.store.saveSequences(this.sequences);
    return this.sequences.lastResultId;
  }

  /** The webhooks' requestId. */
  nextRequestId(): number {
    this.sequences.lastRequestId += 1;
    this.store.saveSequences(this.sequences);
    return this.sequences.lastRequestId;
  }

  addMobile(record: MobileIdentification): void {
    this.mobile.set(record.callbackId, record);
    this.saveMobile(record);
  }

  addWeb(record: WebIdentification): void {
    this.indexWeb(record);
    this.saveWeb(record);
  }

  addRegistration(record: WebIdentification, registration: Registration): void {
    record.registration = registration;
    this.indexWeb(record);
    this.saveWeb(record);
  }

  addSigning(record: Signing): void {
    this.indexSigning(record);
    this.saveSigning(record);
  }

  saveMobile(record: MobileIdentification): void {
    this.store.saveMobile(record);
  }

  saveWeb(record: WebIdentification): void {
    this.store.saveWeb(record);
  }

  saveSigning(record: Signing): void {
    this.store.saveSigning(record);
  }

  close(): void {
    this.store.close();
  }

  purgeOlderThanRetention(now: Date): void {
    const oldest = now.getTime() - RETENTION_MS;
    for (const [id, record] of this.mobile) {
      if (record.createdAt.getTime() >= oldest) continue;
      this.mobile.delete(id);
      this.store.removeMobile(record);
    }
    for (const record of [...this.webBySessionId.values()]) {
      if (record.createdAt.getTime() >= oldest) continue;
      this.webBySessionId.delete(record.webSessionId);
      this.webByResultId.delete(record.resultId);
      if (record.registration) {
        this.webByRegistrationId.delete(record.registration.registrationId);
        this.webByRegistrationSessionId.delete(record.registration.sessionId);
      }
      this.store.removeWeb(record);
    }
    for (const record of [...this.signingByResultId.values()]) {
      if (record.createdAt.getTime() >= oldest) continue;
      this.signingByResultId.delete(record.resultId);
      this.signingByPageToken.delete(record.pageToken);
      this.store.removeSigning(record);
    }
  }

  private indexWeb(record: WebIdentification): void {
    this.webBySessionId.set(record.webSessionId, record);
    this.webByResultId.set(record.resultId, record);
    if (record.registration) {
      this.webByRegistrationId.set(record.registration.registrationId, record);
      this.webByRegistrationSessionId.set(record.registration.sessionId, record);
    }
  }

  private indexSigning(record: Signing): void {
    this.signingByResultId.set(record.resultId, record);
    this.signingByPageToken.set(record.pageToken, record);
  }
}
