import { loadAppConfig } from './config/app-config';
import type { ResolvedAppConfig } from './config/config.module';
import { startupSummary } from './startup-summary';

function facts(env: Record<string, string>, running: Partial<ResolvedAppConfig> = {}) {
  const configured = loadAppConfig({ NODE_ENV: 'development', ...env });
  const resolved = {
    ...configured,
    database: { ...configured.database, url: 'postgres://cas:s3cret@db.internal:5432/cas' },
    btrust: { ...configured.btrust, baseUrl: 'https://localhost:3443/signing-api/v2', relyingPartyId: '24102167' },
    ...running,
  } as ResolvedAppConfig;
  return { version: '1.2.3', configured, running: resolved, warnings: [] as string[] };
}

describe(startupSummary.name, () => {
  it('names every address, the database without its password, and the first sentence of each warning', () => {
    const lines = startupSummary({
      ...facts({}, { sandboxPagesUrl: 'http://localhost:3444' }),
      warnings: ['!!! AUTHENTICATION IS OFF: neither is set. More.', 'BTRUST_BASE_URL is not set: using the sandbox.'],
    }).map((line) => line.msg);
    expect(lines).toEqual([
      'btrust-cas 1.2.3 started in development mode',
      'API: http://localhost:3000/api/v1',
      'Swagger UI: http://localhost:3000/docs (OpenAPI document at http://localhost:3000/docs-json)',
      'Demo: http://localhost:3000/demo',
      'B-Trust: the built-in sandbox; its pages at http://localhost:3444 (B-Trust MOBILE at http://localhost:3444/mobile), its CLI: npm run sandbox:cli -- --help',
      'Database: embedded PostgreSQL, postgres://cas:***@db.internal:5432/cas',
      '2 warning(s) above: AUTHENTICATION IS OFF | BTRUST_BASE_URL is not set',
    ]);
  });

  it('says what is off and which B-Trust it talks to when there is no sandbox', () => {
    const lines = startupSummary(facts({ SWAGGER_ENABLED: 'false', DEMO_ENABLED: 'false', DATABASE_URL: 'postgres://cas@db.internal/cas' })).map(
      (line) => line.msg,
    );
    expect(lines).toContain('Swagger UI: off (SWAGGER_ENABLED=true serves it)');
    expect(lines).toContain('Demo: off (DEMO_ENABLED=true serves it)');
    expect(lines).toContain('B-Trust: https://localhost:3443/signing-api/v2');
    expect(lines).toContain('Database: postgres://cas:***@db.internal:5432/cas');
    expect(lines.some((line) => line.includes('warning'))).toBe(false);
  });
});
