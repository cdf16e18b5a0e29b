import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, BtrustConfig, DatabaseConfig } from './app-config';

/** The configuration once start-up has filled in what it provisions (database, sandbox). */
export interface ResolvedAppConfig extends AppConfig {
  database: DatabaseConfig & { url: string };
  btrust: BtrustConfig & { baseUrl: string; relyingPartyId: string };
  /** The built-in sandbox's person-facing pages, when the server started it (the demo links to them). */
  sandboxPagesUrl?: string;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class AppConfigModule {
  static forRoot(config: ResolvedAppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
