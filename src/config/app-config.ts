import { resolve } from 'node:path';
import { Env, EnvReader } from './env-parsers';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface DatabaseConfig {
  /** Unset means "start the embedded PostgreSQL" (never in production). */
  url: string | undefined;
  runMigrationsOnStart: boolean;
  embedded: { dataDir: string; port: number };
}

/** TLS material is given as file paths; the client module reads them once at start. */
export interface BtrustTlsPaths {
  certPath?: string;
  keyPath?: string;
  pfxPath?: string;
  pfxPassphrase?: string;
  caPath?: string;
}

export interface BtrustConfig {
  /** Unset (outside production) means "start the built-in sandbox and talk to it". */
  baseUrl: string | undefined;
  relyingPartyId: string | undefined;
  tls: BtrustTlsPaths;
  identificationUrlTemplate: string;
  timeoutMs: number;
  retryAttempts: number;
  breakerThreshold: number;
  breakerCooldownMs: number;
}

export interface IdentificationConfig {
  /** Origins that successUrl/cancelUrl may point to (no open redirects through B-Trust). */
  allowedRedirectOrigins: string[];
  mobilePoll: { initialIntervalMs: number; maxIntervalMs: number; maxPerSecond: number };
  webReconcile: { quietPeriodMs: number; intervalMs: number };
}

export interface AppConfig {
  nodeEnv: NodeEnvironment;
  host: string;
  port: number;
  /** Externally reachable base URL, used to build the callback URLs B-Trust posts to. */
  publicBaseUrl: string;
  logLevel: LogLevel;
  httpBodyLimitBytes: number;
  shutdownTimeoutMs: number;
  /** Where local state lives when nothing external is configured (embedded database, dev certificates). */
  dataDir: string;
  database: DatabaseConfig;
  btrust: BtrustConfig;
  identification: IdentificationConfig;
}

const MEGABYTE = 1024 * 1024;

/**
 * Reads and validates the whole configuration. The only place in the server
 * that reads `process.env`; everything else receives an `AppConfig`.
 */
export function loadAppConfig(env: Env): AppConfig {
  const read = new EnvReader(env);

  const nodeEnv = read.oneOf('NODE_ENV', NODE_ENVIRONMENTS, 'development');
  const port = read.integer('PORT', 3000, { min: 0, max: 65535 });
  const dataDir = resolve(read.string('DATA_DIR', '.data'));
  const publicBaseUrl = read.url('PUBLIC_BASE_URL', `http://localhost:${port}`, ['http:', 'https:']) ?? '';

  const config: AppConfig = {
    nodeEnv,
    host: read.string('HOST', '0.0.0.0'),
    port,
    publicBaseUrl,
    logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    httpBodyLimitBytes: read.integer('HTTP_BODY_LIMIT_MB', 1, { min: 1, max: 512 }) * MEGABYTE,
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0, max: 600_000 }),
    dataDir,
    database: {
      url: read.url('DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
      runMigrationsOnStart: read.boolean('DATABASE_RUN_MIGRATIONS', true),
      embedded: {
        dataDir: resolve(read.string('EMBEDDED_POSTGRES_DIR', resolve(dataDir, 'postgres'))),
        port: read.integer('EMBEDDED_POSTGRES_PORT', 5488, { min: 1, max: 65535 }),
      },
    },
    btrust: {
      baseUrl: read.url('BTRUST_BASE_URL', undefined, ['https:']),
      relyingPartyId: read.optionalString('BTRUST_RELYING_PARTY_ID'),
      tls: {
        certPath: read.optionalString('BTRUST_CLIENT_CERT'),
        keyPath: read.optionalString('BTRUST_CLIENT_KEY'),
        pfxPath: read.optionalString('BTRUST_CLIENT_PFX'),
        pfxPassphrase: read.optionalString('BTRUST_CLIENT_PFX_PASSPHRASE'),
        caPath: read.optionalString('BTRUST_CA'),
      },
      identificationUrlTemplate: read.string(
        'BTRUST_IDENTIFICATION_URL',
        'https://iduat.borica.bg/session/{sessionId}',
      ),
      timeoutMs: read.integer('BTRUST_TIMEOUT_MS', 15_000, { min: 100, max: 300_000 }),
      retryAttempts: read.integer('BTRUST_RETRY_ATTEMPTS', 3, { min: 1, max: 10 }),
      breakerThreshold: read.integer('BTRUST_BREAKER_THRESHOLD', 5, { min: 1, max: 1000 }),
      breakerCooldownMs: read.integer('BTRUST_BREAKER_COOLDOWN_MS', 30_000, { min: 100, max: 3_600_000 }),
    },
    identification: readIdentificationConfig(read, publicBaseUrl),
  };

  checkBtrustRules(read, config);
  read.assertValid();
  return config;
}

