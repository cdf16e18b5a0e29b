import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BtrustError, isProviderAnswer } from '../../btrust/btrust.errors';
import { CallbackHandler, CallbackHandlerResult, CallbackHandlers, StoredWebhook } from '../../callbacks/callback-handlers';
import { postgresPool } from '../../database/postgres-pool';
import { WebIdentification } from './web-identification.entity';
import { webIdentificationMachine } from './web-identification.state';
import { WebIdentificationsService } from './web-identifications.service';

/** Sign-session webhooks belong to signing; every other processState is about the identification. */
const SIGNING_PROCESS_STATE = 'SIGN_SESSION';

/**
 * Processes identification webhooks from the inbox. A webhook is a hint: its
 * ids must match the record B-Trust gave us, and B-Trust is asked over
 * mutual TLS before anything changes.
 */
@Injectable()
export class WebIdentificationCallbacks implements CallbackHandler, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly handlers: CallbackHandlers,
    private readonly identifications: WebIdentificationsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  handles(processState: string): boolean {
    return processState !== SIGNING_PROCESS_STATE;
  }

  async handle(entry: StoredWebhook): Promise<CallbackHandlerResult> {
    // Most webhooks in a burst are repeats for an identification already final: those are settled
    // from three columns, and only an open one is loaded whole for the provider calls.
    const { rows } = await postgresPool(this.dataSource).query<Pick<WebIdentification, 'status' | 'webSessionId' | 'resultId'>>(
      'SELECT status, web_session_id AS "webSessionId", result_id AS "resultId" FROM web_identifications WHERE id = $1',
      [entry.subjectId],
    );
    const [current] = rows;
    if (!current) return { outcome: 'MISMATCH', detail: 'No identification for this callback URL' };
    // Reading: the identification webhook carries 2.1's webSessionId and resultId.
    if (entry.sessionId !== current.webSessionId || entry.resultId !== current.resultId) {
      return { outcome: 'MISMATCH', detail: 'sessionId/resultId do not belong to this identification' };
    }
    if (webIdentificationMachine.isFinal(current.status)) {
      return { outcome: 'NO_CHANGE', detail: `Already ${current.status}` };
    }
    const identification = await this.dataSource.getRepository(WebIdentification).findOneByOrFail({ id: entry.subjectId });

    try {
      if (entry.processState === 'CREATE_SIGN_SESSION_REQUEST' && entry.providerCode !== 'REJECTED') {
        const outcome = await this.identifications.confirmIdentified(identification, 'callback');
        return { outcome: outcome.result === 'moved' ? 'APPLIED' : 'NO_CHANGE' };
      }
    } catch (error) {
      // Only B-Trust's own answer that there is no result falls back to asking where the process
      // stands; anything about the channel (timeouts, an open breaker, TLS) is retried by the job.
      if (!(error instanceof BtrustError) || !isProviderAnswer(error)) throw error;
    }
    const outcome = await this.identifications.reconcile(identification, 'callback');
    return { outcome: outcome?.result === 'moved' ? 'APPLIED' : 'NO_CHANGE' };
  }
}
