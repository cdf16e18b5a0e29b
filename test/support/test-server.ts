import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadAppConfig } from '../../src/config/app-config';
import type { ResolvedAppConfig } from '../../src/config/config.module';
import { createApp } from '../../src/create-app';
import { provisionLocalServices } from '../../src/local-services';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestServer {
  app: NestFastifyApplication;
  /** http://127.0.0.1:<port>, where the server really listens (the sandbox calls back here). */
  url: string;
  config: ResolvedAppConfig;
  sandboxPagesUrl: string | undefined;
  database: TestDatabase;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The real server, as `npm start` builds it, on its own fresh database and
 * (unless BTRUST_BASE_URL is given) its own sandbox over mutual TLS.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  options: { extraModules?: Array<Type | DynamicModule>; database?: TestDatabase } = {},
): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'btrust-cas-e2e-'));
  const fullEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    SANDBOX_API_PORT: '0',
    SANDBOX_PAGES_PORT: '0',
    SANDBOX_CALLBACK_DELAY_MS: '20',
    ...env,
  };
  const services = await provisionLocalServices(loadAppConfig(fullEnv), fullEnv);
  let app: NestFastifyApplication;
  try {
    app = await createApp(services.config, { extraModules: options.extraModules });
    await app.listen({ port, host: '127.0.0.1' });
  } catch (error) {
    await services.stop();
    throw error;
  }
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config: services.config,
    sandboxPagesUrl: services.sandboxPagesUrl,
    database,
    stop: async () => {
      await app.close();
      await services.stop();
      if (!options.database) await database.drop();
    },
  };
}
