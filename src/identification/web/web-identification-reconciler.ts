import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { CasMetrics } from '../../metrics/cas-metrics';
import { WebIdentification } from './web-identification.entity';
import { webIdentificationMachine } from './web-identification.state';
import { WebIdentificationsService } from './web-identifications.service';

const BATCH = 50;

/**
 * Recovers missed webhooks: web identifications still STARTED after a quiet
 * period are checked with B-Trust on a schedule. Each instance claims rows
 * with SKIP LOCKED, so several instances share the work without doubling it.
 */
@Injectable()
export class WebIdentificationReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebIdentificationReconciler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly identifications: WebIdentificationsService,
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
        `UPDATE web_identifications SET last_reconciled_at = now()
          WHERE id IN (
            SELECT id FROM web_identifications
             WHERE status = 'STARTED'
               AND created_at < now() - make_interval(secs => $1)
               AND (last_reconciled_at IS NULL OR last_reconciled_at < now() - make_interval(secs => $2))
             ORDER BY last_reconciled_at NULLS FIRST
             LIMIT $3
             FOR UPDATE SKIP LOCKED)
          RETURNING id`,
        [quietPeriodMs / 1000, intervalMs / 1000, BATCH],
      );
    } catch (error) {
      this.logger.error({ err: error }, 'Could not claim web identifications to reconcile');
      return;
    }
    for (const { id } of claimed) {
      const identification = await this.dataSource.getRepository(WebIdentification).findOneBy({ id });
      if (!identification) continue;
      try {
        const outcome = await this.identifications.reconcile(identification, 'reconcile');
        if (outcome?.result === 'moved') {
          this.metrics.reconciliationRecoveries.inc({ entity: webIdentificationMachine.entity });
          this.logger.log({ id, status: outcome.entity.status }, 'Reconciliation recovered a web identification');
        }
      } catch (error) {
        this.logger.warn({ id, err: error }, 'Reconciling a web identification failed; will retry');
      }
    }
  }
}
