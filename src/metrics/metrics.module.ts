import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { IdentificationModule } from '../identification/identification.module';
import { SigningModule } from '../signing/signing.module';
import { CasMetrics } from './cas-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsExporter } from './metrics-exporter';
import { MetricsLifecycle } from './metrics-lifecycle';

/** Global, so any feature can inject CasMetrics and count what it does. */
@Global()
@Module({})
export class MetricsModule {
  /** With METRICS_PORT set, /metrics lives only on that listener and the main port does not serve it. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MetricsModule,
      // The open-record gauges count through the feature repositories.
      imports: [IdentificationModule, SigningModule],
      controllers: config.metrics.port === undefined ? [MetricsController] : [],
      providers: [CasMetrics, MetricsExporter, MetricsLifecycle],
      exports: [CasMetrics],
    };
  }
}
