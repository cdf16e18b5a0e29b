import { FeatureError } from '../common/problem/feature-error';

export enum SigningErrorCode {
  /** A signed document is asked for before the signing is SIGNED. */
  NOT_SIGNED = 'NOT_SIGNED',
  /** The identification already has a signing waiting for the person (or one whose outcome is unknown). */
  SIGNING_IN_PROGRESS = 'SIGNING_IN_PROGRESS',
  TOO_MANY_DOCUMENTS = 'TOO_MANY_DOCUMENTS',
  DOCUMENT_TOO_LARGE = 'DOCUMENT_TOO_LARGE',
  MALFORMED_MULTIPART = 'MALFORMED_MULTIPART',
  /** Parsing a document would cross one of the SIGNING_PDF_* bounds. */
  PDF_LIMIT_EXCEEDED = 'PDF_LIMIT_EXCEEDED',
  /** A document holds JavaScript or a launch action and SIGNING_ACTIVE_CONTENT=refuse. */
  ACTIVE_CONTENT_REFUSED = 'ACTIVE_CONTENT_REFUSED',
  /** An operator's resolve names a resultId another signing of the identification already has. */
  RESULT_ID_IN_USE = 'RESULT_ID_IN_USE',
}

export class SigningError extends FeatureError<SigningErrorCode> {}
