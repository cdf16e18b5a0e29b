import { Injectable, OnModuleInit } from '@nestjs/common';
import { BtrustError, isProviderAnswer } from '../../btrust/btrust.errors';
import { CallbackHandler, CallbackHandlerResult, CallbackHandlers, StoredWebhook } from '../../callbacks/callback-handlers';
import type { WebIdentification } from './web-identification.entity';
import { WebIdentificationRepository } from './web-identification.repository';
import { webIdentificationMachine } from './web-identification.state';
import { WebIdentificationsService } from './web-identifications.service';

/**
 * Processes identification webhooks from the inbox. A webhook is a hint: it
 * is tied to its identification by the callback URL and 2.1's resultId, and
 * B-Trust is asked over mutual TLS before anything changes.
 */
@Injectable()
export class WebIdentificationCallbacks implements CallbackHandler, OnModuleInit {
  readonly concerns = 'IDENTIFICATION';

  constructor(
    private readonly records: WebIdentificationRepository,
    private readonly handlers: CallbackHandlers,
    private readonly identifications: WebIdentificationsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  async handle(entry: StoredWebhook): Promise<CallbackHandlerResult> {
    // Most webhooks in a burst are repeats for an identification already final: those are settled
    // by this one read, and only an open one is loaded whole for the provider calls.
    const current = await this.records.findWebhookSubject(entry.subjectId, entry.sessionId);
    if (!current) return { outcome: 'MISMATCH', detail: 'No identification for this callback URL' };
    // Reading: the resultId is 2.1's; the sessionId may be any id of the flow (recorded below).
    if (entry.resultId !== current.resultId) return { outcome: 'MISMATCH', detail: "resultId is not this identification's" };
    if (webIdentificationMachine.isFinal(current.status)) {
      return { outcome: 'NO_CHANGE', detail: `Already ${current.status}`, sessionIdMatch: current.sessionIdMatch };
    }
    const identification = await this.records.getById(entry.subjectId);
    const moved = await this.confirm(identification, entry);
    // Asked after B-Trust answered: a sessionId that names the sign session 2.5 just handed out is known by now.
    return { outcome: moved ? 'APPLIED' : 'NO_CHANGE', sessionIdMatch: await this.records.sessionIdMatchOf(entry.subjectId, entry.sessionId) };
  }

  /** Fetches the announced result (2.5), or asks where the process stands; true when the identification moved. */
  private async confirm(identification: WebIdentification, entry: StoredWebhook): Promise<boolean> {
    try {
      if (entry.reading.resultAnnounced) {
        const outcome = await this.identifications.confirmIdentified(identification, 'callback');
        return outcome.result === 'moved';
      }
    } catch (error) {
      // Only B-Trust's own answer that there is no result falls back to asking where the process
      // stands; anything about the channel (timeouts, an open breaker, TLS) is retried by the job.
      if (!(error instanceof BtrustError) || !isProviderAnswer(error)) throw error;
    }
    const outcome = await this.identifications.reconcile(identification, 'callback');
    return outcome?.result === 'moved';
  }
}
