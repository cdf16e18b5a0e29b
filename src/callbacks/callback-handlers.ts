import { Injectable } from '@nestjs/common';
import type { WebhookConcern, WebhookReading } from '../btrust/btrust-webhook-reading';
import type { CallbackInboxEntry, CallbackOutcome, SessionIdMatch } from './callback-inbox.entity';

/** What a handler gets of a stored webhook: its ids and the client's reading of it. */
export type StoredWebhook = Pick<CallbackInboxEntry, 'id' | 'subjectId' | 'sessionId' | 'resultId'> & { reading: WebhookReading };

/** What became of a webhook its flow took. */
export interface WebhookVerdict {
  outcome: Exclude<CallbackOutcome, 'PENDING' | 'MISMATCH'>;
  detail?: string;
}

export type CallbackHandlerResult =
  /** sessionIdMatch: which of the flow's ids the webhook's sessionId turned out to be, once B-Trust was asked. */
  | (WebhookVerdict & { sessionIdMatch: SessionIdMatch })
  /** The webhook's resultId names nothing this handler's flow knows; another handler may know it. */
  | { outcome: 'MISMATCH'; detail: string };

/** A feature's processing of the webhooks it is responsible for. */
export interface CallbackHandler {
  /** The flow this handler owns. */
  readonly concerns: WebhookConcern;
  handle(entry: StoredWebhook): Promise<CallbackHandlerResult>;
}

/**
 * Features register here (identification, signing), so the callbacks module
 * routes webhooks without depending on any feature.
 */
@Injectable()
export class CallbackHandlers {
  private readonly handlers: CallbackHandler[] = [];

  register(handler: CallbackHandler): void {
    this.handlers.push(handler);
  }

  /**
   * Every handler, the one for the flow the webhook's processState names
   * first. A webhook is tied to its flow by its URL and resultId, so when
   * that flow does not know the resultId the others are asked in turn.
   */
  inOrderFor(concerns: WebhookConcern): CallbackHandler[] {
    return [...this.handlers].sort((a, b) => Number(b.concerns === concerns) - Number(a.concerns === concerns));
  }
}
