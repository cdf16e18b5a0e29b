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
    const config = loadAppConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://cas:pw@db:5432/cas',
      BTRUST_BASE_URL: 'https://cqes-rpuat.b-trust.bg/signing-api/v2/',
      BTRUST_RELYING_PARTY_ID: '24102167',
      BTRUST_CLIENT_PFX: '/run/secrets/cas.pfx',
    });
    expect(config.btrust.baseUrl).toBe('https://cqes-rpuat.b-trust.bg/signing-api/v2');
  });
});
