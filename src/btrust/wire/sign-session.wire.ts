/** Signing (scenario 3): 3.1 the sign session with its documents, and the signed documents. */
import { randomUUID } from 'node:crypto';
import type { JsonPath } from '../../common/json/json-with-base64';
import type { ArchiveFlagName } from '../../config/app-config';
import type { DocumentToSign, SignSessionRequest, SignSessionStarted, SignedDocuments } from '../btrust.types';
import { AnswerFields, payloadFields, unprocessable, type BtrustOperation, type ProviderAnswer } from './provider-answer';
import { invalidRequest, requireText } from './request-checks';
import { isRecord } from './wire-values';
import { DEFAULT_WIRE_SETTINGS, type WireSettings } from './wire-settings';

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

export interface SignaturePositionWire {
  imageHeight: number;
  imageWidth: number;
  imageXAxis: number;
  imageYAxis: number;
  pageNumber: number;
}

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
