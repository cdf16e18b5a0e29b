import { loadAppConfig } from './app-config';
import { ConfigValidationError } from './env-parsers';

function problemsFor(env: Record<string, string>): string[] {
  try {
    loadAppConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error.problems;
    throw error;
  }
  return [];
}

/** Every variable production requires; tests of production-only behaviour start from it. */
const COMPLETE_PRODUCTION_ENV: Record<string, string> = {
  NODE_ENV: 'production',
  PUBLIC_BASE_URL: 'https://cas.bank.example',
  TRUST_PROXY: '1',
  DATABASE_URL: 'postgres://cas:pw@db:5432/cas',
  BTRUST_BASE_URL: 'https://cqes-rpuat.b-trust.bg/signing-api/v2/',
  BTRUST_RELYING_PARTY_ID: '24102167',
  BTRUST_CLIENT_PFX: '/run/secrets/cas.pfx',
  BTRUST_SIGNING_TRUST_ANCHORS: '/run/secrets/btrust-signing-cas.pem',
  AUTH_JWKS_URL: 'https://login.bank.example/.well-known/jwks.json',
  AUTH_ISSUER: 'https://login.bank.example/',
  AUTH_AUDIENCE: 'btrust-cas',
  METRICS_PORT: '9464',
  DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  DATA_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
};

