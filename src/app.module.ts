import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { DataSource } from 'typeorm';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { BtrustModule } from './btrust/btrust.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { DataProtectionModule } from './common/crypto/data-protection.module';
import { EventsModule } from './events/events.module';
import { loggerParams } from './common/logging/logging';
import { ProblemFilter } from './common/problem/problem.filter';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { AppConfigModule, ResolvedAppConfig } from './config/config.module';
import { databaseOptions } from './database/database-options';
import { runMigrationsExclusively } from './database/exclusive-migrations';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { HealthModule } from './health/health.module';
import { IdentificationModule } from './identification/identification.module';
import { JobsModule } from './jobs/jobs.module';
import { RetentionModule } from './retention/retention.module';
import { MetricsModule } from './metrics/metrics.module';
import { SigningModule } from './signing/signing.module';

@Module({})
export class AppModule {
  /** `extraModules` lets the e2e suite mount probe routes on the real pipeline. */
  static forRoot(config: ResolvedAppConfig, logger: PinoLogger, extraModules: Array<Type | DynamicModule> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(logger)),
        // Before TypeORM: encrypted columns need their keys from the first query on.
        DataProtectionModule.forRoot(config.personalData),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...databaseOptions(config.database.url, config.database.connectTimeoutMs),
            // An unreachable database is a start-up error to report, not something to wait out.
            retryAttempts: 0,
          }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            if (config.database.runMigrationsOnStart) await runMigrationsExclusively(dataSource);
            return dataSource;
          },
        }),
        MetricsModule.forRoot(config),
        JobsModule,
        HealthModule,
        BtrustModule,
        IdempotencyModule,
        EventsModule,
        RateLimitModule,
        CallbacksModule,
        IdentificationModule,
        SigningModule,
        RetentionModule,
        AuthModule,
        AdminModule,
        ...extraModules,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
