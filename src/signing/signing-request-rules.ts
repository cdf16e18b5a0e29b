import type { FieldProblem } from '../common/problem/problem';
import { SigningError, SigningErrorCode } from './signing.errors';
import type { ActiveContent, PdfInspection, PdfPageSize } from './pdf/pdf-inspection';
import type { PdfLimitExceededError } from './pdf/pdf-limits';
import type { VisibleSignature } from './signing.types';

export interface SigningLimits {
  maxDocumentBytes: number;
  maxDocuments: number;
}

const MEGABYTE = 1024 * 1024;

export function tooManyDocuments(count: number, limits: SigningLimits): SigningError {
  return new SigningError(
    SigningErrorCode.TOO_MANY_DOCUMENTS,
    `A signing takes at most ${limits.maxDocuments} documents; this request has ${count}.`,
    { errors: [{ field: 'documents', codes: ['TOO_MANY_DOCUMENTS'], messages: [`documents must hold at most ${limits.maxDocuments} documents`] }] },
  );
}

export function documentsTooLarge(indexes: number[], limits: SigningLimits): SigningError {
  const limit = `${limits.maxDocumentBytes / MEGABYTE} MiB`;
  return new SigningError(SigningErrorCode.DOCUMENT_TOO_LARGE, `A document may be at most ${limit}.`, {
    errors: indexes.map((index) => ({
      field: `documents.${index}.content`,
      codes: ['DOCUMENT_TOO_LARGE'],
      messages: [`documents.${index} is larger than ${limit}`],
    })),
  });
}

/** A document that parsing would not finish within its bounds: refused before anything is stored or sent. */
export function pdfLimitExceeded(index: number, error: PdfLimitExceededError): SigningError {
  return new SigningError(
    SigningErrorCode.PDF_LIMIT_EXCEEDED,
    `documents.${index}: ${error.message}. The limits are SIGNING_PDF_MAX_INFLATED_MB, SIGNING_PDF_MAX_OBJECTS, SIGNING_PDF_TIMEOUT_MS and SIGNING_PDF_MAX_HEAP_MB.`,
    { limit: error.limit, document: index },
  );
}

/** SIGNING_ACTIVE_CONTENT=refuse: documents with JavaScript or launch actions are not put up for signing. */
export function activeContentRefused(found: Array<{ index: number; activeContent: ActiveContent[] }>): SigningError {
  return new SigningError(
    SigningErrorCode.ACTIVE_CONTENT_REFUSED,
    'A document holds JavaScript or a launch action, which this server does not accept for signing.',
    {
      documents: found,
      errors: found.map(({ index, activeContent }) => ({
        field: `documents.${index}.content`,
        codes: ['ACTIVE_CONTENT'],
        messages: [`documents.${index} holds active content (${activeContent.join(', ')})`],
      })),
    },
  );
}

/** The count and size limits, checked before any document is parsed. */
export function assertWithinLimits(sizes: number[], limits: SigningLimits): void {
  if (sizes.length > limits.maxDocuments) throw tooManyDocuments(sizes.length, limits);
  const tooLarge = sizes.flatMap((size, index) => (size > limits.maxDocumentBytes ? [index] : []));
  if (tooLarge.length > 0) throw documentsTooLarge(tooLarge, limits);
}

/**
 * Two documents with one name could not be told apart when B-Trust returns
 * them (matched by order and file name), nor by the person downloading them.
 */
export function duplicateFileNameProblems(fileNames: string[]): FieldProblem[] {
  const seen = new Set<string>();
  return fileNames.flatMap((fileName, index) => {
    const key = fileName.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      return [];
    }
    return [
      {
        field: `documents.${index}.fileName`,
        codes: ['DUPLICATE_FILE_NAME'],
        messages: [`documents.${index}.fileName repeats the name of an earlier document`],
      },
    ];
  });
}

/**
 * Where the visible signature of one document goes must exist: the page, and
 * the whole box on it.
 *
 * Reading: B-Trust's signaturePosition gives the image's upper-left corner;
 * the box is measured in points from the page's top-left corner over the
 * page's MediaBox as stored, /Rotate not applied (the document says nothing
 * about rotated pages). The box lies inside the page exactly when
 * x + width ≤ page width and y + height ≤ page height, however the vertical
 * axis is oriented.
 */
export function visibleSignatureProblems(index: number, placement: VisibleSignature, inspection: PdfInspection): FieldProblem[] {
  const field = `documents.${index}.visibleSignature`;
  if (placement.page > inspection.pageCount) {
    return [
      {
        field: `${field}.page`,
        codes: ['PAGE_NOT_FOUND'],
        messages: [`${field}.page is ${placement.page} but the document has ${inspection.pageCount} page(s)`],
      },
    ];
  }
  const page: PdfPageSize = inspection.pages[placement.page - 1];
  if (placement.x + placement.width > page.width || placement.y + placement.height > page.height) {
    return [
      {
        field,
        codes: ['OUTSIDE_PAGE'],
        messages: [
          `${field} must lie inside page ${placement.page} (${round(page.width)} × ${round(page.height)} points): ` +
            `x + width and y + height may not exceed it`,
        ],
      },
    ];
  }
  return [];
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The largest JSON signing request: every document at its limit, base64
 * (4 bytes per 3), plus room for the rest of the body.
 */
export function signingRequestBodyLimit(limits: SigningLimits): number {
  return limits.maxDocuments * Math.ceil((limits.maxDocumentBytes * 4) / 3) + MEGABYTE;
}