describe(loadAppConfig.name, () => {
  it('starts on embedded defaults with an empty environment', () => {
    const config = loadAppConfig({});
    expect(config.nodeEnv).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.database.url).toBeUndefined();
    expect(config.database.runMigrationsOnStart).toBe(true);
    expect(config.httpBodyLimitBytes).toBe(1024 * 1024);
    expect(config.btrust.baseUrl).toBeUndefined();
    expect(config.btrust.identificationUrlTemplate).toBe('https://iduat.borica.bg/session/{sessionId}');
  });

  it('names PORT when it is not a number', () => {
    expect(problemsFor({ PORT: 'abc' })).toEqual([expect.stringContaining('PORT')]);
  });

  it('names DATABASE_URL when it is not a PostgreSQL URL', () => {
    expect(problemsFor({ DATABASE_URL: 'not-a-url' })).toEqual([expect.stringMatching(/^DATABASE_URL /)]);
    expect(problemsFor({ DATABASE_URL: 'mysql://x@y/z' })).toEqual([expect.stringMatching(/^DATABASE_URL /)]);
  });

  it('does not echo credentials of a rejected DATABASE_URL', () => {
    const [problem] = problemsFor({ DATABASE_URL: 'postgres//user:secret@host/db' });
    expect(problem).toContain('DATABASE_URL');
    expect(problem).not.toContain('secret');
  });

  it('names NODE_ENV when it is not a known environment', () => {
    expect(problemsFor({ NODE_ENV: 'staging' })).toEqual([expect.stringContaining('NODE_ENV')]);
  });

  it('lists every bad variable at once', () => {
    const problems = problemsFor({ PORT: '70000', LOG_LEVEL: 'loud', HTTP_BODY_LIMIT_MB: '0' });
    expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['HTTP_BODY_LIMIT_MB', 'LOG_LEVEL', 'PORT']);
  });

  it('refuses production without a database, B-Trust and client certificate', () => {
    const problems = problemsFor({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^DATABASE_URL /), expect.stringMatching(/^BTRUST_BASE_URL /)]),
    );
  });

  it('requires the relying party id and a client certificate when B-Trust is configured', () => {
    const problems = problemsFor({ BTRUST_BASE_URL: 'https://cqes-rpuat.b-trust.bg/signing-api/v2' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^BTRUST_RELYING_PARTY_ID /),
        expect.stringMatching(/^BTRUST_CLIENT_CERT /),
      ]),
    );
  });

  it('refuses plain HTTP for B-Trust: the provider is only reachable over mutual TLS', () => {
    expect(problemsFor({ BTRUST_BASE_URL: 'http://cqes-rpuat.b-trust.bg/signing-api/v2' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^BTRUST_BASE_URL /)]),
    );
  });

  it('accepts a complete production configuration', () => {
    const config = loadAppConfig(COMPLETE_PRODUCTION_ENV);
    expect(config.btrust.baseUrl).toBe('https://cqes-rpuat.b-trust.bg/signing-api/v2');
  });

  it('limits signings to 10 documents of 10 MiB and keeps a failed verification SIGNED by default', () => {
    const { signing } = loadAppConfig({});
    expect(signing).toEqual({
      maxDocumentBytes: 10 * 1024 * 1024,
      maxDocuments: 10,
      trustAnchorsPath: undefined,
      rejectInvalid: false,
      defaultValidityMs: 86_400_000,
      activeContent: 'flag',
      pdfParsing: { maxInflatedBytes: 64 * 1024 * 1024, maxObjects: 200_000, timeoutMs: 15_000, maxHeapMb: 512, concurrency: 2 },
    });
    expect(loadAppConfig({}).jsonMaxDepth).toBe(32);
  });

  it('reads SIGNING_ACTIVE_CONTENT, the PDF parsing limits and HTTP_JSON_MAX_DEPTH', () => {
    const config = loadAppConfig({
      SIGNING_ACTIVE_CONTENT: 'refuse',
      SIGNING_PDF_MAX_INFLATED_MB: '8',
      SIGNING_PDF_MAX_OBJECTS: '5000',
      SIGNING_PDF_TIMEOUT_MS: '2000',
      SIGNING_PDF_MAX_HEAP_MB: '128',
      SIGNING_PDF_WORKERS: '4',
      HTTP_JSON_MAX_DEPTH: '16',
    });
    expect(config.signing.activeContent).toBe('refuse');
    expect(config.signing.pdfParsing).toEqual({ maxInflatedBytes: 8 * 1024 * 1024, maxObjects: 5000, timeoutMs: 2000, maxHeapMb: 128, concurrency: 4 });
    expect(config.jsonMaxDepth).toBe(16);
    const problems = problemsFor({ SIGNING_ACTIVE_CONTENT: 'strip', SIGNING_PDF_MAX_INFLATED_MB: '0', SIGNING_PDF_WORKERS: '0', HTTP_JSON_MAX_DEPTH: '1' });
    expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
      'HTTP_JSON_MAX_DEPTH',
      'SIGNING_ACTIVE_CONTENT',
      'SIGNING_PDF_MAX_INFLATED_MB',
      'SIGNING_PDF_WORKERS',
    ]);
  });

  it('reads the signing limits, trust anchors and SIGNING_REJECT_INVALID', () => {
    const { signing } = loadAppConfig({
      SIGNING_MAX_DOCUMENT_MB: '2',
      SIGNING_MAX_DOCUMENTS: '3',
      BTRUST_SIGNING_TRUST_ANCHORS: '/etc/cas/btrust-signing-cas.pem',
      SIGNING_REJECT_INVALID: 'true',
      SIGNING_DEFAULT_VALIDITY_MS: '3600000',
    });
    expect(signing).toEqual({
      maxDocumentBytes: 2 * 1024 * 1024,
      maxDocuments: 3,
      trustAnchorsPath: '/etc/cas/btrust-signing-cas.pem',
      rejectInvalid: true,
      defaultValidityMs: 3_600_000,
      activeContent: 'flag',
      pdfParsing: expect.any(Object),
    });
  });

  it('names each bad signing variable', () => {
    const problems = problemsFor({ SIGNING_MAX_DOCUMENT_MB: '0', SIGNING_MAX_DOCUMENTS: 'many', SIGNING_REJECT_INVALID: 'maybe' });
    expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
      'SIGNING_MAX_DOCUMENTS',
      'SIGNING_MAX_DOCUMENT_MB',
      'SIGNING_REJECT_INVALID',
    ]);
  });

  it('requires signing trust anchors in production', () => {
    expect(problemsFor({ NODE_ENV: 'production' })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^BTRUST_SIGNING_TRUST_ANCHORS /)]),
    );
  });

  describe('reading B-Trust and its deadlines', () => {
    it('reads dates without an offset in Sofia, sends toBeArchived, and bounds every flow by default', () => {
      const { btrust, identification } = loadAppConfig({});
      expect(btrust).toMatchObject({ localTimeZone: 'Europe/Sofia', archiveFlagName: 'toBeArchived', deadlineGraceMs: 30_000 });
      expect(identification).toMatchObject({ mobileDefaultValidityMs: 600_000, eidCertificateFetchAttempts: 3 });
    });

    it('reads the zone, the archive flag spelling, the grace, the default validity and the certificate attempts', () => {
      const { btrust, identification } = loadAppConfig({
        BTRUST_LOCAL_TIME_ZONE: 'UTC',
        BTRUST_ARCHIVE_FLAG_NAME: 'toBeArhieved',
        BTRUST_DEADLINE_GRACE_MS: '0',
        MOBILE_DEFAULT_VALIDITY_MS: '5000',
        EID_CERTIFICATE_FETCH_ATTEMPTS: '1',
      });
      expect(btrust).toMatchObject({ localTimeZone: 'UTC', archiveFlagName: 'toBeArhieved', deadlineGraceMs: 0 });
      expect(identification).toMatchObject({ mobileDefaultValidityMs: 5000, eidCertificateFetchAttempts: 1 });
    });

    it('names each bad value', () => {
      const problems = problemsFor({
        BTRUST_LOCAL_TIME_ZONE: 'Sofia',
        BTRUST_ARCHIVE_FLAG_NAME: 'archive',
        BTRUST_DEADLINE_GRACE_MS: '-1',
        MOBILE_DEFAULT_VALIDITY_MS: 'soon',
        EID_CERTIFICATE_FETCH_ATTEMPTS: '0',
      });
      expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
        'BTRUST_ARCHIVE_FLAG_NAME',
        'BTRUST_DEADLINE_GRACE_MS',
        'BTRUST_LOCAL_TIME_ZONE',
        'EID_CERTIFICATE_FETCH_ATTEMPTS',
        'MOBILE_DEFAULT_VALIDITY_MS',
      ]);
    });
  });

  describe('authentication', () => {
    const SECRET = 'a-shared-secret-of-at-least-32-bytes!';

    it('runs without authentication in development and serves Swagger UI', () => {
      const config = loadAppConfig({});
      expect(config.auth).toEqual({
        jwksUrl: undefined,
        issuer: undefined,
        audience: undefined,
        jwtSecret: undefined,
        operatorRole: 'operator',
      });
      expect(config.swaggerEnabled).toBe(true);
    });

    it('refuses to start in production without AUTH_JWKS_URL or AUTH_JWT_SECRET', () => {
      expect(problemsFor({ NODE_ENV: 'production' })).toEqual(expect.arrayContaining([expect.stringMatching(/^AUTH_JWKS_URL or AUTH_JWT_SECRET /)]));
      const { AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE, ...withoutAuth } = COMPLETE_PRODUCTION_ENV;
      expect(problemsFor(withoutAuth)).toEqual([expect.stringMatching(/^AUTH_JWKS_URL or AUTH_JWT_SECRET /)]);
      expect(loadAppConfig({ ...withoutAuth, AUTH_JWT_SECRET: SECRET }).auth.jwtSecret).toBe(SECRET);
    });

    it('refuses an HS256 secret shorter than 32 bytes', () => {
      expect(problemsFor({ AUTH_JWT_SECRET: 'x'.repeat(31) })).toEqual([expect.stringMatching(/^AUTH_JWT_SECRET must be at least 32 bytes/)]);
      expect(loadAppConfig({ AUTH_JWT_SECRET: 'x'.repeat(32) }).auth.jwtSecret).toBe('x'.repeat(32));
    });

    it('refuses a JWKS and a shared secret together', () => {
      const problems = problemsFor({
        AUTH_JWKS_URL: 'https://login.bank.example/jwks.json',
        AUTH_ISSUER: 'https://login.bank.example/',
        AUTH_AUDIENCE: 'btrust-cas',
        AUTH_JWT_SECRET: SECRET,
      });
      expect(problems).toEqual([expect.stringMatching(/^AUTH_JWT_SECRET cannot be combined with AUTH_JWKS_URL/)]);
    });

    it('requires the issuer and audience with a JWKS', () => {
      const problems = problemsFor({ AUTH_JWKS_URL: 'https://login.bank.example/jwks.json' });
      expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['AUTH_AUDIENCE', 'AUTH_ISSUER']);
    });

    it('accepts a plain-HTTP JWKS only outside production', () => {
      const jwks = { AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks.json', AUTH_ISSUER: 'local', AUTH_AUDIENCE: 'cas' };
      expect(loadAppConfig(jwks).auth.jwksUrl).toBe('http://127.0.0.1:8080/jwks.json');
      expect(problemsFor({ ...jwks, NODE_ENV: 'production' })).toEqual(expect.arrayContaining([expect.stringMatching(/^AUTH_JWKS_URL must use https:/)]));
    });

    it('reads the operator role', () => {
      expect(loadAppConfig({ AUTH_OPERATOR_ROLE: 'cas-admin' }).auth.operatorRole).toBe('cas-admin');
    });

    it('turns Swagger UI off in production unless SWAGGER_ENABLED=true', () => {
      expect(loadAppConfig(COMPLETE_PRODUCTION_ENV).swaggerEnabled).toBe(false);
      expect(loadAppConfig({ ...COMPLETE_PRODUCTION_ENV, SWAGGER_ENABLED: 'true' }).swaggerEnabled).toBe(true);
      expect(loadAppConfig({ SWAGGER_ENABLED: 'false' }).swaggerEnabled).toBe(false);
      expect(problemsFor({ SWAGGER_ENABLED: 'sometimes' })).toEqual([expect.stringMatching(/^SWAGGER_ENABLED /)]);
    });

    it('serves the demo at /demo outside production, and in production only with DEMO_ENABLED=true', () => {
      expect(loadAppConfig({}).demoEnabled).toBe(true);
      expect(loadAppConfig(COMPLETE_PRODUCTION_ENV).demoEnabled).toBe(false);
      expect(loadAppConfig({ ...COMPLETE_PRODUCTION_ENV, DEMO_ENABLED: 'true' }).demoEnabled).toBe(true);
      expect(loadAppConfig({ DEMO_ENABLED: 'false' }).demoEnabled).toBe(false);
      expect(problemsFor({ DEMO_ENABLED: 'maybe' })).toEqual([expect.stringMatching(/^DEMO_ENABLED /)]);
    });
  });
  describe('metrics and abuse limits', () => {
    const TOKEN = 'a-metrics-token-0123456789';

    it('serves /metrics openly on the main port by default outside production', () => {
      expect(loadAppConfig({}).metrics).toEqual({ port: undefined, host: '127.0.0.1', token: undefined });
    });

    it('reads a separate metrics listener and a bearer token', () => {
      expect(loadAppConfig({ METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics).toEqual({
        port: 9464,
        host: '10.0.0.5',
        token: undefined,
      });
      expect(loadAppConfig({ METRICS_TOKEN: TOKEN }).metrics.token).toBe(TOKEN);
    });

    it('refuses an unprotected /metrics in production', () => {
      const { METRICS_PORT, ...unprotected } = COMPLETE_PRODUCTION_ENV;
      expect(problemsFor(unprotected)).toEqual([expect.stringMatching(/^METRICS_TOKEN or METRICS_PORT is required in production/)]);
      expect(loadAppConfig({ ...unprotected, METRICS_TOKEN: TOKEN }).metrics.token).toBe(TOKEN);
      expect(loadAppConfig({ ...unprotected, METRICS_PORT }).metrics.port).toBe(9464);
    });

    it('names a short token, a bad port and a port equal to PORT', () => {
      expect(problemsFor({ METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^METRICS_TOKEN must be at least 16 characters/)]);
      expect(problemsFor({ METRICS_PORT: 'abc' })).toEqual([expect.stringMatching(/^METRICS_PORT /)]);
      expect(problemsFor({ PORT: '3000', METRICS_PORT: '3000' })).toEqual([expect.stringMatching(/^METRICS_PORT must differ from PORT/)]);
    });

    it('limits paid creations to 20 per user and 60 per IP per minute by default, and reads both limits', () => {
      expect(loadAppConfig({}).abuseLimits).toEqual({ createPerUserPerMinute: 20, createPerIpPerMinute: 60, corsOrigins: [], trustProxy: 0 });
      const { abuseLimits } = loadAppConfig({ RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '2', RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: '5' });
      expect(abuseLimits).toMatchObject({ createPerUserPerMinute: 2, createPerIpPerMinute: 5 });
      const problems = problemsFor({ RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '0', RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: 'lots' });
      expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
        'RATE_LIMIT_CREATE_PER_IP_PER_MINUTE',
        'RATE_LIMIT_CREATE_PER_USER_PER_MINUTE',
      ]);
    });

    it('normalizes CORS_ORIGINS and refuses anything that is not a bare origin', () => {
      expect(loadAppConfig({ CORS_ORIGINS: 'https://Shop.Example:443, http://localhost:5173' }).abuseLimits.corsOrigins).toEqual([
        'https://shop.example',
        'http://localhost:5173',
      ]);
      expect(problemsFor({ CORS_ORIGINS: '*' })).toEqual([expect.stringMatching(/^CORS_ORIGINS must list origins/)]);
      expect(problemsFor({ CORS_ORIGINS: 'https://shop.example/app' })).toEqual([expect.stringMatching(/^CORS_ORIGINS /)]);
    });

    it('trusts no proxy by default, and reads a hop count or the proxies\' addresses', () => {
      expect(loadAppConfig({}).abuseLimits.trustProxy).toBe(0);
      expect(loadAppConfig({ TRUST_PROXY: '1' }).abuseLimits.trustProxy).toBe(1);
      expect(loadAppConfig({ TRUST_PROXY: '2' }).abuseLimits.trustProxy).toBe(2);
      expect(loadAppConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8' }).abuseLimits.trustProxy).toEqual([
        '10.0.0.0/8',
        '127.0.0.1',
        'fd00::/8',
      ]);
    });

    it('names TRUST_PROXY when it is neither a hop count nor addresses', () => {
      for (const bad of ['true', '10.0.0.0/33', 'proxy.internal', '11', '10.0.0.1/8/1']) {
        expect(problemsFor({ TRUST_PROXY: bad })).toEqual([expect.stringMatching(/^TRUST_PROXY /)]);
      }
    });

    it('refuses production unless TRUST_PROXY says what is in front of the server, 0 included', () => {
      const { TRUST_PROXY: _trustProxy, ...unset } = COMPLETE_PRODUCTION_ENV;
      expect(problemsFor(unset)).toEqual([expect.stringMatching(/^TRUST_PROXY is required in production/)]);
      expect(loadAppConfig({ ...unset, TRUST_PROXY: '0' }).abuseLimits.trustProxy).toBe(0);
      expect(loadAppConfig({ ...unset, TRUST_PROXY: '10.0.0.0/8' }).abuseLimits.trustProxy).toEqual(['10.0.0.0/8']);
    });
  });

  describe('public address', () => {
    it('requires PUBLIC_BASE_URL in production', () => {
      const { PUBLIC_BASE_URL: _url, ...unset } = COMPLETE_PRODUCTION_ENV;
      expect(problemsFor(unset)).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL is required in production/)]);
    });

    it.each([
      ['plain HTTP', 'http://cas.bank.example', /^PUBLIC_BASE_URL must use https: in production/],
      ['plain HTTP on loopback', 'http://localhost:3000', /^PUBLIC_BASE_URL must use https: in production/],
      ['a loopback host', 'https://127.0.0.1:3000', /^PUBLIC_BASE_URL must be an address B-Trust can reach/],
      ['another scheme', 'ftp://cas.bank.example', /^PUBLIC_BASE_URL must use http: or https:/],
    ])('refuses %s for PUBLIC_BASE_URL in production', (_case, url, problem) => {
      expect(problemsFor({ ...COMPLETE_PRODUCTION_ENV, PUBLIC_BASE_URL: url })).toEqual([expect.stringMatching(problem)]);
    });

    it('allows plain HTTP outside production only for a loopback host', () => {
      for (const url of ['http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'http://cas.localhost']) {
        expect(loadAppConfig({ PUBLIC_BASE_URL: url }).publicBaseUrl).toBe(url);
      }
      expect(loadAppConfig({ PUBLIC_BASE_URL: 'https://cas.example' }).publicBaseUrl).toBe('https://cas.example');
      expect(problemsFor({ PUBLIC_BASE_URL: 'http://192.168.1.20:3000' })).toEqual([
        expect.stringMatching(/^PUBLIC_BASE_URL may use http: only for a loopback host/),
      ]);
    });

    it('refuses redirect origins that are not https in production, and names each', () => {
      const problems = problemsFor({ ...COMPLETE_PRODUCTION_ENV, ALLOWED_REDIRECT_ORIGINS: 'https://shop.example, http://shop.example, http://localhost:5173' });
      expect(problems).toEqual([
        expect.stringMatching(/^ALLOWED_REDIRECT_ORIGINS must list only https: origins in production, got "http:\/\/shop.example"/),
        expect.stringMatching(/^ALLOWED_REDIRECT_ORIGINS must list only https: origins in production, got "http:\/\/localhost:5173"/),
      ]);
      expect(loadAppConfig({ ...COMPLETE_PRODUCTION_ENV, ALLOWED_REDIRECT_ORIGINS: 'https://shop.example' }).identification.allowedRedirectOrigins).toEqual([
        'https://shop.example',
      ]);
      expect(loadAppConfig(COMPLETE_PRODUCTION_ENV).identification.allowedRedirectOrigins).toEqual(['https://cas.bank.example']);
      expect(loadAppConfig({ ALLOWED_REDIRECT_ORIGINS: 'http://localhost:5173' }).identification.allowedRedirectOrigins).toEqual(['http://localhost:5173']);
    });

    it('allows the loopback aliases of PUBLIC_BASE_URL by default in development only', () => {
      expect(loadAppConfig({ NODE_ENV: 'development', PORT: '4100' }).identification.allowedRedirectOrigins).toEqual([
        'http://localhost:4100',
        'http://127.0.0.1:4100',
        'http://[::1]:4100',
      ]);
      expect(loadAppConfig({ NODE_ENV: 'test', PUBLIC_BASE_URL: 'http://127.0.0.1:4100' }).identification.allowedRedirectOrigins).toEqual([
        'http://127.0.0.1:4100',
      ]);
      expect(
        loadAppConfig({ NODE_ENV: 'development', PUBLIC_BASE_URL: 'https://cas.dev.example' }).identification.allowedRedirectOrigins,
      ).toEqual(['https://cas.dev.example']);
      // A list the operator wrote is taken as written.
      expect(
        loadAppConfig({ NODE_ENV: 'development', ALLOWED_REDIRECT_ORIGINS: 'http://localhost:5173' }).identification.allowedRedirectOrigins,
      ).toEqual(['http://localhost:5173']);
    });
  });

  describe('HTTP connections and live status', () => {
    it('has defaults sized for 10 × 10 MB uploads on slow links and load balancers\' idle timeouts', () => {
      expect(loadAppConfig({}).httpConnections).toEqual({
        headersTimeoutMs: 20_000,
        bodyTimeoutMs: 30_000,
        requestTimeoutMs: 600_000,
        keepAliveTimeoutMs: 72_000,
        maxRequestsPerSocket: 1_000,
      });
      expect(loadAppConfig({}).liveStatus).toEqual({ maxStreamsPerUser: 10, maxStreams: 1_000 });
    });

    it('reads every limit', () => {
      const config = loadAppConfig({
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_BODY_TIMEOUT_MS: '2000',
        HTTP_REQUEST_TIMEOUT_MS: '3000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000',
        HTTP_MAX_REQUESTS_PER_SOCKET: '0',
        LIVE_STATUS_MAX_STREAMS_PER_USER: '2',
        LIVE_STATUS_MAX_STREAMS: '5',
      });
      expect(config.httpConnections).toEqual({
        headersTimeoutMs: 1000,
        bodyTimeoutMs: 2000,
        requestTimeoutMs: 3000,
        keepAliveTimeoutMs: 4000,
        maxRequestsPerSocket: 0,
      });
      expect(config.liveStatus).toEqual({ maxStreamsPerUser: 2, maxStreams: 5 });
    });

    it('names each bad limit', () => {
      const problems = problemsFor({
        HTTP_HEADERS_TIMEOUT_MS: 'soon',
        HTTP_BODY_TIMEOUT_MS: '0',
        HTTP_REQUEST_TIMEOUT_MS: '-1',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '99',
        HTTP_MAX_REQUESTS_PER_SOCKET: '1.5',
        LIVE_STATUS_MAX_STREAMS_PER_USER: '0',
        LIVE_STATUS_MAX_STREAMS: 'many',
      });
      expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual([
        'HTTP_BODY_TIMEOUT_MS',
        'HTTP_HEADERS_TIMEOUT_MS',
        'HTTP_KEEP_ALIVE_TIMEOUT_MS',
        'HTTP_MAX_REQUESTS_PER_SOCKET',
        'HTTP_REQUEST_TIMEOUT_MS',
        'LIVE_STATUS_MAX_STREAMS',
        'LIVE_STATUS_MAX_STREAMS_PER_USER',
      ]);
    });

    it('refuses a headers timeout longer than the request timeout, and a per-user cap above the global one', () => {
      expect(problemsFor({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '4000' })).toEqual([
        expect.stringMatching(/^HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/),
      ]);
      expect(problemsFor({ LIVE_STATUS_MAX_STREAMS_PER_USER: '20', LIVE_STATUS_MAX_STREAMS: '10' })).toEqual([
        expect.stringMatching(/^LIVE_STATUS_MAX_STREAMS_PER_USER must not exceed LIVE_STATUS_MAX_STREAMS/),
      ]);
    });
  });

  describe('idempotency keys', () => {
    it('leases a key for 30 s and remembers it for a day by default', () => {
      expect(loadAppConfig({}).idempotency).toEqual({ leaseMs: 30_000, keyTtlMs: 86_400_000 });
    });

    it('reads the lease and the time to live', () => {
      expect(loadAppConfig({ IDEMPOTENCY_LEASE_MS: '2000', IDEMPOTENCY_KEY_TTL_MS: '60000' }).idempotency).toEqual({
        leaseMs: 2_000,
        keyTtlMs: 60_000,
      });
    });

    it('names a bad value, and refuses a key forgotten before its lease can end', () => {
      expect(problemsFor({ IDEMPOTENCY_LEASE_MS: '10', IDEMPOTENCY_KEY_TTL_MS: 'a day' }).map((problem) => problem.split(' ')[0]).sort()).toEqual([
        'IDEMPOTENCY_KEY_TTL_MS',
        'IDEMPOTENCY_LEASE_MS',
      ]);
      expect(problemsFor({ IDEMPOTENCY_LEASE_MS: '60000', IDEMPOTENCY_KEY_TTL_MS: '30000' })).toEqual([
        expect.stringMatching(/^IDEMPOTENCY_KEY_TTL_MS must not be shorter than IDEMPOTENCY_LEASE_MS/),
      ]);
    });
  });

  describe('personal data', () => {
    const keyA = Buffer.alloc(32, 7).toString('base64');
    const keyB = Buffer.alloc(32, 9).toString('base64');

    it('reads a key ring whose first key encrypts, the index key and RETENTION_DAYS', () => {
      const { personalData } = loadAppConfig({
        DATA_ENCRYPTION_KEYS: `new:${keyB}, old:${keyA}`,
        DATA_INDEX_KEY: keyA,
        RETENTION_DAYS: '90',
      });
      expect(personalData.encryptionKeys?.map((key) => key.id)).toEqual(['new', 'old']);
      expect(personalData.encryptionKeys?.[0].key).toEqual(Buffer.alloc(32, 9));
      expect(personalData.indexKey).toEqual(Buffer.alloc(32, 7));
      expect(personalData.retentionDays).toBe(90);
    });

    it('leaves the keys to development defaults and keeps personal data 30 days when unset', () => {
      expect(loadAppConfig({}).personalData).toEqual({ encryptionKeys: undefined, indexKey: undefined, retentionDays: 30 });
    });

    it.each([
      ['no id', keyA],
      ['a short key', `a:${Buffer.alloc(16).toString('base64')}`],
      ['a key that is not base64', 'a:not*base64'],
      ['a duplicate id', `a:${keyA},a:${keyB}`],
      ['a bad id', `a b:${keyA}`],
    ])('names DATA_ENCRYPTION_KEYS for %s without echoing key material', (_case, value) => {
      const problems = problemsFor({ DATA_ENCRYPTION_KEYS: value });
      expect(problems).toEqual([expect.stringMatching(/^DATA_ENCRYPTION_KEYS /)]);
      expect(problems[0]).not.toContain(keyA);
    });

    it('names DATA_INDEX_KEY and RETENTION_DAYS when bad', () => {
      const problems = problemsFor({ DATA_INDEX_KEY: 'c2hvcnQ=', RETENTION_DAYS: '0' });
      expect(problems.map((problem) => problem.split(' ')[0]).sort()).toEqual(['DATA_INDEX_KEY', 'RETENTION_DAYS']);
    });

    it('refuses production without the encryption and index keys', () => {
      const { DATA_ENCRYPTION_KEYS: _keys, DATA_INDEX_KEY: _index, ...withoutKeys } = COMPLETE_PRODUCTION_ENV;
      expect(problemsFor(withoutKeys).map((problem) => problem.split(' ')[0]).sort()).toEqual([
        'DATA_ENCRYPTION_KEYS',
        'DATA_INDEX_KEY',
      ]);
      expect(problemsFor(COMPLETE_PRODUCTION_ENV)).toEqual([]);
    });
  });
});
