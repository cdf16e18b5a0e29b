import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { KeyRing, parseKey, parseKeyRing } from '../common/crypto/key-ring';
import { withLoopbackAliases } from '../common/validation/redirect-urls';
import { Env, EnvReader } from './env-parsers';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface DatabaseConfig {
  /** Unset means "start the embedded PostgreSQL" (never in production). */
  url: string | undefined;
  runMigrationsOnStart: boolean;
  /** How long opening a connection may take before it fails (a database that does not answer is an outage, not a wait). */
  connectTimeoutMs: number;
  embedded: { dataDir: string; port: number };
}

/** The two spellings of 3.1's archive flag: the document's, and its sister API's (the default). */
export const ARCHIVE_FLAG_NAMES = ['toBeArchived', 'toBeArhieved'] as const;
export type ArchiveFlagName = (typeof ARCHIVE_FLAG_NAMES)[number];

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
  /** IANA zone for the provider's date-times written without an offset. */
  localTimeZone: string;
  /** The field name of 3.1's archive flag. */
  archiveFlagName: ArchiveFlagName;
  /** Added to every provider deadline before the last ask, for clock skew between us and B-Trust. */
  deadlineGraceMs: number;
}

export interface IdentificationConfig {
  /** Origins that successUrl/cancelUrl may point to (no open redirects through B-Trust). */
  allowedRedirectOrigins: string[];
  mobilePoll: { initialIntervalMs: number; maxIntervalMs: number; maxPerSecond: number };
  /** The mobile deadline when 1.1's `validity` is missing or unreadable, from creation. */
  mobileDefaultValidityMs: number;
  /** How often a finished result without the eID certificate is asked for again before the flow FAILS. */
  eidCertificateFetchAttempts: number;
  webReconcile: { quietPeriodMs: number; intervalMs: number };
  /** The web session's deadline when 2.1/2.2 give no readable date, from creation. */
  webDefaultValidityMs: number;
  /** How long an agent's review (UNDER_REVIEW) is waited for, from when it started; the document gives no bound. */
  webReviewMaxMs: number;
  /** Before a paid signing, the registration status is asked again when the last one known is older than this. */
  webRefreshBeforeSigningMs: number;
}

export interface SigningConfig {
  maxDocumentBytes: number;
  maxDocuments: number;
  /** PEM bundle of the CAs a signed PDF's signer must chain to; the sandbox CA when the sandbox runs. */
  trustAnchorsPath: string | undefined;
  /** A signed PDF that fails verification makes the signing FAILED instead of SIGNED with `valid: false`. */
  rejectInvalid: boolean;
  /** A signing's deadline from creation when neither 3.1's expireDate nor the sign session's expiry can be read. */
  defaultValidityMs: number;
  /** PDFs with JavaScript or launch actions: accepted and flagged, or refused. */
  activeContent: ActiveContentPolicy;
  pdfParsing: PdfParsingLimits;
}

export const ACTIVE_CONTENT_POLICIES = ['flag', 'refuse'] as const;
export type ActiveContentPolicy = (typeof ACTIVE_CONTENT_POLICIES)[number];

/** Bounds on parsing one uploaded PDF (in a worker thread, off the event loop). */
export interface PdfParsingLimits {
  /** What parsing may inflate of one document (its object and cross-reference streams; page contents are not inflated). */
  maxInflatedBytes: number;
  /** Indirect objects in one document. */
  maxObjects: number;
  /** Wall time for one document. */
  timeoutMs: number;
  /** The parsing worker's JavaScript heap. */
  maxHeapMb: number;
  /** Documents parsed at once by this instance; more wait their turn. */
  concurrency: number;
}

/** Bearer-token verification: a JWKS (RS256/ES256) or a shared secret (HS256); neither means development mode. */
export interface AuthConfig {
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
  jwtSecret: string | undefined;
  /** The value of the token's `roles` claim that opens /api/v1/admin. */
  operatorRole: string;
}

export interface MetricsConfig {
  /** A separate listener for /metrics (then absent from the main port); unset serves it on the main port. */
  port: number | undefined;
  host: string;
  /** Bearer token that /metrics on the main port requires; unset (outside production) leaves it open. */
  token: string | undefined;
}

