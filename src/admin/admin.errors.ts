import { FeatureError } from '../common/problem/feature-error';

export enum AdminErrorCode {
  /** A list's cursor names no record of its kind. */
  INVALID_CURSOR = 'INVALID_CURSOR',
}

export class AdminError extends FeatureError<AdminErrorCode> {}
