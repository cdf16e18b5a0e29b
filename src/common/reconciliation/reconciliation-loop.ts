import { Logger } from '@nestjs/common';

const BATCH = 50;

/** How long a row waits after creation before its first check, and between checks (seconds). */
export interface ReconciliationWindow {
  quietPeriodSeconds: number;
  intervalSeconds: number;
  limit: number;
}

export interface ReconciliationTarget {
  /** How logs name a row, e.g. "web identification". */
  label: string;
  /**
   * Claims up to `limit` open rows due for a check and stamps them checked, so that other
   * instances skip them: the aggregate's repository owns the statement.
   */
  claimDue(window: ReconciliationWindow): Promise<string[]>;
  /** Asks the provider about one row and applies the answer; true when the row moved. */
  reconcile(id: string): Promise<boolean>;
  /** Called for each row the loop moved (for metrics). */
  onRecovered?(id: string): void;
}

/**
 * Recovers missed webhooks: rows still open after a quiet period are checked
 * with the provider on a schedule. Each instance claims rows with
 * SKIP LOCKED and stamps `last_reconciled_at` (the repositories'
 * `claimDueForReconciliation`), so several instances share the work without
 * doubling it, and one slow round never overlaps the next.
 */
export class ReconciliationLoop {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly timing: { quietPeriodMs: number; intervalMs: number },
    private readonly target: ReconciliationTarget,
  ) {
    this.logger = new Logger(`Reconciliation(${target.label})`);
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
    const { label } = this.target;
    let claimed: string[];
    try {
      claimed = await this.target.claimDue({
        quietPeriodSeconds: this.timing.quietPeriodMs / 1000,
        intervalSeconds: this.timing.intervalMs / 1000,
        limit: BATCH,
      });
    } catch (error) {
      this.logger.error({ err: error }, `Could not claim ${label}s to reconcile`);
      return;
    }
    for (const id of claimed) {
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