export interface AbuseLimitsConfig {
  /** Paid creations (identifications, signings) per owner per minute, across all instances. */
  createPerUserPerMinute: number;
  /** Paid creations per client IP per minute, across all instances. */
  createPerIpPerMinute: number;
  /** Browser origins allowed to call the API cross-origin; empty sends no CORS headers at all. */
  corsOrigins: string[];
  /**
   * Which X-Forwarded-For entries name the client: the number of proxies in
   * front of the server (0, the default: clients connect directly, the header
   * is ignored), or the proxies' addresses and CIDR ranges.
   */
  trustProxy: number | string[];
}

/**
 * How long a client may take to send a request, and how long a connection
 * may be kept, so that slow or stalled clients cannot hold sockets open.
 */
export interface HttpConnectionsConfig {
  /** The request line and headers must have arrived within this, from the request's first byte. */
  headersTimeoutMs: number;
  /** The longest silence allowed while a request body is being received. */
  bodyTimeoutMs: number;
  /** The whole request (headers and body) must have arrived within this; the response may take longer. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection is closed after serving this many requests; 0: no limit. */
  maxRequestsPerSocket: number;
}

/** Caps on the Server-Sent Events streams one instance holds open. */
export interface LiveStatusConfig {
  maxStreamsPerUser: number;
  maxStreams: number;
}

/** How long an Idempotency-Key is held by the request that uses it, and remembered after. */
export interface IdempotencyConfig {
  /**
   * An in-progress key is leased to the request serving it, which renews the
   * lease while it runs; a key whose lease ran out (its process died) is
   * taken over by the next repeat.
   */
  leaseMs: number;
  /** A key is forgotten (and pruned) this long after its first use: the same key then starts a new request. */
  keyTtlMs: number;
}

/** Encryption at rest, blind index and retention of personal data. */
export interface PersonalDataConfig {
  /** AES-256-GCM keys, the first encrypts; unset (outside production) means development keys under DATA_DIR. */
  encryptionKeys: KeyRing | undefined;
  /** HMAC-SHA256 key of the blind index; unset (outside production) means the development key under DATA_DIR. */
  indexKey: Buffer | undefined;
  /** Personal fields and documents of finished records are erased this many days after their last change. */
  retentionDays: number;
}

export interface AppConfig {
  nodeEnv: NodeEnvironment;
  host: string;
  port: number;
  /** Externally reachable base URL, used to build the callback URLs B-Trust posts to. */
  publicBaseUrl: string;
  logLevel: LogLevel;
  /** LOG_FORMAT; unset means pretty lines at a terminal in development and JSON lines otherwise. */
  logFormat: LogFormat | undefined;
  httpBodyLimitBytes: number;
  /** Nesting of arrays and objects in any JSON body or JSON field. */
  jsonMaxDepth: number;
  httpConnections: HttpConnectionsConfig;
  shutdownTimeoutMs: number;
  /** Where local state lives when nothing external is configured (embedded database, dev certificates). */
  dataDir: string;
  database: DatabaseConfig;
  btrust: BtrustConfig;
  identification: IdentificationConfig;
  signing: SigningConfig;
  auth: AuthConfig;
  /** Serve Swagger UI and the OpenAPI document at /docs. */
  swaggerEnabled: boolean;
  /** Serve the demo frontend at /demo. */
  demoEnabled: boolean;
  metrics: MetricsConfig;
  abuseLimits: AbuseLimitsConfig;
  idempotency: IdempotencyConfig;
  liveStatus: LiveStatusConfig;
  personalData: PersonalDataConfig;
}

