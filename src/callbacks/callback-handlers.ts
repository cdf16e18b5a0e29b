import { Injectable } from '@nestjs/common';
import type { CallbackInboxEntry, CallbackOutcome } from './callback-inbox.entity';

/** What a handler gets of a stored webhook. */
export type StoredWebhook = Pick<CallbackInboxEntry, 'id' | 'subjectId' | 'processState' | 'sessionId' | 'resultId' | 'providerCode'>;

export interface CallbackHandlerResult {
  outcome: Exclude<CallbackOutcome, 'PENDING'>;
  detail?: string;
}

/** A feature's processing of the webhooks it is responsible for. */
export interface CallbackHandler {
  /** Which `processState` values this handler takes. */
  handles(processState: string): boolean;
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

  find(processState: string): CallbackHandler | undefined {
    return this.handlers.find((handler) => handler.handles(processState));
  }
}
