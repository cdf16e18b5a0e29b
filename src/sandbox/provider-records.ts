import { IdentifierType } from './person-identifiers';

/**
 * The sandbox's memory: one record per mobile identification, web
 * identification and signing, each with its state machine written as data.
 * Every state change goes through `moveTo`, whatever moved it (the API, a
 * page, the control API or the clock).
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
}

export function moveMobile(record: MobileIdentification, to: MobileState): void {
  moveTo(MOBILE_TRANSITIONS, record, to);
}

// Web identification (scenarios 2, 4, 5). COMPLETED lasts while the eID certificate is composed and sealed.
export type WebState = 'STARTED' | 'REGISTERED' | 'COMPLETED' | 'IDENTIFIED' | 'REJECTED' | 'CANCELLED' | 'EXPIRED';

const WEB_TRANSITIONS: Record<WebState, readonly WebState[]> = {
  STARTED: ['REGISTERED', 'EXPIRED'],
  REGISTERED: ['COMPLETED', 'REJECTED', 'CANCELLED', 'EXPIRED'],
  COMPLETED: ['IDENTIFIED', 'REJECTED'],
  IDENTIFIED: [],
  REJECTED: [],
  CANCELLED: [],
  EXPIRED: [],
};

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
}

export function moveWeb(record: WebIdentification, to: WebState): void {
  moveTo(WEB_TRANSITIONS, record, to);
}

/**
 * Scenario 5's `{status, step}` for each state.
 * Reading: the document lists the values but not which state shows which;
 * the failed and expired registrations keep START_WEB_SESSION with the step
 * WEB_IDV_REGISTRATION_FAILED, a cancel shows PROCESS_IS_CANCELED_BY_USER.
 */
export const WEB_STATUS: Record<WebState, { status: string; step: string }> = {
  STARTED: { status: 'START_WEB_SESSION', step: 'START' },
  REGISTERED: { status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION' },
  COMPLETED: { status: 'AUTOMATIC_AGENT_COMPOSE_CLIENT_DOCUMENT', step: 'BORICA_SEAL_FOR_CLIENT_DOCUMENTS' },
  IDENTIFIED: { status: 'CREATE_SIGN_SESSION_REQUEST', step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED' },
  REJECTED: { status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION_FAILED' },
  CANCELLED: { status: 'PROCESS_IS_CANCELED_BY_USER', step: 'WEB_IDV_REGISTRATION_FAILED' },
  EXPIRED: { status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION_FAILED' },
};

/**
 * Scenario 4's registration status for each state.
 * Reading: a cancel by the person is a REJECTED registration that no agent
 * reviewed (N_A); the document has no CANCELLED registration status.
 */
export const REGISTRATION_STATUS: Record<Exclude<WebState, 'STARTED'>, string> = {
  REGISTERED: 'STARTED',
  COMPLETED: 'COMPLETED',
  IDENTIFIED: 'FINALIZED',
  REJECTED: 'REJECTED',
  CANCELLED: 'REJECTED',
  EXPIRED: 'EXPIRED',
};

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
}

export function moveSigning(record: Signing, to: SigningState): void {
  moveTo(SIGNING_TRANSITIONS, record, to);
}

const RETENTION_MS = 24 * 60 * 60 * 1000;

/** All records, indexed by every id the wire and the pages use. Records older than a day are dropped. */
export class ProviderRecords {
  readonly mobile = new Map<string, MobileIdentification>();
  readonly webBySessionId = new Map<string, WebIdentification>();
  readonly webByResultId = new Map<number, WebIdentification>();
  readonly webByRegistrationId = new Map<string, WebIdentification>();
  readonly webByRegistrationSessionId = new Map<string, WebIdentification>();
  readonly signingByResultId = new Map<number, Signing>();
  readonly signingByPageToken = new Map<string, Signing>();
  private lastResultId = 94;

  /** Web identifications and signings share one sequence of result ids, as 95 and 109 in the document suggest. */
  nextResultId(): number {
    this.lastResultId += 1;
    return this.lastResultId;
  }

  addWeb(record: WebIdentification): void {
    this.webBySessionId.set(record.webSessionId, record);
    this.webByResultId.set(record.resultId, record);
  }

  addRegistration(record: WebIdentification, registration: Registration): void {
    record.registration = registration;
    this.webByRegistrationId.set(registration.registrationId, record);
    this.webByRegistrationSessionId.set(registration.sessionId, record);
  }

  addSigning(record: Signing): void {
    this.signingByResultId.set(record.resultId, record);
    this.signingByPageToken.set(record.pageToken, record);
  }

  purgeOlderThanRetention(now: Date): void {
    const oldest = now.getTime() - RETENTION_MS;
    for (const [id, record] of this.mobile) {
      if (record.createdAt.getTime() < oldest) this.mobile.delete(id);
    }
    for (const record of [...this.webBySessionId.values()]) {
      if (record.createdAt.getTime() >= oldest) continue;
      this.webBySessionId.delete(record.webSessionId);
      this.webByResultId.delete(record.resultId);
      if (record.registration) {
        this.webByRegistrationId.delete(record.registration.registrationId);
        this.webByRegistrationSessionId.delete(record.registration.sessionId);
      }
    }
    for (const record of [...this.signingByResultId.values()]) {
      if (record.createdAt.getTime() >= oldest) continue;
      this.signingByResultId.delete(record.resultId);
      this.signingByPageToken.delete(record.pageToken);
    }
  }
}
