import { IDENTIFIER_TYPES, IdentifierType, isCalendarDate, isValidEgn, isValidLnc } from './person-identifiers';
import { DocumentToSign, SignaturePosition } from './provider-records';
import { badRequest } from './provider-refusal';

/**
 * Checks of the API's request bodies. Each parser returns the typed request
 * or throws a BAD_REQUEST refusal whose reason names the field (never its value).
 */

export interface IdentificationRequest {
  identifierType: IdentifierType;
  identifierValue: string;
  dateOfBirth: string;
  reason: string;
}

export interface WebIdentificationStartRequest {
  requestCallbackUrl: string;
  identificationReason: string;
}

export interface RegistrationRequest {
  successUrl: string;
  cancelUrl: string;
  userLanguage: string;
  verifyEmailAddress: boolean;
  verifyPhoneNumber: boolean;
}

export interface SignSessionStartRequest {
  identificator: string;
  signSessionId: string;
  documents: DocumentToSign[];
  successUrl: string;
  cancelUrl: string;
  /** The spellings of the archive flag the documents carry (checked against the `archiveFlag` reading). */
  archiveFlagNames: string[];
}

const MAX_DOCUMENTS = 20;
const ARCHIVE_FLAG_NAMES = ['toBeArchived', 'toBeArhieved'] as const;

/**
 * Reading: the seed marks no body field optional. The sandbox requires what
 * the flow cannot work without (the person's identifier, date of birth,
 * payer, reason) and accepts a missing phone number or email, which only
 * matter for onboarding; when present they must be well formed.
 */
export function parseIdentificationRequest(body: unknown): IdentificationRequest {
  const root = objectAt(body, 'body');
  const person = objectAt(root.personIdentityData, 'personIdentityData');
  const identifierType = person.docType;
  if (!IDENTIFIER_TYPES.includes(identifierType as IdentifierType)) {
    throw badRequest('personIdentityData.docType is not EGN, LNC, EMAIL or PHONE');
  }
  // Reading: the seed prints identificatorValue as a bare number, so a number is accepted too.
  const rawValue = person.identificatorValue;
  const identifierValue =
    typeof rawValue === 'number' && Number.isSafeInteger(rawValue) ? String(rawValue) : stringAt(rawValue, 'personIdentityData.identificatorValue');
  if (!identifierMatchesType(identifierType as IdentifierType, identifierValue)) {
    throw badRequest('personIdentityData.identificatorValue does not match docType');
  }
  const dateOfBirth = stringAt(person.dateOfBirth, 'personIdentityData.dateOfBirth');
  const date = /^(\d{2})-(\d{2})-(\d{4})$/.exec(dateOfBirth);
  if (!date || !isCalendarDate(Number(date[3]), Number(date[2]), Number(date[1]))) {
    throw badRequest('personIdentityData.dateOfBirth is not a dd-MM-yyyy date');
  }
  if (root.phoneNumber !== undefined && !/^\+?[1-9]\d{6,14}$/.test(stringAt(root.phoneNumber, 'phoneNumber'))) {
    throw badRequest('phoneNumber is not an E.164 number');
  }
  if (root.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(stringAt(root.email, 'email'))) {
    throw badRequest('email is not an email address');
  }
  if (root.payer !== 'RELYING_PARTY') {
    throw badRequest('payer is not RELYING_PARTY');
  }
  return {
    identifierType: identifierType as IdentifierType,
    identifierValue,
    dateOfBirth,
    reason: stringAt(root.identificationReason, 'identificationReason'),
  };
}

export function parseWebIdentificationStartRequest(body: unknown): WebIdentificationStartRequest {
  const root = objectAt(body, 'body');
  return {
    requestCallbackUrl: urlAt(root.requestCallbackUrl, 'requestCallbackUrl'),
    identificationReason: stringAt(root.identificationReason, 'identificationReason'),
  };
}

export function parseRegistrationRequest(body: unknown): RegistrationRequest {
  const root = objectAt(body, 'body');
  if (root.deviceFingerprint !== undefined) objectAt(root.deviceFingerprint, 'deviceFingerprint');
  if (root.externalRef !== undefined) stringAt(root.externalRef, 'externalRef', { allowEmpty: true });
  const userLanguage = root.userLanguage === undefined ? 'bg' : root.userLanguage;
  if (userLanguage !== 'bg' && userLanguage !== 'en') {
    throw badRequest('userLanguage is not bg or en');
  }
  for (const flag of ['showGtcGdp', 'showMainInfo'] as const) {
    if (root[flag] !== undefined) booleanAt(root[flag], flag);
  }
  return {
    successUrl: urlAt(root.successUrl, 'successUrl'),
    cancelUrl: urlAt(root.cancelUrl, 'cancelUrl'),
    userLanguage,
    verifyEmailAddress: root.verifyEmailAddress === undefined ? false : booleanAt(root.verifyEmailAddress, 'verifyEmailAddress'),
    verifyPhoneNumber: root.verifyPhoneNumber === undefined ? false : booleanAt(root.verifyPhoneNumber, 'verifyPhoneNumber'),
  };
}

