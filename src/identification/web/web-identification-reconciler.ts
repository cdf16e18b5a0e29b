import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ReconciliationLoop } from '../../common/reconciliation/reconciliation-loop';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { CasMetrics } from '../../metrics/cas-metrics';
import { WebIdentificationRepository } from './web-identification.repository';
import { webIdentificationMachine } from './web-identification.state';
import { WebIdentificationsService } from './web-identifications.service';

/**
 * Open web identifications (STARTED, UNDER_REVIEW) are checked through scenarios 5 and 4 after the
 * quiet period and then every interval, until they end: past their deadline that ask is the last.
 */
@Injectable()
export class WebIdentificationReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: ReconciliationLoop;

  constructor(
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
    records: WebIdentificationRepository,
    identifications: WebIdentificationsService,
    metrics: CasMetrics,
  ) {
    this.loop = new ReconciliationLoop(config.identification.webReconcile, {
      claimDue: (window) => records.claimDueForReconciliation(window),
      label: 'web identification',
      reconcile: async (id) => {
        const identification = await records.findById(id);
        if (identification === null) return false;
        const outcome = await identifications.reconcile(identification, 'reconcile');
        // A recovery is an outcome reached (a settled state), not a step on the way such as UNDER_REVIEW.
        return outcome?.result === 'moved' && webIdentificationMachine.isSettled(outcome.entity.status);
      },
      onRecovered: () => metrics.reconciliationRecoveries.inc({ entity: webIdentificationMachine.entity }),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }
}
