/**
 * The provider's wire format, and the mapping between it and the domain types in
 * btrust.types.ts. Nothing outside src/btrust knows these field names.
 *
 * Tolerant where the document is inconsistent (ids as numbers or strings, envelope present or
 * not, extra fields, unknown enum values, date formats); strict about what the flows rely on
 * (documents, session ids, identifiers), which must be present and well-formed or the answer is
 * refused as UNPROCESSABLE_RESPONSE.
 */
import { randomUUID } from 'node:crypto';
import { DecodedBase64, type JsonPath } from '../common/json/json-with-base64';
import { isMultiLineText, isSingleLineText } from '../common/validation/text';
import { BtrustCallbackFormatError, BtrustError } from './btrust.errors';
import type { ArchiveFlagName } from '../config/app-config';
import {
  DEFAULT_PROVIDER_TIME_ZONE,
  decodeStrictBase64,
  isRecord,
  looksLikePdf,
  parseProviderDate,
  readWireId,
  readWireString,
  toWireDateOfBirth,
} from './btrust-wire-values';
import type {
  BtrustCallback,
  DocumentToSign,
  MobileIdentificationAccepted,
  MobileIdentificationRequest,
  MobileIdentificationProgress,
  MobileIdentificationResult,
  Registration,
  RegistrationRequest,
  RegistrationStatus,
  SignSessionRequest,
  SignSessionStarted,
  SignedDocuments,
  WebIdentificationResult,
  WebIdentificationStartRequest,
  WebIdentificationStarted,
  WebIdentificationStatus,
} from './btrust.types';

export type BtrustOperation =
  | 'identification'
  | 'getIdentificationResult'
  | 'startWebIdentification'
  | 'createRegistration'
  | 'getWebIdentificationResult'
  | 'getSignedDocuments'
  | 'startSignSession'
  | 'getRegistrationStatus'
  | 'getWebIdentificationStatus'
  | 'checkReachable';

/**
 * One HTTP answer from the provider: the status and the body parsed as JSON (undefined if it
 * was not JSON). Large documents at DOCUMENTS_IN_ANSWER may arrive already decoded.
 */
export interface ProviderAnswer {
  operation: BtrustOperation;
  httpStatus: number;
  body: unknown;
}

/**
 * Where an answer carries documents as base64, with and without the envelope (see
 * payloadFields). The client decodes them while parsing the body, so ten signed 10 MB PDFs are
 * never held as the answer's text and its parsed strings next to the decoded documents.
 */
export const DOCUMENTS_IN_ANSWER: Partial<Record<BtrustOperation, readonly JsonPath[]>> = {
  getSignedDocuments: [
    ['data', 'signDocuments', '*', 'contentAsBase64'],
    ['signDocuments', '*', 'contentAsBase64'],
  ],
};

// ---------------------------------------------------------------------------------------------
// Request shapes (what we send)

export interface PersonIdentityDataWire {
  docType: string;
  /** Reading: the seed prints a bare number; a string keeps the leading 0 of EGNs born 2000–2009. */
  identificatorValue: string;
  /** dd-MM-yyyy */
  dateOfBirth?: string;
}

export interface IdentificationRequestWire {
  personIdentityData: PersonIdentityDataWire;
  phoneNumber?: string;
  email?: string;
  payer: string;
  identificationReason: string;
}

export interface WebSessionStartRequestWire {
  requestCallbackUrl: string;
  identificationReason: string;
}

export interface RegistrationRequestWire {
  cancelUrl: string;
  deviceFingerprint: Record<string, unknown>;
  externalRef: string;
  successUrl: string;
  userLanguage: string;
  verifyEmailAddress: boolean;
  verifyPhoneNumber: boolean;
  showGtcGdp: boolean;
  showMainInfo: boolean;
}

export interface SignaturePositionWire {
  imageHeight: number;
  imageWidth: number;
  imageXAxis: number;
  imageYAxis: number;
  pageNumber: number;
}

