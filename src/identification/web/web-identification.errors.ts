import { FeatureError } from '../../common/problem/feature-error';

export enum WebIdentificationErrorCode {
  /** The eID certificate is asked for before the identification is IDENTIFIED. */
  NOT_IDENTIFIED = 'NOT_IDENTIFIED',
  /** The registration is asked for, but B-Trust never created one. */
  NO_REGISTRATION = 'NO_REGISTRATION',
}

export class WebIdentificationError extends FeatureError<WebIdentificationErrorCode> {}
