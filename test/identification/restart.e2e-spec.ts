import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import request from 'supertest';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { builtEntry } from '../support/built-sources';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { providerEnv, startStandaloneSandbox } from '../support/standalone-sandbox';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { freePort } from '../support/test-server';

const ROOT = resolve(__dirname, '../..');

/**
 * The server runs in a child process here, so that it can be killed with
 * SIGKILL mid-flow; the sandbox lives in the test process and survives.
 */
describe('A server killed with SIGKILL mid-flow', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let control: SandboxControl;
  let env: Record<string, string>;
  let url: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    const standalone = await startStandaloneSandbox();
    sandbox = standalone.sandbox;
    const { certificates } = standalone;
    control = new SandboxControl(sandbox.pagesBaseUrl);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      DATABASE_URL: database.url,
      ...providerEnv(sandbox, certificates),
      DATA_ENCRYPTION_KEYS: 'restart:z1QDa+nePruO0OlAqDanRCC54A0cmeMWmkQsKDNQfzg=',
      DATA_INDEX_KEY: 'daHBED00eHE1AVqHv5hET1w1DCBSxTB24pqzvdqYjs0=',
      WEB_RECONCILE_QUIET_PERIOD_MS: '500',
      WEB_RECONCILE_INTERVAL_MS: '500',
      MOBILE_POLL_INITIAL_INTERVAL_MS: '1000',
      MOBILE_POLL_MAX_INTERVAL_MS: '1000',
    };
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await sandbox?.close();
    await database?.drop();
  });

  async function startServer(): Promise<ChildProcess> {
    const started = spawn(process.execPath, [builtEntry('src/main.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await eventually(
      () => request(url).get('/health').then((response) => response.status, () => 0),
      (status) => status === 200,
      45_000,
    );
    return started;
  }

  async function killHard(process: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => process.once('exit', resolve));
    process.kill('SIGKILL');
    await exited;
  }

  // Each start is a fresh process that connects, migrates and recovers: slow on a busy 2-core machine.
  jest.setTimeout(180_000);

  it('resumes polling after a restart and completes the mobile identification', async () => {
    child = await startServer();
    const created = await request(url)
      .post('/api/v1/mobile-identifications')
      .send({ docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Restart test' })
      .expect(201);
    await eventually(() => control.totalCalls(), (calls) => calls >= 2);

    await killHard(child);
    const [pending] = (await control.state()).mobileIdentifications;
    await control.post(`/sandbox/mobile-identifications/${pending.callbackId}/complete`);

    child = await startServer();
    const completed = await eventually(
      async () => (await request(url).get(`/api/v1/mobile-identifications/${created.body.id}`)).body,
      (body) => body.status === 'COMPLETED',
      // A poll the killed process held is handed out again once it expires (a minute at most).
      120_000,
    );
    expect(completed.identificator).toEqual(expect.any(String));
  });

  it('finishes a web identification approved just before the kill once the server is back', async () => {
    const created = await request(url)
      .post('/api/v1/web-identifications')
      .send({ reason: 'Restart test', successUrl: `${url}/ok`, cancelUrl: `${url}/cancel` })
      .expect(201);
    const [web] = (await control.state()).webIdentifications;
    await control.post(`/sandbox/web-identifications/${web.webSessionId}/approve`);
    await eventually(
      () => control.get<{ deliveries: Array<{ outcome: string }> }>('/sandbox/callbacks/deliveries'),
      (result) => result.deliveries.some((delivery) => delivery.outcome === 'delivered'),
    );
    await killHard(child!);

    child = await startServer();
    await eventually(
      async () => (await request(url).get(`/api/v1/web-identifications/${created.body.id}`)).body,
      (body) => body.status === 'IDENTIFIED',
      120_000,
    );
  });

  it('finishes a signing whose webhook went to the dead server once the server is back', async () => {
    const identification = await request(url)
      .post('/api/v1/web-identifications')
      .send({ reason: 'Restart signing', successUrl: `${url}/ok`, cancelUrl: `${url}/cancel` })
      .expect(201);
    const web = (await control.state()).webIdentifications.find((record) => record.state !== 'IDENTIFIED')!;
    await control.post(`/sandbox/web-identifications/${web.webSessionId}/approve`);
    await eventually(
      async () => (await request(url).get(`/api/v1/web-identifications/${identification.body.id}`)).body.status,
      (status) => status === 'IDENTIFIED',
    );
    const document = await PDFDocument.create();
    document.addPage([595.28, 841.89]);
    const pdf = Buffer.from(await document.save());
    const signing = await request(url)
      .post(`/api/v1/web-identifications/${identification.body.id}/signings`)
      .send({
        documents: [{ fileName: 'contract.pdf', title: 'Contract', contentBase64: pdf.toString('base64') }],
        successUrl: `${url}/signed`,
        cancelUrl: `${url}/not-signed`,
      })
      .expect(201);

    await killHard(child!);
    const pending = (await control.state()).signings.find((record) => record.state !== 'SIGNED')!;
    await control.post(`/sandbox/signings/${pending.resultId}/sign`);

    child = await startServer();
    const signed = await eventually(
      async () => (await request(url).get(`/api/v1/signings/${signing.body.id}`)).body,
      (body) => body.status === 'SIGNED',
      60_000,
    );
    expect(signed.documents[0].verification.valid).toBe(true);
  });
});
