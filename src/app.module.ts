import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { BtrustModule } from './btrust/btrust.module';
import { CallbacksModule } from './callbacks/callbacks.module';
import { loggerParams } from './common/logging/logging';
import { ProblemFilter } from './common/problem/problem.filter';
import { AppConfigModule, ResolvedAppConfig } from './config/config.module';
import { databaseOptions } from './database/database-options';
import { IdempotencyModule } from './common/idempotency/idempotency.module';
import { HealthModule } from './health/health.module';
import { IdentificationModule } from './identification/identification.module';
import { JobsModule } from './jobs/jobs.module';

@Module({})
export class AppModule {
  /** `extraModules` lets the e2e suite mount probe routes on the real pipeline. */
  static forRoot(config: ResolvedAppConfig, extraModules: Array<Type | DynamicModule> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config.logLevel)),
        TypeOrmModule.forRoot({
          ...databaseOptions(config.database.url, config.database.runMigrationsOnStart),
          // An unreachable database is a start-up error to report, not something to wait out.
          retryAttempts: 0,
        }),
        JobsModule,
        HealthModule,
        BtrustModule,
        IdempotencyModule,
        CallbacksModule,
        IdentificationModule,
        ...extraModules,
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}
