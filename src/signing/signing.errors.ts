import { FeatureError } from '../common/problem/feature-error';

export enum SigningErrorCode {
  /** A signed document is asked for before the signing is SIGNED. */
  NOT_SIGNED = 'NOT_SIGNED',
  /** A signing is started on an identification that is not IDENTIFIED. */
  NOT_IDENTIFIED = 'NOT_IDENTIFIED',
  SIGN_SESSION_EXPIRED = 'SIGN_SESSION_EXPIRED',
  /** The identification already has a signing waiting for the person. */
  SIGNING_IN_PROGRESS = 'SIGNING_IN_PROGRESS',
  TOO_MANY_DOCUMENTS = 'TOO_MANY_DOCUMENTS',
  DOCUMENT_TOO_LARGE = 'DOCUMENT_TOO_LARGE',
  MALFORMED_MULTIPART = 'MALFORMED_MULTIPART',
}

export class SigningError extends FeatureError<SigningErrorCode> {}
