/**
 * Domain shapes of the B-Trust Signing API v2 as the rest of the server sees them: camelCase,
 * `Date` objects, string ids, decoded documents. The provider's wire names live in src/btrust/wire/.
 *
 * Enumerations list the values the provider documents; a parsed value outside the list is kept
 * as the provider sent it (`Known | (string & {})`), because the provider adds values without notice.
 */

export type BtrustLanguage = 'bg' | 'en';

/** Optional last argument of every client method. */
export interface BtrustCallOptions {
  /** Sent as `Accept-language`; localizes the provider's `message`. */
  language?: BtrustLanguage;
}

export type OpenString<Known extends string> = Known | (string & {});

/** The body `code` of the provider's error answers (the document's "Error answers" table). */
export type BtrustAnswerCode = OpenString<'BAD_REQUEST' | 'UNAUTHORIZED' | 'NOT_FOUND' | 'ERROR' | 'REJECTED'>;

// Scenario 1: mobile identification

export type IdentityDocType = 'EGN' | 'LNC' | 'EMAIL' | 'PHONE';
export type IdentificationPayer = OpenString<'RELYING_PARTY'>;

export interface MobileIdentificationRequest {
  docType: IdentityDocType;
  /** EGN/LNC digits, e-mail or phone; always a string so leading zeros survive. */
  identifier: string;
  /** ISO calendar date, YYYY-MM-DD. */
  dateOfBirth?: string;
  /** E.164, used by the provider for onboarding. */
  phoneNumber?: string;
  /** Used by the provider for onboarding. */
  email?: string;
  /** Who pays for the identification; `RELYING_PARTY` when omitted. */
  payer?: IdentificationPayer;
  reason: string;
}

export interface MobileIdentificationAccepted {
  callbackId: string;
  /** After this instant the request is void; null when the provider's date was unreadable. */
  validUntil: Date | null;
}

/** Scenario 1.2's `status`. */
export type MobileIdentificationProviderStatus = OpenString<'ON_BOARDING' | 'IN_PROGRESS' | 'FINISHED'>;

/**
 * Where a pending mobile identification stands, in our words: the person is still setting up
 * B-Trust MOBILE (ON_BOARDING), or is being identified in it (IN_PROGRESS).
 */
export type MobileIdentificationProgress = 'ENROLLING' | 'IDENTIFYING';

export type MobileIdentificationResult =
  | {
      state: 'PENDING';
      /** The provider's `status` as sent, for the record; null when the answer carried none. */
      providerStatus: MobileIdentificationProviderStatus | null;
      /** Null when the provider's status names no progress we know (or none at all). */
      progress: MobileIdentificationProgress | null;
    }
  | {
      state: 'DONE';
      /** The provider's `status` for a finished identification, for the record. */
      providerStatus: MobileIdentificationProviderStatus;
      /** The eID certificate, a PDF; null when the finished answer came without it (ask again). */
      certificatePdf: Buffer | null;
      /** Organisation the eID is used before. */
      identificationBefore: string | null;
      identificationReason: string | null;
      /** The eID's unique identifier in the relying party's domain; always present with the certificate. */
      identificator: string | null;
    };

// Scenario 2: web (video) identification

export interface WebIdentificationStartRequest {
  /** Where the provider posts status changes (webhook). */
  callbackUrl: string;
  reason: string;
}

export interface WebIdentificationStarted {
  webSessionId: string;
  resultId: string;
  expiresAt: Date | null;
}

export interface RegistrationRequest {
  /** Where the customer lands after rejecting the identification. */
  cancelUrl: string;
  /** Where the customer lands after a successful identification. */
  successUrl: string;
  /** This request's id in our system. */
  externalRef: string;
  /** Language of the provider's identification pages. */
  language: BtrustLanguage;
  verifyEmail: boolean;
  verifyPhone: boolean;
  /** Passed through unchanged; the provider's description of this flag contradicts its name. */
  showGtcGdp: boolean;
  /** Passed through unchanged; the provider's description of this flag contradicts its name. */
  showMainInfo: boolean;
  /** Information about the customer's device/browser; `{}` when omitted. */
  deviceFingerprint?: Record<string, unknown>;
}

export interface Registration {
  /** Builds the customer's redirect link to the video identification site. */
  sessionId: string;
  /** Key for getRegistrationStatus. */
  registrationId: string;
  /** Scenario 4's status of the registration as created; 2.2's answer carries none (see toRegistration). */
  status: RegistrationState;
  createdOn: Date | null;
  expiresOn: Date | null;
  /** Equals the web session id the registration was created for. */
  otcRequestId: string | null;
  serviceName: string | null;
  userLanguage: string | null;
}

export type WebProcessState = OpenString<'CREATE_SIGN_SESSION_REQUEST' | 'SIGN_SESSION'>;

export interface WebIdentificationResultQuery {
  resultId: string;
  /**
   * The webhook's processState, passed on as it came (the document takes it from the callback);
   * left out, the identification's own result state (CREATE_SIGN_SESSION_REQUEST), so that a
   * result can be fetched without a webhook.
   */
  processState?: WebProcessState;
  sessionId: string;
  /** True leaves out the eID certificate; only valid with CREATE_SIGN_SESSION_REQUEST. */
  onlyMetadata: boolean;
}

