import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SignJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../../src/config/app-config';
import type { ResolvedAppConfig } from '../../src/config/config.module';
import { createApp } from '../../src/create-app';
import { provisionLocalServices } from '../../src/local-services';
import { freePort } from './free-port';
import { SandboxControl } from './sandbox-control';
import { testCertificates } from './test-certificates';
import { createTestDatabase, TEST_CONNECT_TIMEOUT_MS, TestDatabase } from './test-database';

export interface TestServer {
  app: NestFastifyApplication;
  /** http://127.0.0.1:<port>, where the server really listens (the sandbox calls back here). */
  url: string;
  config: ResolvedAppConfig;
  sandboxPagesUrl: string | undefined;
  database: TestDatabase;
  /**
   * A valid access token for `subject` (HS256, one hour), signed with the
   * AUTH_JWT_SECRET the server was started with; `claims` adds or overrides
   * claims (e.g. `{ roles: ['operator'] }`).
   */
  token(subject: string, claims?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

// Re-exported: the e2e tests take it from here with the server they start.
export { freePort } from './free-port';

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
  // Where the server keeps the sandbox's certificates: issued once per run, not on every start.
  testCertificates(join(dataDir, 'certs'));
  const fullEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: database.url,
    DATABASE_CONNECT_TIMEOUT_MS: String(TEST_CONNECT_TIMEOUT_MS),
    DATA_DIR: dataDir,
    SANDBOX_API_PORT: '0',
    SANDBOX_PAGES_PORT: '0',
    SANDBOX_CALLBACK_DELAY_MS: '20',
    // A test file starts far more identifications per minute than a person would; the limits have their own tests.
    RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '100000',
    RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: '100000',
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
    token: (subject, claims = {}) => signTestToken(services.config.auth, subject, claims),
    stop: async () => {
      await app.close();
      await services.stop();
      if (!options.database) await database.drop();
    },
  };
}

async function signTestToken(auth: ResolvedAppConfig['auth'], subject: string, claims: Record<string, unknown>): Promise<string> {
  if (!auth.jwtSecret) throw new Error('Start the test server with AUTH_JWT_SECRET to get tokens');
  const now = Math.floor(Date.now() / 1000);
  const payload = { sub: subject, iss: auth.issuer, aud: auth.audience, iat: now, exp: now + 3600, ...claims };
  return new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(auth.jwtSecret));
}

/** A test file's server, started before its first test and stopped after its last (see useTestServer). */
export interface SuiteServer extends TestServer {
  /** The control API of the server's own sandbox. */
  sandbox: SandboxControl;
  /** supertest against the server. */
  api(): ReturnType<typeof request>;
  db(): DataSource;
}

export interface SuiteServerOptions {
  extraModules?: Array<Type | DynamicModule>;
  /** Resets the server's sandbox (faults, calls, deliveries, readings) before each test. */
  resetSandboxBeforeEach?: boolean;
  /** A second instance behind the same load balancer: the same database and the same provider as `first`. */
  joins?: SuiteServer;
}

/**
 * The e2e prologue, once: registers the beforeAll that starts the server
 * (startTestServer), the afterAll that stops it and, if asked, the beforeEach
 * that resets its sandbox, in the describe block it is called from. The
 * handle reads through to the running server, so it can be destructured at
 * the top of the block (`const { api, db, sandbox } = server`).
 */
export function useTestServer(env: Record<string, string> = {}, options: SuiteServerOptions = {}): SuiteServer {
  let running: TestServer | undefined;
  let stopped: Promise<void> | undefined;
  const joiners: SuiteServer[] = [];
  const current = (): TestServer => {
    if (!running) throw new Error('The test server is not started: use it inside a test or a hook after useTestServer');
    return running;
  };
  const handle: SuiteServer & { stopOnce(): Promise<void>; joiners: SuiteServer[] } = {
    get app() {
      return current().app;
    },
    get url() {
      return current().url;
    },
    get config() {
      return current().config;
    },
    get sandboxPagesUrl() {
      return current().sandboxPagesUrl;
    },
    get database() {
      return current().database;
    },
    sandbox: new SandboxControl(() => {
      const url = current().sandboxPagesUrl;
      if (!url) throw new Error('This server has no sandbox of its own (BTRUST_BASE_URL was given)');
      return url;
    }),
    token: (subject, claims) => current().token(subject, claims),
    api: () => request(current().url),
    db: () => current().app.get(DataSource),
    stop: () => handle.stopOnce(),
    // A server that others joined stops after them: its stop drops the database they share.
    stopOnce: () => (stopped ??= (async () => {
      for (const joiner of joiners) await joiner.stop();
      await running?.stop();
    })()),
    joiners,
  };
  const first = options.joins as (SuiteServer & { joiners: SuiteServer[] }) | undefined;
  first?.joiners.push(handle);

  beforeAll(async () => {
    running = first
      ? await startTestServer({ ...sameProviderAs(first), ...env }, { extraModules: options.extraModules, database: first.database })
      : await startTestServer(env, { extraModules: options.extraModules });
  });
  afterAll(() => handle.stop());
  if (options.resetSandboxBeforeEach) beforeEach(() => handle.sandbox.reset());
  return handle;
}

/** The B-Trust settings of a running server, for another instance that talks to the same provider. */
export function sameProviderAs(server: TestServer): Record<string, string> {
  const { btrust } = server.config;
  return {
    BTRUST_BASE_URL: btrust.baseUrl,
    BTRUST_RELYING_PARTY_ID: btrust.relyingPartyId,
    BTRUST_CLIENT_CERT: btrust.tls.certPath!,
    BTRUST_CLIENT_KEY: btrust.tls.keyPath!,
    BTRUST_CA: btrust.tls.caPath!,
    BTRUST_IDENTIFICATION_URL: btrust.identificationUrlTemplate,
  };
}