function readIdentificationConfig(read: EnvReader, publicBaseUrl: string): IdentificationConfig {
  return {
    allowedRedirectOrigins: readOrigins(read, 'ALLOWED_REDIRECT_ORIGINS', publicBaseUrl),
    mobilePoll: {
      initialIntervalMs: read.integer('MOBILE_POLL_INITIAL_INTERVAL_MS', 2_000, { min: 50, max: 600_000 }),
      maxIntervalMs: read.integer('MOBILE_POLL_MAX_INTERVAL_MS', 30_000, { min: 50, max: 3_600_000 }),
      maxPerSecond: read.integer('MOBILE_POLL_MAX_PER_SECOND', 20, { min: 1, max: 10_000 }),
    },
    webReconcile: {
      quietPeriodMs: read.integer('WEB_RECONCILE_QUIET_PERIOD_MS', 120_000, { min: 100, max: 86_400_000 }),
      intervalMs: read.integer('WEB_RECONCILE_INTERVAL_MS', 60_000, { min: 100, max: 86_400_000 }),
    },
  };
}

function checkBtrustRules(read: EnvReader, config: AppConfig): void {
  const { btrust } = config;
  if (!btrust.identificationUrlTemplate.includes('{sessionId}')) {
    read.problem('BTRUST_IDENTIFICATION_URL', 'must contain the placeholder {sessionId}');
  }
  const hasPem = Boolean(btrust.tls.certPath || btrust.tls.keyPath);
  const hasPfx = Boolean(btrust.tls.pfxPath);
  if (hasPem && hasPfx) {
    read.problem('BTRUST_CLIENT_PFX', 'cannot be combined with BTRUST_CLIENT_CERT/BTRUST_CLIENT_KEY: pick one form');
  }
  if (hasPem && !(btrust.tls.certPath && btrust.tls.keyPath)) {
    read.problem('BTRUST_CLIENT_CERT', 'and BTRUST_CLIENT_KEY must be set together');
  }

  if (btrust.baseUrl) {
    if (!btrust.relyingPartyId) read.problem('BTRUST_RELYING_PARTY_ID', 'is required when BTRUST_BASE_URL is set');
    if (!hasPem && !hasPfx) {
      read.problem('BTRUST_CLIENT_CERT', 'and BTRUST_CLIENT_KEY (or BTRUST_CLIENT_PFX) are required when BTRUST_BASE_URL is set');
    }
  } else if (config.nodeEnv === 'production') {
    read.problem('BTRUST_BASE_URL', 'is required in production (the built-in sandbox never starts there)');
  }

  if (config.nodeEnv === 'production' && !config.database.url) {
    read.problem('DATABASE_URL', 'is required in production (the embedded PostgreSQL is for development only)');
  }
}

/** A comma-separated list of bare origins (scheme, host, optional port), normalized. */
function readOrigins(read: EnvReader, name: string, publicBaseUrl: string): string[] {
  const raw = read.optionalString(name);
  const candidates = raw ? raw.split(',').map((item) => item.trim()).filter(Boolean) : [safeOrigin(publicBaseUrl)];
  const origins: string[] = [];
  for (const candidate of candidates) {
    try {
      const url = new URL(candidate);
      const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
      if (!bare || !['http:', 'https:'].includes(url.protocol)) throw new Error('not an origin');
      origins.push(url.origin);
    } catch {
      read.problem(name, `must list origins like https://shop.example (no path), got "${candidate}"`);
    }
  }
  return origins;
}

function safeOrigin(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}