/** Long enough that guessing it is hopeless; operators generate it (e.g. `openssl rand -hex 32`). */
const MIN_METRICS_TOKEN_LENGTH = 16;

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
    logFormat: read.raw('LOG_FORMAT') === undefined ? undefined : read.oneOf('LOG_FORMAT', LOG_FORMATS, 'json'),
    httpBodyLimitBytes: read.integer('HTTP_BODY_LIMIT_MB', 1, { min: 1, max: 512 }) * MEGABYTE,
    jsonMaxDepth: read.integer('HTTP_JSON_MAX_DEPTH', 32, { min: 4, max: 1000 }),
    httpConnections: readHttpConnectionsConfig(read),
    shutdownTimeoutMs: read.integer('SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0, max: 600_000 }),
    dataDir,
    database: {
      url: read.url('DATABASE_URL', undefined, ['postgres:', 'postgresql:']),
      runMigrationsOnStart: read.boolean('DATABASE_RUN_MIGRATIONS', true),
      connectTimeoutMs: read.integer('DATABASE_CONNECT_TIMEOUT_MS', 5_000, { min: 100, max: 120_000 }),
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
      localTimeZone: read.string('BTRUST_LOCAL_TIME_ZONE', 'Europe/Sofia'),
      archiveFlagName: read.oneOf('BTRUST_ARCHIVE_FLAG_NAME', ARCHIVE_FLAG_NAMES, 'toBeArchived'),
      deadlineGraceMs: read.integer('BTRUST_DEADLINE_GRACE_MS', 30_000, { min: 0, max: 3_600_000 }),
    },
    identification: readIdentificationConfig(read, publicBaseUrl, nodeEnv),
    signing: {
      maxDocumentBytes: read.integer('SIGNING_MAX_DOCUMENT_MB', 10, { min: 1, max: 100 }) * MEGABYTE,
      maxDocuments: read.integer('SIGNING_MAX_DOCUMENTS', 10, { min: 1, max: 50 }),
      trustAnchorsPath: read.optionalString('BTRUST_SIGNING_TRUST_ANCHORS'),
      rejectInvalid: read.boolean('SIGNING_REJECT_INVALID', false),
      defaultValidityMs: read.integer('SIGNING_DEFAULT_VALIDITY_MS', 86_400_000, { min: 1_000, max: 604_800_000 }),
      activeContent: read.oneOf('SIGNING_ACTIVE_CONTENT', ACTIVE_CONTENT_POLICIES, 'flag'),
      pdfParsing: {
        maxInflatedBytes: read.integer('SIGNING_PDF_MAX_INFLATED_MB', 64, { min: 1, max: 4096 }) * MEGABYTE,
        maxObjects: read.integer('SIGNING_PDF_MAX_OBJECTS', 200_000, { min: 100, max: 10_000_000 }),
        timeoutMs: read.integer('SIGNING_PDF_TIMEOUT_MS', 15_000, { min: 100, max: 600_000 }),
        maxHeapMb: read.integer('SIGNING_PDF_MAX_HEAP_MB', 512, { min: 64, max: 8192 }),
        concurrency: read.integer('SIGNING_PDF_WORKERS', 2, { min: 1, max: 64 }),
      },
    },
    auth: {
      // Outside production a local identity provider may serve its keys over plain HTTP.
      jwksUrl: read.url('AUTH_JWKS_URL', undefined, nodeEnv === 'production' ? ['https:'] : ['https:', 'http:']),
      issuer: read.optionalString('AUTH_ISSUER'),
      audience: read.optionalString('AUTH_AUDIENCE'),
      jwtSecret: read.optionalString('AUTH_JWT_SECRET'),
      operatorRole: read.string('AUTH_OPERATOR_ROLE', 'operator'),
    },
    swaggerEnabled: read.boolean('SWAGGER_ENABLED', nodeEnv !== 'production'),
    // Off in production unless asked for: it is a walkthrough for developers, not a product page.
    demoEnabled: read.boolean('DEMO_ENABLED', nodeEnv !== 'production'),
    metrics: {
      port: read.raw('METRICS_PORT') === undefined ? undefined : read.integer('METRICS_PORT', 0, { min: 1, max: 65535 }),
      host: read.string('METRICS_HOST', '127.0.0.1'),
      token: read.optionalString('METRICS_TOKEN'),
    },
    abuseLimits: {
      createPerUserPerMinute: read.integer('RATE_LIMIT_CREATE_PER_USER_PER_MINUTE', 20, { min: 1, max: 100_000 }),
      createPerIpPerMinute: read.integer('RATE_LIMIT_CREATE_PER_IP_PER_MINUTE', 60, { min: 1, max: 100_000 }),
      corsOrigins: readOrigins(read, 'CORS_ORIGINS', []),
      trustProxy: readTrustProxy(read, nodeEnv),
    },
    idempotency: readIdempotencyConfig(read),
    liveStatus: readLiveStatusConfig(read),
    personalData: readPersonalDataConfig(read, nodeEnv),
  };

  checkPublicAddressRules(read, config);
  checkBtrustRules(read, config);
  checkAuthRules(read, config);
  checkMetricsRules(read, config);
  read.assertValid();
  return config;
}

