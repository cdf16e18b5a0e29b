import type { EntitySubscriberInterface, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { transitionsRecordedIn } from '../common/state-machine/apply-transition';
import { CasMetrics } from './cas-metrics';

/**
 * Counts state transitions when their transaction commits. A commit or
 * rollback of a savepoint inside it is not the end of the transaction, so
 * only the outermost one counts or discards (a savepoint rolled back on its
 * own is therefore still counted; no flow rolls back part of a transition).
 */
export class TransitionCounter implements EntitySubscriberInterface {
  constructor(private readonly metrics: CasMetrics) {}

  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) return;
    const recorded = transitionsRecordedIn(event.queryRunner);
    for (const { entity, state } of recorded) this.metrics.stateTransitions.inc({ entity, state });
    recorded.length = 0;
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (event.queryRunner.isTransactionActive) return;
    transitionsRecordedIn(event.queryRunner).length = 0;
  }
}
