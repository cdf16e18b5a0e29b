import { FeatureError } from '../../common/problem/feature-error';

export enum MobileIdentificationErrorCode {
  /** The eID certificate is asked for before the identification is COMPLETED. */
  NOT_COMPLETED = 'NOT_COMPLETED',
  /** An operator's resolve names a callbackId other than the one recorded. */
  CALLBACK_ID_MISMATCH = 'CALLBACK_ID_MISMATCH',
  /** An operator's resolve names a callbackId another identification polls. */
  CALLBACK_ID_IN_USE = 'CALLBACK_ID_IN_USE',
}

export class MobileIdentificationError extends FeatureError<MobileIdentificationErrorCode> {}
