import { FeatureError } from '../common/problem/feature-error';

export enum CallbackErrorCode {
  /** The body is not a B-Trust status callback. */
  INVALID_CALLBACK = 'INVALID_CALLBACK',
  /** No live endpoint has this address's token. */
  CALLBACK_NOT_FOUND = 'CALLBACK_NOT_FOUND',
}

export class CallbackError extends FeatureError<CallbackErrorCode> {}
