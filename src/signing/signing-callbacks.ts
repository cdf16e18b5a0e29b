import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BtrustError, isProviderAnswer } from '../btrust/btrust.errors';
import { CallbackHandler, CallbackHandlerResult, CallbackHandlers, StoredWebhook } from '../callbacks/callback-handlers';
import { Signing } from './signing.entity';
import { signingMachine } from './signing.state';
import { SigningsService } from './signings.service';

const SIGNING_PROCESS_STATE = 'SIGN_SESSION';

/**
 * Processes signing webhooks (3.2) from the inbox. The callback URL belongs
 * to the web identification whose sign session the signing used; the
 * webhook's ids must name one of its signings, and B-Trust is asked (3.3)
 * before anything changes.
 */
@Injectable()
export class SigningCallbacks implements CallbackHandler, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly handlers: CallbackHandlers,
    private readonly signings: SigningsService,
  ) {}

  onModuleInit(): void {
    this.handlers.register(this);
  }

  handles(processState: string): boolean {
    return processState === SIGNING_PROCESS_STATE;
  }

  async handle(entry: StoredWebhook): Promise<CallbackHandlerResult> {
    const signing = await this.findSigning(entry);
    if (!signing) return { outcome: 'MISMATCH', detail: 'sessionId/resultId name no signing of this identification' };
    if (signingMachine.isFinal(signing.status)) return { outcome: 'NO_CHANGE', detail: `Already ${signing.status}` };
    try {
      const outcome = await this.signings.reconcile(signing, 'callback', {
        resultId: entry.resultId,
        rejected: entry.providerCode === 'REJECTED',
      });
      return outcome?.result === 'moved' ? { outcome: 'APPLIED' } : { outcome: 'NO_CHANGE', detail: 'B-Trust has no outcome yet' };
    } catch (error) {
      // B-Trust unreachable (down, breaker open, TLS): retry this job; its refusal is left to reconciliation.
      if (!(error instanceof BtrustError) || !isProviderAnswer(error)) throw error;
      return { outcome: 'FAILED', detail: `B-Trust ${error.operation}: ${error.code}` };
    }
  }

  /**
   * Reading: the signing webhook's sessionId is the sign session the signing
   * was started with and its resultId is 3.1's resultId. A sign session that
   * B-Trust refused to start stays unused and may serve a later signing, so
   * the resultId decides between several signings of one sign session; a
   * signing whose 3.1 answer carried no resultId matches by sign session alone.
   */
  private async findSigning(entry: StoredWebhook): Promise<Signing | null> {
    const candidates = await this.dataSource.getRepository(Signing).find({
      where: { webIdentificationId: entry.subjectId, signSessionId: entry.sessionId },
      order: { createdAt: 'DESC' },
    });
    return (
      candidates.find((candidate) => candidate.resultId === entry.resultId) ??
      candidates.find((candidate) => candidate.resultId === null && candidate.status === 'PENDING') ??
      null
    );
  }
}
