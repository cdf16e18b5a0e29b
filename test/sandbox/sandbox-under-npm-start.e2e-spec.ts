import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig } from '../../src/config/app-config';
import { LocalServices, provisionLocalServices } from '../../src/local-services';
import { ensureDevCertificates } from '../../src/sandbox/pki/dev-certificates';
import { builtEntry } from '../support/built-sources';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxWire } from '../support/sandbox-wire';

/**
 * The sandbox as `npm start` wires it when BTRUST_BASE_URL is unset: its
 * readings from SANDBOX_READINGS, its records in $DATA_DIR/sandbox (or
 * SANDBOX_DATA_DIR), kept across a restart of the services.
 */
describe('The sandbox started by npm start', () => {
  const started: LocalServices[] = [];

  afterEach(async () => {
    for (const services of started.splice(0)) await services.stop();
  });

  async function provision(env: Record<string, string>): Promise<LocalServices> {
    const fullEnv = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      // Never connected to here: provisioning starts only what the configuration leaves unset.
      DATABASE_URL: process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://unused@127.0.0.1:1/unused',
      SANDBOX_API_PORT: '0',
      SANDBOX_PAGES_PORT: '0',
      ...env,
    };
    const services = await provisionLocalServices(loadAppConfig(fullEnv), fullEnv);
    started.push(services);
    return services;
  }

  it('answers with the readings of SANDBOX_READINGS', async () => {
    const services = await provision({ DATA_DIR: await mkdtemp(join(tmpdir(), 'npm-start-')), SANDBOX_READINGS: 'dates=compact,review=manual' });
    expect(await new SandboxControl(services.sandboxPagesUrl!).readings()).toMatchObject({ dates: 'compact', review: 'manual', rejectedStatus: 400 });
  });

  it('refuses to start on a bad SANDBOX_READINGS, naming the variable and the reading', async () => {
    await expect(provision({ DATA_DIR: await mkdtemp(join(tmpdir(), 'npm-start-')), SANDBOX_READINGS: 'rejectedStatus=302' })).rejects.toThrow(
      'SANDBOX_READINGS is not a list of readings: reading rejectedStatus must be one of 400, 401, 403, 404, 500, got "302"',
    );
  });

  it('keeps the records in $DATA_DIR/sandbox across a restart, or in SANDBOX_DATA_DIR, or nowhere with memory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
    let services = await provision({ DATA_DIR: dataDir });
    const certificates = ensureDevCertificates(join(dataDir, 'certs'));
    let wire = new SandboxWire(services.config.btrust.baseUrl, certificates);
    const { callbackId } = (await wire.startMobile()).json.data;
    wire.close();
    expect(existsSync(join(dataDir, 'sandbox', 'mobile', callbackId, 'record.json'))).toBe(true);
    await services.stop();
    started.splice(0);

    services = await provision({ DATA_DIR: dataDir });
    wire = new SandboxWire(services.config.btrust.baseUrl, certificates);
    expect((await wire.pollMobile(callbackId)).json.status).toBe('ON_BOARDING');
    wire.close();

    const elsewhere = join(await mkdtemp(join(tmpdir(), 'npm-start-')), 'records');
    await provision({ DATA_DIR: await mkdtemp(join(tmpdir(), 'npm-start-')), SANDBOX_DATA_DIR: elsewhere });
    expect(existsSync(join(elsewhere, 'lock'))).toBe(true);

    const memoryOnly = await mkdtemp(join(tmpdir(), 'npm-start-'));
    await provision({ DATA_DIR: memoryOnly, SANDBOX_DATA_DIR: 'memory' });
    expect(existsSync(join(memoryOnly, 'sandbox'))).toBe(false);
  });
});

/** `npm run sandbox` runs src/sandbox/main.ts built; here it runs from the sources transpiled once per run, as the restart tests run the server. */
describe('The sandbox started by npm run sandbox', () => {

  function runSandbox(env: Record<string, string>, until: (output: string) => boolean): Promise<{ code: number | null; output: string }> {
    return new Promise((done) => {
      const child = spawn(process.execPath, [builtEntry('src/sandbox/main.ts')], {
        cwd: env.DATA_DIR,
        env: { PATH: process.env.PATH ?? '', SANDBOX_API_PORT: '0', SANDBOX_PAGES_PORT: '0', ...env },
      });
      let output = '';
      let stopping = false;
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (stopping || !until(output)) return;
        stopping = true;
        child.kill('SIGTERM');
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.on('exit', (code) => done({ code, output }));
    });
  }

  it('logs the readings of SANDBOX_READINGS and its data folder, and refuses a bad one with the variable named', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'npm-run-sandbox-'));
    const ready = await runSandbox({ DATA_DIR: dataDir, SANDBOX_READINGS: 'signedFileNames=renamed' }, (output) => output.includes('sandbox ready'));
    const line = JSON.parse(ready.output.split('\n').find((text) => text.includes('sandbox ready'))!);
    expect(line.readings).toEqual({ signedFileNames: 'renamed' });
    expect(line.dataDir).toBe(join(dataDir, 'sandbox'));
    expect(existsSync(join(dataDir, 'sandbox', 'mobile'))).toBe(true);
    // Stopped by SIGTERM, it let go of its folder.
    expect(ready.code).toBe(0);
    expect(existsSync(join(dataDir, 'sandbox', 'lock'))).toBe(false);

    const refused = await runSandbox({ DATA_DIR: dataDir, SANDBOX_READINGS: 'review=sometimes' }, () => false);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('The B-Trust sandbox did not start: SANDBOX_READINGS is not a list of readings: reading review must be one of automatic, manual');
  });
});
