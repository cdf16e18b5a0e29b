import { FeatureError } from '../common/problem/feature-error';

export enum LiveStatusErrorCode {
  /** The owner's, or this instance's, share of live-status streams is taken. */
  TOO_MANY_STREAMS = 'TOO_MANY_STREAMS',
}

export class LiveStatusError extends FeatureError<LiveStatusErrorCode> {}
