export { BtrustPort } from './btrust-port';
export { BtrustClient, type BtrustClientOptions, type BtrustLogger, type BtrustTlsOptions } from './btrust.client';
export {
  BTRUST_ERROR_CODES,
  BtrustCallbackFormatError,
  BtrustError,
  isRetryableBtrustErrorCode,
  type BtrustErrorCode,
} from './btrust.errors';
export type { AnswerClass } from './btrust-reading-policy';
export { parseBtrustCallback } from './wire/webhook.wire';
export type * from './btrust.types';
export { readWebhook, type WebhookConcern, type WebhookReading } from './btrust-webhook-reading';
