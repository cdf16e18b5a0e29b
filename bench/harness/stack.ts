import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { DevCertificateFiles } from '../../src/sandbox/pki/dev-certificates';
import { freePort } from '../../test/support/free-port';
import { SandboxControl } from '../../test/support/sandbox-control';
import type { BaselineDetails, BaselineSettings } from '../processes/baseline-main';
import type { SandboxProcessDetails, SandboxProcessSettings } from '../processes/sandbox-main';
import { createDatabase, dropDatabase, type BenchPostgres } from './environment';
import { RunningProcess, startBenchProcess, startServerProcess } from './processes';
import type { BenchSettings } from './settings';

export const RELYING_PARTY_ID = '24102167';
const BENCH_SUBJECT = 'bench-user';

/** What lives for the whole run and every scenario shares. */
export interface BenchContext {
  settings: BenchSettings;
  postgres: BenchPostgres;
  certificates: DevCertificateFiles;
  /** Logs, server data directories and CPU profiles of this run. */
  scratchDir: string;
  loadGenerator: RunningProcess;
  /** Write a CPU profile of every server process into scratchDir/profiles. */
  cpuProfile: boolean;
  log(message: string): void;
}

export interface StackOptions {
  /** Names the database and the log files. */
  name: string;
  /** Server variables on top of the bench defaults. */
  serverEnv?: Record<string, string>;
  sandboxMobileValidityMs?: number;
  withBaseline?: boolean;
}

/**
 * One scenario group's world: a fresh database, a sandbox process, the server
 * process talking to it over mutual TLS, and (optionally) the bare baselines
 * on the same database and sandbox.
 */
export class BenchStack {
  private constructor(
    readonly name: string,
    readonly databaseName: string,
    readonly databaseUrl: string,
    readonly serverUrl: string,
    private currentServer: RunningProcess,
    private readonly restartServerProcess: (logSuffix: string) => Promise<RunningProcess>,
    readonly sandboxProcess: RunningProcess,
    readonly sandboxUrls: SandboxProcessDetails,
    readonly sandbox: SandboxControl,
    private currentBaseline: { process: RunningProcess; details: BaselineDetails } | undefined,
    private readonly restartBaselineProcess: ((logSuffix: string) => Promise<{ process: RunningProcess; details: BaselineDetails }>) | undefined,
    /** Sent with every API request; the server verifies it once authentication is configured. */
    readonly authHeaders: Record<string, string>,
    private readonly context: BenchContext,
  ) {}

  /** Numbers the log files of restarted processes. */
  private restarts = 0;