function readPersonalDataConfig(read: EnvReader, nodeEnv: NodeEnvironment): PersonalDataConfig {
  const parsed = <T>(name: string, parse: (text: string) => { ok: true; value: T } | { ok: false; problem: string }) => {
    const raw = read.raw(name);
    if (raw === undefined) {
      if (nodeEnv === 'production') read.problem(name, 'is required in production (personal data is encrypted at rest with it)');
      return undefined;
    }
    const result = parse(raw);
    if (result.ok) return result.value;
    read.problem(name, result.problem);
    return undefined;
  };
  return {
    encryptionKeys: parsed('DATA_ENCRYPTION_KEYS', parseKeyRing),
    indexKey: parsed('DATA_INDEX_KEY', parseKey),
    retentionDays: read.integer('RETENTION_DAYS', 30, { min: 1, max: 36_500 }),
  };
}

/**
 * The defaults let a signing of 10 × 10 MB (about 140 MB as base64 JSON)
 * arrive at under 2 Mbit/s, and keep idle connections longer than the 60 s
 * after which common load balancers drop theirs, so that it is always the
 * balancer that closes an idle connection, never the server under a request
 * the balancer just sent.
 */
function readHttpConnectionsConfig(read: EnvReader): HttpConnectionsConfig {
  const connections: HttpConnectionsConfig = {
    headersTimeoutMs: read.integer('HTTP_HEADERS_TIMEOUT_MS', 20_000, { min: 100, max: 600_000 }),
    bodyTimeoutMs: read.integer('HTTP_BODY_TIMEOUT_MS', 30_000, { min: 100, max: 600_000 }),
    requestTimeoutMs: read.integer('HTTP_REQUEST_TIMEOUT_MS', 600_000, { min: 100, max: 3_600_000 }),
    keepAliveTimeoutMs: read.integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 72_000, { min: 100, max: 600_000 }),
    maxRequestsPerSocket: read.integer('HTTP_MAX_REQUESTS_PER_SOCKET', 1_000, { min: 0, max: 1_000_000 }),
  };
  // Node.js refuses a headers timeout longer than the request timeout (the headers are part of the request).
  if (connections.headersTimeoutMs > connections.requestTimeoutMs) {
    read.problem('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${connections.requestTimeoutMs})`);
  }
  return connections;
}

function readIdempotencyConfig(read: EnvReader): IdempotencyConfig {
  const idempotency: IdempotencyConfig = {
    leaseMs: read.integer('IDEMPOTENCY_LEASE_MS', 30_000, { min: 1_000, max: 3_600_000 }),
    keyTtlMs: read.integer('IDEMPOTENCY_KEY_TTL_MS', 86_400_000, { min: 1_000, max: 30 * 86_400_000 }),
  };
  // A key forgotten while its request still runs would let a repeat start a second paid call.
  if (idempotency.keyTtlMs < idempotency.leaseMs) {
    read.problem('IDEMPOTENCY_KEY_TTL_MS', `must not be shorter than IDEMPOTENCY_LEASE_MS (${idempotency.leaseMs})`);
  }
  return idempotency;
}

function readLiveStatusConfig(read: EnvReader): LiveStatusConfig {
  const liveStatus: LiveStatusConfig = {
    maxStreamsPerUser: read.integer('LIVE_STATUS_MAX_STREAMS_PER_USER', 10, { min: 1, max: 100_000 }),
    maxStreams: read.integer('LIVE_STATUS_MAX_STREAMS', 1_000, { min: 1, max: 1_000_000 }),
  };
  if (liveStatus.maxStreamsPerUser > liveStatus.maxStreams) {
    read.problem('LIVE_STATUS_MAX_STREAMS_PER_USER', `must not exceed LIVE_STATUS_MAX_STREAMS (${liveStatus.maxStreams})`);
  }
  return liveStatus;
}