/**
 * Reading: the seed spells the archive flag `toBeArhieved`; the provider's published OpenAPI
 * description of its sister CQES signing API spells it `toBeArchived`. Which one this API binds
 * is unknown, so the name is configuration (BTRUST_ARCHIVE_FLAG_NAME). The default is
 * `toBeArchived`: a machine-generated description of the provider's own service is better
 * evidence of the field's name than a hand-written document that misspells it, and
 * `toBeArhieved` stays one setting away. Nothing else in the server knows either spelling.
 */
export const DEFAULT_ARCHIVE_FLAG_NAME: ArchiveFlagName = 'toBeArchived';

/** What the wire mapping takes from configuration. */
export interface WireSettings {
  /** IANA zone in which the provider's date-times without an offset are read. */
  localTimeZone: string;
  /** The archive flag's field name in 3.1. */
  archiveFlagName: ArchiveFlagName;
}

export const DEFAULT_WIRE_SETTINGS: WireSettings = {
  localTimeZone: DEFAULT_PROVIDER_TIME_ZONE,
  archiveFlagName: DEFAULT_ARCHIVE_FLAG_NAME,
};

export type DocumentForSignWire = {
  contentAsBase64: string;
  fileName: string;
  legalFileName: string;
  padesVisualSignature: boolean;
  signaturePosition?: SignaturePositionWire;
} & { [flag in ArchiveFlagName]?: boolean };

export interface SignSessionStartRequestWire {
  identificator: string;
  signSessionId: string;
  documentsForSign: DocumentForSignWire[];
  sendSignedDocumentsByEmail: boolean;
  cancelUrl: string;
  successUrl: string;
}

// ---------------------------------------------------------------------------------------------
// Answer shapes (what we receive; every field unverified until mapped)

export interface EnvelopeWire {
  data?: unknown;
  responseCode?: unknown;
  code?: unknown;
  message?: unknown;
  /** Only getIdentificationResult: ON_BOARDING, IN_PROGRESS or FINISHED, beside (not inside) `data`. */
  status?: unknown;
}

export interface IdentificationAcceptedWire {
  callbackId?: unknown;
  validity?: unknown;
}

export interface IdentificationResultDataWire {
  content?: unknown;
  identification_before?: unknown;
  identification_reason?: unknown;
  identificator?: unknown;
  /** Accepted twins of the document's snake_case names. */
  identificationBefore?: unknown;
  identificationReason?: unknown;
}

export interface WebSessionStartedWire {
  webSessionId?: unknown;
  resultId?: unknown;
  webSessionExpireDate?: unknown;
}

/** Not enveloped. */
export interface RegistrationWire {
  sessionId?: unknown;
  registrationId?: unknown;
  createdOn?: unknown;
  expiredOn?: unknown;
  serviceName?: unknown;
  otcRequestId?: unknown;
  userLanguage?: unknown;
}

export interface WebIdentificationResultWire {
  eIDDocAsBase64?: unknown;
  clientIdentificator?: unknown;
  signSessionId?: unknown;
  signSessionIdExpireDate?: unknown;
}

export interface SignSessionStartedWire {
  clientDocumentUrl?: unknown;
  expireDate?: unknown;
  resultId?: unknown;
}

export interface SignedDocumentWire {
  filename?: unknown;
  /** Accepted twin of `filename`; the request side spells it this way. */
  fileName?: unknown;
  contentAsBase64?: unknown;
}

export interface SignedDocumentsWire {
  signDocuments?: unknown;
  clientIdentificator?: unknown;
  signSessionId?: unknown;
  signSessionIdExpireDate?: unknown;
}

/** Not enveloped. */
export interface RegistrationStatusWire {
  createdOn?: unknown;
  processedOn?: unknown;
  registrationId?: unknown;
  reviewStatus?: unknown;
  reviewedOn?: unknown;
  status?: unknown;
  userMessageBg?: unknown;
  /** Accepted in case the provider drops the language suffix. */
  userMessage?: unknown;
}

export interface WebIdentificationStatusWire {
  status?: unknown;
  step?: unknown;
}

export interface CallbackDataWire {
  processState?: unknown;
  sessionId?: unknown;
  resultId?: unknown;
  dataMessage?: unknown;
}

