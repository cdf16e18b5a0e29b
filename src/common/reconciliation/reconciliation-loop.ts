import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const BATCH = 50;

/**
 * Claims up to $3 rows still in one of the open statuses $4, created more
 * than $1 seconds ago and not checked in the last $2 seconds, and stamps
 * them checked. The statement is written once per reconciled table, with
 * the table's name in its text, since an identifier cannot be a parameter;
 * `last_reconciled_at` is this loop's own column on each of them.
 */
const CLAIM_DUE_SQL = {
  web_identifications: `UPDATE web_identifications SET last_reconciled_at = now()
          WHERE id IN (
            SELECT id FROM web_identifications
             WHERE status = ANY($4::text[])
               AND created_at < now() - make_interval(secs => $1)
               AND (last_reconciled_at IS NULL OR last_reconciled_at < now() - make_interval(secs => $2))
             ORDER BY last_reconciled_at NULLS FIRST
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
          RETURNING id`,
  signings: `UPDATE signings SET last_reconciled_at = now()
          WHERE id IN (
            SELECT id FROM signings
             WHERE status = ANY($4::text[])
               AND created_at < now() - make_interval(secs => $1)
               AND (last_reconciled_at IS NULL OR last_reconciled_at < now() - make_interval(secs => $2))
             ORDER BY last_reconciled_at NULLS FIRST
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
          RETURNING id`,
} as const;

export type ReconciledTable = keyof typeof CLAIM_DUE_SQL;

export interface ReconciliationTarget {
  /** Table whose open rows are checked. */
  table: ReconciledTable;
  /** The status (or statuses) of rows still waiting for the provider. */
  openStatus: string | readonly string[];
  /** How logs name a row, e.g. "web identification". */
  label: string;
  /** Asks the provider about one row and applies the answer; true when the row moved. */
  reconcile(id: string): Promise<boolean>;
  /** Called for each row the loop moved (for metrics). */
  onRecovered?(id: string): void;
}

/**
 * Recovers missed webhooks: rows still open after a quiet period are checked
 * with the provider on a schedule. Each instance claims rows with
 * SKIP LOCKED and stamps `last_reconciled_at`, so several instances share
 * the work without doubling it, and one slow round never overlaps the next.
 */
export class ReconciliationLoop {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly timing: { quietPeriodMs: number; intervalMs: number },
    private readonly target: ReconciliationTarget,
  ) {
    this.logger = new Logger(`Reconciliation(${target.table})`);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.runOnce().finally(() => (this.running = undefined));
    }, this.timing.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runOnce(): Promise<void> {
    const { table, openStatus, label } = this.target;
    let claimed: Array<{ id: string }>;
    try {
      [claimed] = await this.dataSource.query(
        CLAIM_DUE_SQL[table],
        [this.timing.quietPeriodMs / 1000, this.timing.intervalMs / 1000, BATCH, typeof openStatus === 'string' ? [openStatus] : openStatus],
      );
    } catch (error) {
      this.logger.error({ err: error }, `Could not claim ${label}s to reconcile`);
      return;
    }
    for (const { id } of claimed) {
      try {
        if (await this.target.reconcile(id)) {
          this.target.onRecovered?.(id);
          this.logger.log({ id }, `Reconciliation recovered a ${label}`);
        }
      } catch (error) {
        this.logger.warn({ id, err: error }, `Reconciling a ${label} failed; will retry`);
      }
    }
  }
}
