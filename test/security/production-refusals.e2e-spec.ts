import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtEntry } from '../support/built-sources';

/** Everything production needs but the addresses under test; the files need not exist, configuration is checked first. */
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://cas:pw@127.0.0.1:1/cas',
  BTRUST_BASE_URL: 'https://cqes-rpuat.b-trust.bg/signing-api/v2',
  BTRUST_RELYING_PARTY_ID: '24102167',
  BTRUST_CLIENT_PFX: '/run/secrets/cas.pfx',
  BTRUST_SIGNING_TRUST_ANCHORS: '/run/secrets/btrust-signing-cas.pem',
  AUTH_JWT_SECRET: 'a-shared-secret-of-at-least-32-bytes!',
  METRICS_PORT: '9464',
  DATA_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  DATA_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
};

/** Runs the server's entry point as `npm start` does (built once per run, built-sources.ts), in an empty directory, and returns how it ended. */
async function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const cwd = await mkdtemp(join(tmpdir(), 'btrust-cas-refusal-'));
  const child = spawn(process.execPath, [builtEntry('src/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, stderr };
}

describe('Production start-up refuses wrong public addresses, naming the variable', () => {
  it('refuses a missing PUBLIC_BASE_URL, a missing TRUST_PROXY, plain-HTTP redirect origins and a plain-HTTP PUBLIC_BASE_URL', async () => {
    const [missing, plainHttp] = await Promise.all([
      start({ ...PRODUCTION, ALLOWED_REDIRECT_ORIGINS: 'https://shop.example,http://shop.example' }),
      start({ ...PRODUCTION, PUBLIC_BASE_URL: 'http://cas.bank.example', TRUST_PROXY: '1' }),
    ]);

    expect(missing.code).toBe(1);
    const problems = missing.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}- PUBLIC_BASE_URL is required in production/),
        expect.stringMatching(/^ {2}- ALLOWED_REDIRECT_ORIGINS must list only https: origins in production, got "http:\/\/shop.example"/),
        expect.stringMatching(/^ {2}- TRUST_PROXY is required in production/),
      ]),
    );
    expect(missing.stderr).toMatch(/^Start-up failed: Invalid configuration:/);

    expect(plainHttp.code).toBe(1);
    expect(plainHttp.stderr).toContain('PUBLIC_BASE_URL must use https: in production, got "http:"');
    // A configuration problem is the operator's to fix: named, without a stack trace.
    expect(plainHttp.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