export interface CallbackWire {
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  relyingPartyId?: unknown;
  data?: unknown;
}

// ---------------------------------------------------------------------------------------------
// Requests: domain → wire

function invalidRequest(operation: BtrustOperation, detail: string): BtrustError {
  return new BtrustError({ code: 'BAD_REQUEST', operation, message: `not sent: ${detail}`, notSent: true });
}

function requireText(operation: BtrustOperation, name: string, value: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw invalidRequest(operation, `${name} must be a non-empty string`);
  }
  return value;
}

/**
 * Reading: `payer` defaults to RELYING_PARTY, the only value the document shows. Optional
 * onboarding fields are left out rather than sent empty.
 */
export function toIdentificationRequestWire(request: MobileIdentificationRequest): IdentificationRequestWire {
  const operation = 'identification';
  const personIdentityData: PersonIdentityDataWire = {
    docType: request.docType,
    identificatorValue: requireText(operation, 'identifier', request.identifier),
  };
  if (request.dateOfBirth !== undefined) {
    const dateOfBirth = toWireDateOfBirth(request.dateOfBirth);
    if (dateOfBirth === null) {
      throw invalidRequest(operation, 'dateOfBirth must be a calendar date written YYYY-MM-DD');
    }
    personIdentityData.dateOfBirth = dateOfBirth;
  }
  const wire: IdentificationRequestWire = {
    personIdentityData,
    payer: request.payer ?? 'RELYING_PARTY',
    identificationReason: requireText(operation, 'reason', request.reason),
  };
  if (request.phoneNumber !== undefined) {
    wire.phoneNumber = request.phoneNumber;
  }
  if (request.email !== undefined) {
    wire.email = request.email;
  }
  return wire;
}

export function toWebSessionStartRequestWire(request: WebIdentificationStartRequest): WebSessionStartRequestWire {
  const operation = 'startWebIdentification';
  return {
    requestCallbackUrl: requireText(operation, 'callbackUrl', request.callbackUrl),
    identificationReason: requireText(operation, 'reason', request.reason),
  };
}

export function toRegistrationRequestWire(request: RegistrationRequest): RegistrationRequestWire {
  const operation = 'createRegistration';
  return {
    cancelUrl: requireText(operation, 'cancelUrl', request.cancelUrl),
    deviceFingerprint: request.deviceFingerprint ?? {},
    externalRef: requireText(operation, 'externalRef', request.externalRef),
    successUrl: requireText(operation, 'successUrl', request.successUrl),
    userLanguage: request.language,
    verifyEmailAddress: request.verifyEmail,
    verifyPhoneNumber: request.verifyPhone,
    showGtcGdp: request.showGtcGdp,
    showMainInfo: request.showMainInfo,
  };
}

function toDocumentForSignWire(
  document: DocumentToSign,
  index: number,
  contentAsBase64: string,
  archiveFlagName: ArchiveFlagName,
): DocumentForSignWire {
  const operation = 'startSignSession';
  const where = `documents[${index}]`;
  if (!Buffer.isBuffer(document.content) || document.content.length === 0) {
    throw invalidRequest(operation, `${where}.content must be a non-empty Buffer`);
  }
  const wire: DocumentForSignWire = {
    contentAsBase64,
    fileName: requireText(operation, `${where}.fileName`, document.fileName),
    legalFileName: requireText(operation, `${where}.title`, document.title),
    padesVisualSignature: document.visibleSignature !== undefined,
  };
  const placement = document.visibleSignature;
  if (placement !== undefined) {
    // Reading: the sister API's OpenAPI types height, width and page as integers, the corner as floats.
    const integers = { page: placement.page, width: placement.width, height: placement.height };
    for (const [name, value] of Object.entries(integers)) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw invalidRequest(operation, `${where}.visibleSignature.${name} must be a positive integer`);
      }
    }
    for (const [name, value] of Object.entries({ x: placement.x, y: placement.y })) {
      if (!Number.isFinite(value) || value < 0) {
        throw invalidRequest(operation, `${where}.visibleSignature.${name} must be a non-negative number`);
      }
    }
    wire.signaturePosition = {
      imageHeight: placement.height,
      imageWidth: placement.width,
      imageXAxis: placement.x,
      imageYAxis: placement.y,
      pageNumber: placement.page,
    };
  }
  if (document.archive !== undefined) {
    wire[archiveFlagName] = document.archive;
  }
  return wire;
}

