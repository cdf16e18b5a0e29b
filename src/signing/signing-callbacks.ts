import { Injectable, OnModuleInit } from '@nestjs/common';
import { BtrustError, isProviderAnswer } from '../btrust/btrust.errors';
import { CallbackHandler, CallbackHandlerResult, CallbackHandlers, StoredWebhook, WebhookVerdict } from '../callbacks/callback-handlers';
import { WebIdentificationRepository } from '../identification/web/web-identification.repository';
import { Signing } from './signing.entity';
import { SigningRepository } from './signing.repository';
import { signingMachine } from './signing.state';
import { SigningReconciliationService } from './signing-reconciliation.service';

/**
 * Processes signing webhooks (3.2) from the inbox. The callback URL belongs
 * to the web identification whose sign session the signing used; the
 * webhook's resultId must name one of its signings, and B-Trust is asked
 * (3.3) before anything changes.
 */
@Injectable()
export class SigningCallbacks implements CallbackHandler, OnModuleInit {
  readonly concerns = 'SIGNING';

  constructor(
    private readonly records: SigningRepository,
    private readonly webIdentificationRecords: WebIdentificationRepository,
    private readonly handlers: CallbackHandlers,
    private readonly signings: SigningReconciliationService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async handle(entry: StoredWebhook): Promise<CallbackHandlerResult> {
    const signing = await this.findSigning(entry);
    if (!signing) return { outcome: 'MISMATCH', detail: 'resultId names no signing of this identification' };
    const result = await this.confirm(signing, entry);
    // Asked after 3.3 answered: a sessionId that names the sign session 3.3 just handed back is known by now.
    return { ...result, sessionIdMatch: await this.webIdentificationRecords.sessionIdMatchOf(entry.subjectId, entry.sessionId) };
  }

  private async confirm(signing: Signing, entry: StoredWebhook): Promise<WebhookVerdict> {
    if (signingMachine.isFinal(signing.status)) return { outcome: 'NO_CHANGE', detail: `Already ${signing.status}` };
    try {
      const outcome = await this.signings.reconcile(signing, 'callback', { resultId: entry.resultId, rejected: entry.reading.refusalHinted });
      return outcome?.result === 'moved' ? { outcome: 'APPLIED' } : { outcome: 'NO_CHANGE', detail: 'B-Trust has no outcome yet' };
    } catch (error) {
      // B-Trust unreachable (down, breaker open, TLS): retry this job; its refusal is left to reconciliation.
      if (!(error instanceof BtrustError) || !isProviderAnswer(error)) throw error;
      return { outcome: 'FAILED', detail: `B-Trust ${error.operation}: ${error.code}` };
    }
  }

  /**
   * Reading: the signing webhook's resultId is 3.1's resultId, and its
   * sessionId is the sign session the signing used in one of the document's
   * examples and the next one in another, so the resultId alone ties it. A
   * signing whose 3.1 answer carried no resultId has nothing to tie by but its
   * sign session, and is matched only when the webhook names that one.
   */
  private async findSigning(entry: StoredWebhook): Promise<Signing | null> {
    return (
      (await this.records.findByResultId(entry.subjectId, entry.resultId)) ??
      (await this.records.findPendingWithoutResultId(entry.subjectId, entry.sessionId))
    );
  }
}
