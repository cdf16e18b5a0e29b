import { FeatureError } from '../../common/problem/feature-error';

export enum WebIdentificationErrorCode {
  /** The eID certificate is asked for, or a signing started, before the identification is IDENTIFIED. */
  NOT_IDENTIFIED = 'NOT_IDENTIFIED',
  /** The registration is asked for, but B-Trust never created one. */
  NO_REGISTRATION = 'NO_REGISTRATION',
  /** An agent denied the identification after approving it: it can no longer sign. */
  IDENTIFICATION_DENIED = 'IDENTIFICATION_DENIED',
  /** The identification's sign session has run out: the person must be identified again to sign. */
  SIGN_SESSION_EXPIRED = 'SIGN_SESSION_EXPIRED',
  /** B-Trust could not be asked, right before a signing, whether the identification is still approved. */
  IDENTIFICATION_STATUS_UNAVAILABLE = 'IDENTIFICATION_STATUS_UNAVAILABLE',
}

export class WebIdentificationError extends FeatureError<WebIdentificationErrorCode> {}
