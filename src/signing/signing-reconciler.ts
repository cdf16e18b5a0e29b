import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ReconciliationLoop } from '../common/reconciliation/reconciliation-loop';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from '../metrics/cas-metrics';
import { SigningRepository } from './signing.repository';
import { signingMachine } from './signing.state';
import { SigningReconciliationService } from './signing-reconciliation.service';

/**
 * Signings still PENDING after the quiet period are checked with B-Trust
 * (3.3) on the web identifications' schedule (WEB_RECONCILE_*).
 */
@Injectable()
export class SigningReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: ReconciliationLoop;

  constructor(
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
    records: SigningRepository,
    signings: SigningReconciliationService,
    metrics: CasMetrics,
  ) {
    this.loop = new ReconciliationLoop(config.identification.webReconcile, {
      claimDue: (window) => records.claimDueForReconciliation(window),
      label: 'signing',
      reconcile: async (id) => {
        const signing = await records.findById(id);
        return signing !== null && (await signings.reconcile(signing, 'reconcile'))?.result === 'moved';
      },
      onRecovered: () => metrics.reconciliationRecoveries.inc({ entity: signingMachine.entity }),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