/** A JSON request body, produced piece by piece as it is sent. */
export class JsonRequestBody {
  constructor(
    /** Bytes, for Content-Length. */
    readonly length: number,
    readonly pieces: () => Generator<Buffer>,
  ) {}
}

/**
 * Base64 is produced from this many bytes at a time (a multiple of 3): strings
 * small enough for V8's young generation, so each is freed at once.
 */
const BASE64_PIECE_BYTES = 48 * 1024;

/**
 * The startSignSession body: the same bytes as JSON.stringify of the wire
 * object, but each document is base64-encoded piece by piece as the body is
 * sent. Ten 10 MB documents would otherwise be held as their base64 strings,
 * as the JSON text and as the encoded request buffer at once, next to the
 * documents themselves.
 */
export function toSignSessionStartRequestBody(
  request: SignSessionRequest,
  settings: WireSettings = DEFAULT_WIRE_SETTINGS,
): JsonRequestBody {
  const operation = 'startSignSession';
  if (!Array.isArray(request.documents) || request.documents.length === 0) {
    throw invalidRequest(operation, 'documents must hold at least one document');
  }
  // A placeholder no file name or title can contain marks where each document's base64 goes.
  const placeholder = `${randomUUID()}-document`;
  const wire: SignSessionStartRequestWire = {
    identificator: requireText(operation, 'identificator', request.identificator),
    signSessionId: requireText(operation, 'signSessionId', request.signSessionId),
    documentsForSign: request.documents.map((document, index) =>
      toDocumentForSignWire(document, index, placeholder, settings.archiveFlagName),
    ),
    sendSignedDocumentsByEmail: request.emailSignedDocuments,
    cancelUrl: requireText(operation, 'cancelUrl', request.cancelUrl),
    successUrl: requireText(operation, 'successUrl', request.successUrl),
  };
  const around = JSON.stringify(wire)
    .split(placeholder)
    .map((text) => Buffer.from(text, 'utf8'));
  const contents = request.documents.map((document) => document.content);
  const base64Length = contents.reduce((sum, content) => sum + Math.ceil(content.length / 3) * 4, 0);
  return new JsonRequestBody(around.reduce((sum, piece) => sum + piece.length, 0) + base64Length, function* () {
    yield around[0];
    for (const [index, content] of contents.entries()) {
      for (let from = 0; from < content.length; from += BASE64_PIECE_BYTES) {
        yield Buffer.from(content.toString('base64', from, Math.min(content.length, from + BASE64_PIECE_BYTES)), 'latin1');
      }
      yield around[index + 1];
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Answers: wire → domain

function unprocessable(answer: ProviderAnswer, detail: string): BtrustError {
  return new BtrustError({
    code: 'UNPROCESSABLE_RESPONSE',
    operation: answer.operation,
    httpStatus: answer.httpStatus,
    message: detail,
  });
}

/**
 * Reads the fields of one answer object, typed by its wire shape so that a field name is
 * checked against it; every refusal names the field, never its value.
 */
class AnswerFields<Wire extends object> {
  constructor(
    private readonly answer: ProviderAnswer,
    private readonly fields: Record<string, unknown>,
    private readonly path: string,
    private readonly settings: WireSettings,
  ) {}

  has(name: keyof Wire & string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  private refuse(name: string, problem: string): BtrustError {
    return unprocessable(this.answer, `${this.path}${name} ${problem}`);
  }

  requiredId(name: keyof Wire & string): string {
    const id = readWireId(this.fields[name]);
    if (id === null) {
      throw this.refuse(name, 'is missing or is not a non-empty string or number');
    }
    return id;
  }

  optionalId(name: keyof Wire & string): string | null {
    return readWireId(this.fields[name]);
  }

  requiredString(name: keyof Wire & string): string {
    const value = readWireString(this.fields[name]);
    if (value === null || value.trim() === '') {
      throw this.refuse(name, 'is missing or empty');
    }
    return value;
  }

  optionalString(...names: (keyof Wire & string)[]): string | null {
    for (const name of names) {
      const value = readWireString(this.fields[name]);
      if (value !== null) {
        return value;
      }
    }
    return null;
  }

  date(name: keyof Wire & string): Date | null {
    return parseProviderDate(this.fields[name], this.settings.localTimeZone);
  }

  requiredPdf(name: keyof Wire & string): Buffer {
    const value = this.fields[name];
    if (typeof value !== 'string' && !(value instanceof DecodedBase64)) {
      throw this.refuse(name, 'is missing');
    }
    const content = value instanceof DecodedBase64 ? value.bytes : decodeStrictBase64(value);
    if (content === null) {
      throw this.refuse(name, 'is not valid base64');
    }
    if (!looksLikePdf(content)) {
      throw this.refuse(name, 'is not a PDF document');
    }
    return content;
  }

  optionalPdf(name: keyof Wire & string): Buffer | null {
    return this.has(name) ? this.requiredPdf(name) : null;
  }

  url(name: keyof Wire & string): string {
    const value = this.requiredString(name);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw this.refuse(name, 'is not an absolute URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw this.refuse(name, 'is not an http(s) URL');
    }
    return value;
  }

  raw(name: keyof Wire & string): unknown {
    return this.fields[name];
  }
}

function bodyObject(answer: ProviderAnswer): Record<string, unknown> {
  if (!isRecord(answer.body)) {
    throw unprocessable(answer, 'the body is not a JSON object');
  }
  return answer.body;
}

/**
 * Reading: most answers wrap their payload in `data`; createRegistration and
 * getRegistrationStatus do not. Every answer is read the same way: the payload is `data` when
 * that is an object, otherwise the body itself.
 */
function payloadFields<Wire extends object>(answer: ProviderAnswer, settings: WireSettings): AnswerFields<Wire> {
  const body = bodyObject(answer);
  if (isRecord(body.data)) {
    return new AnswerFields<Wire>(answer, body.data, 'data.', settings);
  }
  return new AnswerFields<Wire>(answer, body, '', settings);
}

export function toMobileIdentificationAccepted(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): MobileIdentificationAccepted {
  const data = payloadFields<IdentificationAcceptedWire>(answer, settings);
  return { callbackId: data.requiredId('callbackId'), validUntil: data.date('validity') };
}

const FINISHED_STATUS = 'FINISHED';

/** Reading: the two progress values 1.2 names; any other value says nothing about the progress. */
const MOBILE_PROGRESS: ReadonlyMap<string, MobileIdentificationProgress> = new Map([
  ['ON_BOARDING', 'ENROLLING'],
  ['IN_PROGRESS', 'IDENTIFYING'],
]);

function pendingMobileIdentification(providerStatus: string | null): MobileIdentificationResult {
  return { state: 'PENDING', providerStatus, progress: providerStatus === null ? null : (MOBILE_PROGRESS.get(providerStatus) ?? null) };
}

/**
 * Reading: a 206 answer means "not finished" whatever else it says, and carries no `data`.
 * A 200 whose `status` is present and not FINISHED is still pending. Any other 200 is finished:
 * with its `content` (which must then be a PDF, with the `identificator`), or without it, as a
 * finished identification whose certificate is missing, so that the caller asks again rather
 * than calling it complete. The snake_case names are the document's; camelCase twins are
 * accepted too.
 */
export function toMobileIdentificationResult(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): MobileIdentificationResult {
  const body: EnvelopeWire = bodyObject(answer);
  const providerStatus = readWireString(body.status);
  if (answer.httpStatus === 206) {
    return pendingMobileIdentification(providerStatus);
  }
  if (providerStatus !== null && providerStatus !== FINISHED_STATUS && !(isRecord(body.data) && body.data.content != null)) {
    return pendingMobileIdentification(providerStatus);
  }
  const data = new AnswerFields<IdentificationResultDataWire>(answer, isRecord(body.data) ? body.data : {}, 'data.', settings);
  const certificatePdf = data.optionalPdf('content');
  return {
    state: 'DONE',
    providerStatus: FINISHED_STATUS,
    certificatePdf,
    identificationBefore: data.optionalString('identification_before', 'identificationBefore'),
    identificationReason: data.optionalString('identification_reason', 'identificationReason'),
    identificator: certificatePdf === null ? data.optionalId('identificator') : data.requiredId('identificator'),
  };
}

export function toWebIdentificationStarted(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): WebIdentificationStarted {
  const data = payloadFields<WebSessionStartedWire>(answer, settings);
  return {
    webSessionId: data.requiredId('webSessionId'),
    resultId: data.requiredId('resultId'),
    expiresAt: data.date('webSessionExpireDate'),
  };
}

/** Reading: 2.2's answer has no status; scenario 4 lists STARTED first, so a registration just created is STARTED. */
const NEW_REGISTRATION_STATE = 'STARTED';

export function toRegistration(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): Registration {
  const data = payloadFields<RegistrationWire>(answer, settings);
  return {
    sessionId: data.requiredId('sessionId'),
    registrationId: data.requiredId('registrationId'),
    status: NEW_REGISTRATION_STATE,
    createdOn: data.date('createdOn'),
    expiresOn: data.date('expiredOn'),
    otcRequestId: data.optionalId('otcRequestId'),
    serviceName: data.optionalString('serviceName'),
    userLanguage: data.optionalString('userLanguage'),
  };
}

/**
 * Reading: `eIDDocAsBase64` is absent with onlyMetadata=true, and an absent one becomes null
 * rather than a failure (the caller knows whether it asked for it); a present one must be a
 * valid base64 PDF. The identificator and the sign session are what the flow continues with.
 */
export function toWebIdentificationResult(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): WebIdentificationResult {
  const data = payloadFields<WebIdentificationResultWire>(answer, settings);
  return {
    eidCertificatePdf: data.optionalPdf('eIDDocAsBase64'),
    clientIdentificator: data.requiredId('clientIdentificator'),
    signSessionId: data.requiredId('signSessionId'),
    signSessionExpiresAt: data.date('signSessionIdExpireDate'),
  };
}

/**
 * Reading: `clientDocumentUrl` is where the customer's browser is sent, so it must be an
 * absolute http(s) URL. `resultId` may be missing without failing the answer: the signing
 * callback carries it as well.
 */
export function toSignSessionStarted(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): SignSessionStarted {
  const data = payloadFields<SignSessionStartedWire>(answer, settings);
  return {
    clientDocumentUrl: data.url('clientDocumentUrl'),
    expiresAt: data.date('expireDate'),
    resultId: data.optionalId('resultId'),
  };
}

/**
 * Reading: the signed documents are what the caller relies on: at least one, each a valid
 * base64 PDF. The file name is informative (`filename` in the document, `fileName` accepted
 * too). The next sign session and the identificator are kept when present but do not fail an
 * answer that carries signed documents.
 */
export function toSignedDocuments(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): SignedDocuments {
  const data = payloadFields<SignedDocumentsWire>(answer, settings);
  const rawDocuments = data.raw('signDocuments');
  if (!Array.isArray(rawDocuments) || rawDocuments.length === 0) {
    throw unprocessable(answer, 'data.signDocuments is missing or empty');
  }
  const documents = rawDocuments.map((raw: unknown, index) => {
    if (!isRecord(raw)) {
      throw unprocessable(answer, `data.signDocuments[${index}] is not an object`);
    }
    const document = new AnswerFields<SignedDocumentWire>(answer, raw, `data.signDocuments[${index}].`, settings);
    return {
      fileName: document.optionalString('filename', 'fileName'),
      content: document.requiredPdf('contentAsBase64'),
    };
  });
  return {
    documents,
    clientIdentificator: data.optionalId('clientIdentificator'),
    signSessionId: data.optionalId('signSessionId'),
    signSessionExpiresAt: data.date('signSessionIdExpireDate'),
  };
}

export function toRegistrationStatus(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): RegistrationStatus {
  const data = payloadFields<RegistrationStatusWire>(answer, settings);
  return {
    registrationId: data.optionalId('registrationId'),
    status: data.requiredString('status'),
    reviewStatus: data.optionalString('reviewStatus'),
    createdOn: data.date('createdOn'),
    processedOn: data.date('processedOn'),
    reviewedOn: data.date('reviewedOn'),
    userMessage: data.optionalString('userMessageBg', 'userMessage'),
  };
}

export function toWebIdentificationStatus(answer: ProviderAnswer, settings: WireSettings = DEFAULT_WIRE_SETTINGS): WebIdentificationStatus {
  const data = payloadFields<WebIdentificationStatusWire>(answer, settings);
  return { status: data.requiredString('status'), step: data.optionalString('step') };
}

// ---------------------------------------------------------------------------------------------
// Callback (webhook body)

const MAX_CALLBACK_VALUE_LENGTH = 200;

function callbackValue(value: unknown, name: string, problems: string[]): string {
  const id = readWireId(value);
  if (id === null) {
    problems.push(`${name} is missing or is not a non-empty string or non-negative integer`);
    return '';
  }
  // Control characters (C0, DEL, C1) would end up in request paths, the database (which refuses NUL) and logs.
  if (id.length > MAX_CALLBACK_VALUE_LENGTH || !isSingleLineText(id)) {
    problems.push(`${name} is longer than ${MAX_CALLBACK_VALUE_LENGTH} characters or holds control characters`);
    return '';
  }
  return id;
}

/**
 * An informative field: absent or a string. Reading: the provider's
 * `message` and `dataMessage` are free text that may span lines, so tabs and
 * line breaks pass there; `code` is a code and passes none. NUL and the other
 * control characters are refused in all three.
 */
function informativeText(value: unknown, name: string, layout: 'single-line' | 'multi-line', problems: string[]): string | null {
  const text = readWireString(value);
  if (text !== null && !(layout === 'single-line' ? isSingleLineText(text) : isMultiLineText(text))) {
    problems.push(`${name} holds control characters`);
    return null;
  }
  return text;
}

/**
 * Validates a body posted to the callback URL (scenarios 2.4 and 3.2).
 *
 * Reading: `requestId`, `relyingPartyId` and `data.resultId` are numbers or strings (the
 * document shows both); `code`, `message` and `data.dataMessage` are informative and may be
 * absent. Throws BtrustCallbackFormatError listing every problem found.
 */
export function parseBtrustCallback(input: unknown): BtrustCallback {
  if (!isRecord(input)) {
    throw new BtrustCallbackFormatError(['the body is not a JSON object']);
  }
  const body: CallbackWire = input;
  const problems: string[] = [];
  const requestId = callbackValue(body.requestId, 'requestId', problems);
  const relyingPartyId = callbackValue(body.relyingPartyId, 'relyingPartyId', problems);
  const data: CallbackDataWire | null = isRecord(body.data) ? body.data : null;
  if (data === null) {
    problems.push('data is missing or is not an object');
  }
  const processState = callbackValue(data?.processState, 'data.processState', problems);
  if (typeof data?.processState === 'number') {
    problems.push('data.processState is a number, not a state name');
  }
  const sessionId = callbackValue(data?.sessionId, 'data.sessionId', problems);
  const resultId = callbackValue(data?.resultId, 'data.resultId', problems);
  const providerCode = informativeText(body.code, 'code', 'single-line', problems);
  const message = informativeText(body.message, 'message', 'multi-line', problems);
  const dataMessage = informativeText(data?.dataMessage, 'data.dataMessage', 'multi-line', problems);
  if (problems.length > 0) {
    throw new BtrustCallbackFormatError(problems);
  }
  return {
    requestId,
    relyingPartyId,
    processState,
    sessionId,
    resultId,
    providerCode,
    message,
    dataMessage,
  };
}