function readIdentificationConfig(read: EnvReader, publicBaseUrl: string, nodeEnv: NodeEnvironment): IdentificationConfig {
  return {
    allowedRedirectOrigins: readOrigins(read, 'ALLOWED_REDIRECT_ORIGINS', defaultRedirectOrigins(publicBaseUrl, nodeEnv)),
    mobilePoll: {
      initialIntervalMs: read.integer('MOBILE_POLL_INITIAL_INTERVAL_MS', 2_000, { min: 50, max: 600_000 }),
      maxIntervalMs: read.integer('MOBILE_POLL_MAX_INTERVAL_MS', 30_000, { min: 50, max: 3_600_000 }),
      maxPerSecond: read.integer('MOBILE_POLL_MAX_PER_SECOND', 20, { min: 1, max: 10_000 }),
    },
    mobileDefaultValidityMs: read.integer('MOBILE_DEFAULT_VALIDITY_MS', 600_000, { min: 1_000, max: 86_400_000 }),
    eidCertificateFetchAttempts: read.integer('EID_CERTIFICATE_FETCH_ATTEMPTS', 3, { min: 1, max: 100 }),
    webReconcile: {
      quietPeriodMs: read.integer('WEB_RECONCILE_QUIET_PERIOD_MS', 120_000, { min: 100, max: 86_400_000 }),
      intervalMs: read.integer('WEB_RECONCILE_INTERVAL_MS', 60_000, { min: 100, max: 86_400_000 }),
    },
    webDefaultValidityMs: read.integer('WEB_DEFAULT_VALIDITY_MS', 3_600_000, { min: 1_000, max: 86_400_000 }),
    webReviewMaxMs: read.integer('WEB_REVIEW_MAX_MS', 604_800_000, { min: 1_000, max: 7_776_000_000 }),
    webRefreshBeforeSigningMs: read.integer('WEB_IDENTIFICATION_REFRESH_BEFORE_SIGNING_MS', 60_000, { min: 0, max: 86_400_000 }),
  };
}

/**
 * B-Trust posts its webhooks to PUBLIC_BASE_URL and sends people back to the
 * redirect origins: in production both must be real HTTPS addresses. A
 * plain-HTTP loopback address is for a developer's machine and the built-in
 * sandbox only.
 */
function checkPublicAddressRules(read: EnvReader, config: AppConfig): void {
  const production = config.nodeEnv === 'production';
  if (read.raw('PUBLIC_BASE_URL') === undefined) {
    if (production) read.problem('PUBLIC_BASE_URL', 'is required in production: the public https:// address B-Trust posts its webhooks to');
  } else if (config.publicBaseUrl) {
    const url = new URL(config.publicBaseUrl);
    const loopback = isLoopbackHost(url.hostname);
    if (production && url.protocol !== 'https:') {
      read.problem('PUBLIC_BASE_URL', `must use https: in production, got "${url.protocol}"`);
    } else if (production && loopback) {
      read.problem('PUBLIC_BASE_URL', `must be an address B-Trust can reach in production, got the loopback host "${url.hostname}"`);
    } else if (url.protocol !== 'https:' && !loopback) {
      read.problem('PUBLIC_BASE_URL', `may use http: only for a loopback host outside production, got "${url.hostname}": use https:`);
    }
  }
  if (production && read.raw('ALLOWED_REDIRECT_ORIGINS') !== undefined) {
    for (const origin of config.identification.allowedRedirectOrigins) {
      if (!origin.startsWith('https://')) read.problem('ALLOWED_REDIRECT_ORIGINS', `must list only https: origins in production, got "${origin}"`);
    }
  }
}

