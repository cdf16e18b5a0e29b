import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from '../metrics/cas-metrics';
import { Signing } from './signing.entity';
import { signingMachine } from './signing.state';
import { SigningsService } from './signings.service';

const BATCH = 50;

/**
 * Recovers missed webhooks: signings still PENDING after a quiet period are
 * checked with B-Trust (3.3) on the web identifications' schedule
 * (WEB_RECONCILE_*). Each instance claims rows with SKIP LOCKED, so several
 * instances share the work without doubling it.
 */
@Injectable()
export class SigningReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SigningReconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly signings: SigningsService,
    private readonly metrics: CasMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.reconcileDue().finally(() => (this.running = undefined));
    }, this.config.identification.webReconcile.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async reconcileDue(): Promise<void> {
    const { quietPeriodMs, intervalMs } = this.config.identification.webReconcile;
    let claimed: Array<{ id: string }>;
    try {
      [claimed] = await this.dataSource.query(
        `UPDATE signings SET last_reconciled_at = now()
          WHERE id IN (
            SELECT id FROM signings
             WHERE status = 'PENDING'
               AND created_at < now() - make_interval(secs => $1)
               AND (last_reconciled_at IS NULL OR last_reconciled_at < now() - make_interval(secs => $2))
             ORDER BY last_reconciled_at NULLS FIRST
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
          RETURNING id`,
        [quietPeriodMs / 1000, intervalMs / 1000, BATCH],
      );
    } catch (error) {
      this.logger.error({ err: error }, 'Could not claim signings to reconcile');
      return;
    }
    for (const { id } of claimed) {
      const signing = await this.dataSource.getRepository(Signing).findOneBy({ id });
      if (!signing) continue;
      try {
        const outcome = await this.signings.reconcile(signing, 'reconcile');
        if (outcome?.result === 'moved') {
          this.metrics.reconciliationRecoveries.inc({ entity: signingMachine.entity });
          this.logger.log({ id, status: outcome.entity.status }, 'Reconciliation recovered a signing');
        }
      } catch (error) {
        this.logger.warn({ id, err: error }, 'Reconciling a signing failed; will retry');
      }
    }
  }
}