export interface WebIdentificationResult {
  /** The eID certificate PDF; null when asked for metadata only or when the provider sent none. */
  eidCertificatePdf: Buffer | null;
  clientIdentificator: string;
  signSessionId: string;
  signSessionExpiresAt: Date | null;
}

// Scenario 3: signing with a one-time certificate

export interface VisibleSignaturePlacement {
  /** 1-based page number. */
  page: number;
  /** Upper-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DocumentToSign {
  content: Buffer;
  /** Shown when the customer downloads the document. */
  fileName: string;
  /** Shown on the provider's signing page. */
  title: string;
  /** Present: a visible PAdES signature at this place; absent: an invisible signature. */
  visibleSignature?: VisibleSignaturePlacement;
  /** Qualified long-term preservation; only for relying parties subscribed to it. */
  archive?: boolean;
}

export interface SignSessionRequest {
  /** `clientIdentificator` from the web identification result. */
  identificator: string;
  /** The latest sign session id received (from the web identification or the last signing). */
  signSessionId: string;
  documents: DocumentToSign[];
  emailSignedDocuments: boolean;
  successUrl: string;
  cancelUrl: string;
}

export interface SignSessionStarted {
  /** Where the customer reads the documents and confirms with an SMS code. */
  clientDocumentUrl: string;
  expiresAt: Date | null;
  /** Null when the provider sent none; the signing callback carries it as well. */
  resultId: string | null;
}

export interface SignedDocumentsQuery {
  resultId: string;
  sessionId: string;
}

export interface SignedDocument {
  fileName: string | null;
  content: Buffer;
}

export interface SignedDocuments {
  documents: SignedDocument[];
  clientIdentificator: string | null;
  /** The sign session to use for the next signing; store it and send the latest. */
  signSessionId: string | null;
  signSessionExpiresAt: Date | null;
}

// Scenarios 4 and 5: status queries

export type RegistrationState = OpenString<'STARTED' | 'COMPLETED' | 'FINALIZED' | 'REJECTED' | 'EXPIRED'>;
export type RegistrationReviewStatus = OpenString<'N_A' | 'FINALIZE_REJECT' | 'ALLOW_DENY' | 'ALLOWED' | 'DENIED'>;

export interface RegistrationStatus {
  registrationId: string | null;
  status: RegistrationState;
  reviewStatus: RegistrationReviewStatus | null;
  createdOn: Date | null;
  processedOn: Date | null;
  reviewedOn: Date | null;
  /** The provider's optional message about the registration (Bulgarian). */
  userMessage: string | null;
}

export type WebIdentificationState = OpenString<
  | 'ON_BOARDING'
  | 'REGIX'
  | 'ISSUED_CERTIFICATE'
  | 'IN_PROGRESS'
  | 'SIGNING_CLIENT_DOCUMENT'
  | 'SIGNED_CLIENT_DOCUMENT'
  | 'AUTOMATIC_AGENT_SIGNING_CLIENT_DOCUMENT'
  | 'AUTOMATIC_AGENT_COMPOSE_CLIENT_DOCUMENT'
  | 'AUTOMATIC_AGENT_SIGNED_CLIENT_DOCUMENT'
  | 'PROCESS_IS_FINISHED'
  | 'START_WEB_SESSION'
  | 'CREATE_SIGN_SESSION_REQUEST'
  | 'SIGN_SESSION'
  | 'PROCESS_IS_CANCELED_BY_USER'
  | 'IDENTIFICATION_REQUEST_DATA_AS_JSON'
>;

export type WebIdentificationStep = OpenString<
  | 'PKCS10_REQ_GENERATED'
  | 'SIGNING_CLIENT_DOCUMENTS'
  | 'BORICA_SEAL_FOR_CLIENT_DOCUMENTS'
  | 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED'
  | 'WEB_IDV_REGISTRATION'
  | 'WEB_IDV_REGISTRATION_FAILED'
  | 'START'
  | 'LOGIN'
  | 'OTP'
  | 'CREATE_SIGN_SESSION_ID'
  | 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED'
  | 'SIGNING_WITH_SIGN_SESSION_SUCCESS'
>;

export interface WebIdentificationStatus {
  status: WebIdentificationState;
  step: WebIdentificationStep | null;
}

// Webhook (scenarios 2.4 and 3.2)

/**
 * A status-change notification posted by the provider. It is unauthenticated: a hint to fetch
 * the result over mutual TLS, never evidence in itself.
 */
export interface BtrustCallback {
  requestId: string;
  relyingPartyId: string;
  processState: WebProcessState;
  /** Web session id (identification) or sign session id (signing); goes into the result path. */
  sessionId: string;
  resultId: string;
  providerCode: BtrustAnswerCode | null;
  message: string | null;
  dataMessage: string | null;
}

export interface ClientCertificateInfo {
  subject: string;
  notAfter: Date;
}