/** localhost (and its subdomains, RFC 6761), 127.0.0.0/8 and ::1. */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function checkBtrustRules(read: EnvReader, config: AppConfig): void {
  const { btrust } = config;
  if (!btrust.identificationUrlTemplate.includes('{sessionId}')) {
    read.problem('BTRUST_IDENTIFICATION_URL', 'must contain the placeholder {sessionId}');
  }
  if (!isKnownTimeZone(btrust.localTimeZone)) {
    read.problem('BTRUST_LOCAL_TIME_ZONE', `must be an IANA time zone such as Europe/Sofia, got "${btrust.localTimeZone}"`);
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

  if (config.nodeEnv === 'production' && !config.signing.trustAnchorsPath) {
    read.problem('BTRUST_SIGNING_TRUST_ANCHORS', 'is required in production (without it no signed PDF can be verified)');
  }

  if (config.nodeEnv === 'production' && !config.database.url) {
    read.problem('DATABASE_URL', 'is required in production (the embedded PostgreSQL is for development only)');
  }
}

/** HS256 with a short secret can be brute-forced offline from any one token (RFC 7518 §3.2). */
const MIN_JWT_SECRET_BYTES = 32;

function checkAuthRules(read: EnvReader, config: AppConfig): void {
  const { auth } = config;
  if (auth.jwksUrl && auth.jwtSecret) {
    read.problem('AUTH_JWT_SECRET', 'cannot be combined with AUTH_JWKS_URL: pick one way to verify tokens');
  }
  if (auth.jwtSecret && Buffer.byteLength(auth.jwtSecret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    read.problem('AUTH_JWT_SECRET', `must be at least ${MIN_JWT_SECRET_BYTES} bytes long`);
  }
  // A JWKS usually belongs to an identity provider that issues tokens for other applications
  // too: without both checks, a token meant for any of them would open this API.
  if (auth.jwksUrl && !auth.issuer) read.problem('AUTH_ISSUER', 'is required when AUTH_JWKS_URL is set');
  if (auth.jwksUrl && !auth.audience) read.problem('AUTH_AUDIENCE', 'is required when AUTH_JWKS_URL is set');
  if (config.nodeEnv === 'production' && !auth.jwksUrl && !auth.jwtSecret) {
    read.problem('AUTH_JWKS_URL', 'or AUTH_JWT_SECRET is required in production (without them every request would be anonymous)');
  }
}

function checkMetricsRules(read: EnvReader, config: AppConfig): void {
  const { metrics } = config;
  if (metrics.token !== undefined && metrics.token.length < MIN_METRICS_TOKEN_LENGTH) {
    read.problem('METRICS_TOKEN', `must be at least ${MIN_METRICS_TOKEN_LENGTH} characters long`);
  }
  if (metrics.port !== undefined && metrics.port === config.port) {
    read.problem('METRICS_PORT', 'must differ from PORT (leave it unset to serve /metrics on the main port)');
  }
  if (config.nodeEnv === 'production' && metrics.port === undefined && metrics.token === undefined) {
    read.problem('METRICS_TOKEN', 'or METRICS_PORT is required in production (otherwise anyone could read /metrics)');
  }
}

/**
 * `TRUST_PROXY`: a hop count, or a comma-separated list of proxy addresses
 * and CIDR ranges. Trusting a hop that is not there would let a client name
 * its own address in X-Forwarded-For and step around the per-IP limit, so
 * the default trusts none, and production must say what is in front of it.
 */
function readTrustProxy(read: EnvReader, nodeEnv: NodeEnvironment): number | string[] {
  const raw = read.optionalString('TRUST_PROXY');
  if (raw === undefined && nodeEnv === 'production') {
    read.problem('TRUST_PROXY', 'is required in production: the number of proxies in front of the server (0 for none) or their addresses/CIDR ranges');
  }
  if (raw === undefined || /^\d+$/.test(raw.trim())) return read.integer('TRUST_PROXY', 0, { min: 0, max: 10 });
  const entries = raw.split(',').map((item) => item.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const maxPrefix = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (family === 0 || !prefixOk || rest.length > 0) {
      read.problem('TRUST_PROXY', `must be a number of proxy hops or a list of proxy addresses/CIDR ranges, got "${entry}"`);
    }
  }
  return entries;
}

/** A comma-separated list of bare origins (scheme, host, optional port), normalized. */
function readOrigins(read: EnvReader, name: string, fallback: string[]): string[] {
  const raw = read.optionalString(name);
  const candidates = raw ? raw.split(',').map((item) => item.trim()).filter(Boolean) : fallback;
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

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * PUBLIC_BASE_URL's origin; in development also under the other names of
 * the loopback interface, so the demo works whether it is opened at
 * localhost or at 127.0.0.1.
 */
function defaultRedirectOrigins(publicBaseUrl: string, nodeEnv: NodeEnvironment): string[] {
  // An invalid PUBLIC_BASE_URL is reported once, under its own name, not again as a derived origin.
  if (!publicBaseUrl) return [];
  const origin = safeOrigin(publicBaseUrl);
  return nodeEnv === 'development' && URL.canParse(origin) ? withLoopbackAliases(origin) : [origin];
}

function safeOrigin(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return value;
  }
}