export function parseSignSessionStartRequest(body: unknown): SignSessionStartRequest {
  const root = objectAt(body, 'body');
  const list = root.documentsForSign;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_DOCUMENTS) {
    throw badRequest(`documentsForSign is not a list of 1 to ${MAX_DOCUMENTS} documents`);
  }
  if (root.sendSignedDocumentsByEmail !== undefined) booleanAt(root.sendSignedDocumentsByEmail, 'sendSignedDocumentsByEmail');
  return {
    identificator: stringAt(root.identificator, 'identificator'),
    signSessionId: stringAt(root.signSessionId, 'signSessionId'),
    documents: list.map((item, index) => parseDocument(item, `documentsForSign[${index}]`)),
    successUrl: urlAt(root.successUrl, 'successUrl'),
    cancelUrl: urlAt(root.cancelUrl, 'cancelUrl'),
    archiveFlagNames: ARCHIVE_FLAG_NAMES.filter((flag) => list.some((item) => (item as Record<string, unknown>)[flag] !== undefined)),
  };
}

function parseDocument(value: unknown, field: string): DocumentToSign {
  const document = objectAt(value, field);
  const content = base64PdfAt(document.contentAsBase64, `${field}.contentAsBase64`);
  const padesVisualSignature =
    document.padesVisualSignature === undefined ? false : booleanAt(document.padesVisualSignature, `${field}.padesVisualSignature`);
  // Reading: the seed spells the archive flag `toBeArhieved`, B-Trust's sister API `toBeArchived`; which one is
  // accepted is the `archiveFlag` reading (both by default), checked by the signing flow.
  for (const flag of ARCHIVE_FLAG_NAMES) {
    if (document[flag] !== undefined) booleanAt(document[flag], `${field}.${flag}`);
  }
  const signaturePosition =
    document.signaturePosition === undefined ? undefined : parsePosition(document.signaturePosition, `${field}.signaturePosition`);
  if (padesVisualSignature && !signaturePosition) {
    throw badRequest(`${field}.signaturePosition is required with padesVisualSignature`);
  }
  return {
    content,
    fileName: stringAt(document.fileName, `${field}.fileName`),
    legalFileName: stringAt(document.legalFileName, `${field}.legalFileName`),
    padesVisualSignature,
    signaturePosition,
  };
}

function parsePosition(value: unknown, field: string): SignaturePosition {
  const position = objectAt(value, field);
  const numberAt = (name: keyof SignaturePosition, check: (n: number) => boolean): number => {
    const n = position[name];
    if (typeof n !== 'number' || !Number.isFinite(n) || !check(n)) {
      throw badRequest(`${field}.${name} is out of range`);
    }
    return n;
  };
  return {
    imageHeight: numberAt('imageHeight', (n) => Number.isInteger(n) && n > 0),
    imageWidth: numberAt('imageWidth', (n) => Number.isInteger(n) && n > 0),
    imageXAxis: numberAt('imageXAxis', (n) => n >= 0),
    imageYAxis: numberAt('imageYAxis', (n) => n >= 0),
    pageNumber: numberAt('pageNumber', (n) => Number.isInteger(n) && n >= 1),
  };
}

function identifierMatchesType(type: IdentifierType, value: string): boolean {
  switch (type) {
    case 'EGN':
      return isValidEgn(value);
    case 'LNC':
      return isValidLnc(value);
    case 'EMAIL':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
    case 'PHONE':
      return /^\+?[1-9]\d{6,14}$/.test(value);
  }
}

function objectAt(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${field} is not an object`);
  }
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, field: string, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== 'string' || (!options.allowEmpty && value.trim() === '')) {
    throw badRequest(`${field} is missing or not a string`);
  }
  return value;
}

function booleanAt(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw badRequest(`${field} is not a boolean`);
  return value;
}

function urlAt(value: unknown, field: string): string {
  const text = stringAt(value, field);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badRequest(`${field} is not an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badRequest(`${field} is not an http(s) URL`);
  }
  return text;
}

/** Strict base64 (line breaks tolerated, as MIME encoders add them) of bytes that start like a PDF. */
function base64PdfAt(value: unknown, field: string): Buffer {
  const text = stringAt(value, field).replace(/\r?\n/g, '');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw badRequest(`${field} is not base64`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw badRequest(`${field} is not a PDF`);
  }
  return bytes;
}