  static async start(context: BenchContext, options: StackOptions): Promise<BenchStack> {
    const started: RunningProcess[] = [];
    const databaseName = `bench_${options.name}`;
    try {
      const databaseUrl = await createDatabase(context.postgres.adminUrl, databaseName);
      const logs = join(context.scratchDir, 'logs');
      const { certificates } = context;

      const sandbox = await startBenchProcess<SandboxProcessDetails>('sandbox', 'sandbox-main', {
        logFile: join(logs, `${options.name}-sandbox.log`),
        env: {
          BENCH_SANDBOX_SETTINGS: JSON.stringify({
            relyingPartyId: RELYING_PARTY_ID,
            callbackDelayMs: 20,
            mobileIdentificationValidityMs: options.sandboxMobileValidityMs ?? 30 * 60_000,
            certificates,
          } satisfies SandboxProcessSettings),
        },
      });
      started.push(sandbox.process);
      context.log(`  sandbox ready (pid ${sandbox.process.pid})`);

      // HS256 is the shared-secret path of the server's bearer-token verification; without an auth
      // module the token is ignored and requests act as the development user.
      const secret = randomBytes(32).toString('hex');
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(BENCH_SUBJECT)
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(new TextEncoder().encode(secret));

      const port = await freePort();
      const serverUrl = `http://127.0.0.1:${port}`;
      const dataDir = join(context.scratchDir, 'data', options.name);
      mkdirSync(dataDir, { recursive: true });
      const profileDir = join(context.scratchDir, 'profiles', options.name);
      if (context.cpuProfile) mkdirSync(profileDir, { recursive: true });
      const startServer = (logSuffix: string) =>
        startServerProcess(
          {
            PATH: process.env.PATH ?? '',
            NODE_ENV: 'test',
            // The production default: every request writes an access-log line (to a file here).
            LOG_LEVEL: 'info',
            HOST: '127.0.0.1',
            PORT: String(port),
            PUBLIC_BASE_URL: serverUrl,
            DATA_DIR: dataDir,
            DATABASE_URL: databaseUrl,
            BTRUST_BASE_URL: sandbox.details.apiBaseUrl,
            BTRUST_RELYING_PARTY_ID: RELYING_PARTY_ID,
            BTRUST_CLIENT_CERT: certificates.clientCert,
            BTRUST_CLIENT_KEY: certificates.clientKey,
            BTRUST_CA: certificates.caCert,
            BTRUST_IDENTIFICATION_URL: sandbox.details.identificationUrlTemplate,
            BTRUST_SIGNING_TRUST_ANCHORS: certificates.caCert,
            AUTH_JWT_SECRET: secret,
            // The per-user and per-IP limits on paid creations would turn a load test into a 429 test.
            RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '100000',
            RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: '100000',
            ...options.serverEnv,
          },
          { logFile: join(logs, `${options.name}-server${logSuffix}.log`), url: serverUrl, cpuProfileDir: context.cpuProfile ? profileDir : undefined, cwd: dataDir },
        );
      const server = await startServer('');
      started.push(server);
      context.log(`  server ready at ${serverUrl} (pid ${server.pid})`);

      let baseline: { process: RunningProcess; details: BaselineDetails } | undefined;
      // After the server: the baselines use the tables its migrations created.
      const startBaseline = options.withBaseline
        ? (logSuffix: string) =>
            startBenchProcess<BaselineDetails>('baseline', 'baseline-main', {
              logFile: join(logs, `${options.name}-baseline${logSuffix}.log`),
              env: {
                BENCH_BASELINE_SETTINGS: JSON.stringify({
                  databaseUrl,
                  sandbox: {
                    apiBaseUrl: sandbox.details.apiBaseUrl,
                    relyingPartyId: RELYING_PARTY_ID,
                    certPath: certificates.clientCert,
                    keyPath: certificates.clientKey,
                    caPath: certificates.caCert,
                  },
                  bodyLimitBytes: 512 * 1024 * 1024,
                } satisfies BaselineSettings),
              },
            })
        : undefined;
      if (startBaseline) {
        baseline = await startBaseline('');
        started.push(baseline.process);
        context.log(`  baselines ready (pid ${baseline.process.pid})`);
      }

      return new BenchStack(
        options.name,
        databaseName,
        databaseUrl,
        serverUrl,
        server,
        startServer,
        sandbox.process,
        sandbox.details,
        new SandboxControl(sandbox.details.pagesBaseUrl),
        baseline,
        startBaseline,
        { authorization: `Bearer ${token}` },
        context,
      );
    } catch (error) {
      for (const process of started.reverse()) await process.stop();
      throw error;
    }
  }

  get server(): RunningProcess {
    return this.currentServer;
  }

  get baseline(): { process: RunningProcess; details: BaselineDetails } | undefined {
    return this.currentBaseline;
  }

  /**
   * Stops the server and starts a fresh process on the same database and
   * sandbox: for figures (such as peak memory) that a process which has
   * already served the same work would understate.
   */
  async restartServer(): Promise<RunningProcess> {
    await this.currentServer.stop();
    this.restarts++;
    this.currentServer = await this.restartServerProcess(`-${this.restarts}`);
    return this.currentServer;
  }

  /** The same for the bare baselines. */
  async restartBaseline(): Promise<{ process: RunningProcess; details: BaselineDetails }> {
    if (!this.currentBaseline || !this.restartBaselineProcess) throw new Error(`the ${this.name} stack has no baselines`);
    await this.currentBaseline.process.stop();
    this.restarts++;
    this.currentBaseline = await this.restartBaselineProcess(`-${this.restarts}`);
    return this.currentBaseline;
  }

  /** A JSON call to the server's API as the bench user; fails on an unexpected status. */
  async api<T>(method: 'GET' | 'POST', path: string, body?: unknown, expectStatus = method === 'POST' ? 201 : 200): Promise<T> {
    const response = await fetch(`${this.serverUrl}${path}`, {
      method,
      headers: { ...this.authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== expectStatus) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  async stop(): Promise<void> {
    await this.baseline?.process.stop();
    await this.server.stop();
    await this.sandboxProcess.stop();
    await dropDatabase(this.context.postgres.adminUrl, this.databaseName);
  }
}
