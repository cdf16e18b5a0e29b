import { randomBytes } from 'node:crypto';
import { Global, Module, type DynamicModule, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BtrustPort } from '../../src/btrust/btrust-port';
import { DataProtectionModule } from '../../src/common/crypto/data-protection.module';
import { loadAppConfig } from '../../src/config/app-config';
import { AppConfigModule, type ResolvedAppConfig } from '../../src/config/config.module';
import { runMigrationsExclusively } from '../../src/database/exclusive-migrations';
import { databaseOptions } from '../../src/database/database-options';
import { FakeBtrustClient } from './fake-btrust-client';
import { createTestDatabase, TEST_CONNECT_TIMEOUT_MS, type TestDatabase } from './test-database';

/** What a service spec gets: its providers on a migrated database of its own, and the fake provider. */
export interface ServiceModule {
  module: TestingModule;
  btrust: FakeBtrustClient;
  config: ResolvedAppConfig;
  dataSource: DataSource;
  get<T>(type: Type<T>): T;
}

export interface ServiceModuleOptions {
  /** The providers under test and the real collaborators they inject. */
  providers: Provider[];
  imports?: ModuleMetadata['imports'];
  /** Configuration as the environment would give it, over the tier's defaults. */
  env?: Record<string, string>;
}

/**
 * Boots the Nest providers under test — no HTTP, no sandbox — on a fresh,
 * migrated database of the suite's PostgreSQL, with B-Trust replaced at the
 * port by a FakeBtrustClient, for the describe block it is called in. The
 * handle's fields are there from the block's first test on.
 */
export function useServiceModule(options: ServiceModuleOptions): ServiceModule {
  let started: (ServiceModule & { database: TestDatabase }) | undefined;
  const handle = () => {
    if (!started) throw new Error('The service module is not started: use it inside a test');
    return started;
  };
  beforeAll(async () => {
    started = await startServiceModule(options);
  });
  afterAll(async () => {
    await started?.module.close();
    await started?.database.drop();
  });
  return {
    get module() {
      return handle().module;
    },
    get btrust() {
      return handle().btrust;
    },
    get config() {
      return handle().config;
    },
    get dataSource() {
      return handle().dataSource;
    },
    get: (type) => handle().module.get(type),
  };
}

async function startServiceModule(options: ServiceModuleOptions): Promise<ServiceModule & { database: TestDatabase }> {
  const database = await createTestDatabase();
  try {
    const config = serviceConfig(database.url, options.env ?? {});
    const btrust = new FakeBtrustClient();
    const module = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot(config),
        DataProtectionModule.forRoot(config.personalData),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...databaseOptions(config.database.url, config.database.connectTimeoutMs), retryAttempts: 0 }),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runMigrationsExclusively(dataSource);
            return dataSource;
          },
        }),
        fakeBtrustModule(btrust),
        ...(options.imports ?? []),
      ],
      providers: options.providers,
    }).compile();
    await module.init();
    return { module, btrust, config, dataSource: module.get(DataSource), database, get: (type) => module.get(type) };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/**
 * The fake under the port only: the features inject BtrustPort, so a service
 * that reached for the concrete client would fail to resolve here.
 */
function fakeBtrustModule(fake: FakeBtrustClient): DynamicModule {
  @Global()
  @Module({})
  class FakeBtrustModule {}
  return {
    module: FakeBtrustModule,
    providers: [{ provide: BtrustPort, useValue: fake }],
    exports: [BtrustPort],
  };
}

/** The configuration loader's own reading of a test environment, resolved as start-up would resolve it. */
function serviceConfig(databaseUrl: string, env: Record<string, string>): ResolvedAppConfig {
  const config = loadAppConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    DATABASE_CONNECT_TIMEOUT_MS: String(TEST_CONNECT_TIMEOUT_MS),
    // Never reached or read: the fake stands at the port.
    BTRUST_BASE_URL: 'https://btrust.invalid/signing-api/v2',
    BTRUST_RELYING_PARTY_ID: '24102167',
    BTRUST_CLIENT_CERT: 'unused-client.crt',
    BTRUST_CLIENT_KEY: 'unused-client.key',
    DATA_ENCRYPTION_KEYS: `service:${randomBytes(32).toString('base64')}`,
    DATA_INDEX_KEY: randomBytes(32).toString('base64'),
    SHUTDOWN_TIMEOUT_MS: '1000',
    ...env,
  });
  return {
    ...config,
    database: { ...config.database, url: databaseUrl },
    btrust: { ...config.btrust, baseUrl: config.btrust.baseUrl!, relyingPartyId: config.btrust.relyingPartyId! },
  };
}
