import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { DevCertificateFiles } from '../../src/sandbox/pki/dev-certificates';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { samplePdf } from '../support/sandbox-wire';
import { portOf, providerEnv, startStandaloneSandbox } from '../support/standalone-sandbox';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * The provider restarts under a running server. With its data folder the
 * sandbox remembers every open flow, so the server's next question gets the
 * real answer, not "unknown id" taken for a refusal, and each flow ends in
 * the state the person chose.
 */
describe('The sandbox restarted under a running server', () => {
  let certificates: DevCertificateFiles;
  let dataDir: string;
  let sandbox: RunningSandbox;
  let control: SandboxControl;
  let server: TestServer;

  beforeAll(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'sandbox-restart-')), 'sandbox');
    ({ sandbox, certificates } = await startStandaloneSandbox({ dataDir }));
    control = new SandboxControl(sandbox.pagesBaseUrl);
    server = await startTestServer({
      ...providerEnv(sandbox, certificates),
      MOBILE_POLL_INITIAL_INTERVAL_MS: '150',
      MOBILE_POLL_MAX_INTERVAL_MS: '600',
      WEB_RECONCILE_QUIET_PERIOD_MS: '500',
      WEB_RECONCILE_INTERVAL_MS: '500',
      BTRUST_TIMEOUT_MS: '1500',
      BTRUST_RETRY_ATTEMPTS: '2',
      BTRUST_BREAKER_THRESHOLD: '50',
      BTRUST_BREAKER_COOLDOWN_MS: '500',
    });
  });

  afterAll(async () => {
    await server?.stop();
    await sandbox?.close();
  });

  const api = () => request(server.url);
  const db = () => server.app.get(DataSource);
  const statusOf = async (path: string) => (await api().get(path).expect(200)).body;

  /** Stops the provider for a moment (the server's calls meanwhile are refused) and starts it on the same folder and ports. */
  async function restartSandbox(): Promise<void> {
    const ports = { apiPort: portOf(sandbox.apiBaseUrl), pagesPort: portOf(sandbox.pagesBaseUrl) };
    await sandbox.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    ({ sandbox } = await startStandaloneSandbox({ dataDir, certificates, ...ports }));
    control = new SandboxControl(sandbox.pagesBaseUrl);
  }

  it('completes a mobile identification that was open when the sandbox restarted', async () => {
    const created = await api()
      .post('/api/v1/mobile-identifications')
      .send({ docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Sandbox restart' })
      .expect(201);
    const path = `/api/v1/mobile-identifications/${created.body.id}`;
    await eventually(() => statusOf(path), (body) => body.status === 'ON_BOARDING' || body.status === 'IN_PROGRESS');

    await restartSandbox();
    const [row] = await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [created.body.id]);
    // The server keeps polling the restarted provider, which still knows the identification.
    await eventually(() => control.calls(), (calls) => calls.getIdentificationResult >= 1);
    expect((await statusOf(path)).status).not.toMatch(/REJECTED|EXPIRED|FAILED/);
    await control.post(`/sandbox/mobile-identifications/${row.provider_callback_id}/complete`);
    const completed = await eventually(() => statusOf(path), (body) => !['PENDING', 'ON_BOARDING', 'IN_PROGRESS'].includes(body.status));
    expect(completed.status).toBe('COMPLETED');
  });

  it('identifies a web identification started before the sandbox restarted', async () => {
    const created = await api()
      .post('/api/v1/web-identifications')
      .send({ reason: 'Sandbox restart', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` })
      .expect(201);
    const [row] = await db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [created.body.id]);

    await restartSandbox();
    await control.post(`/sandbox/web-identifications/${row.web_session_id}/approve`);
    const path = `/api/v1/web-identifications/${created.body.id}`;
    const ended = await eventually(() => statusOf(path), (body) => body.status !== 'STARTED');
    expect(ended.status).toBe('IDENTIFIED');
  });

  it('finishes a signing that was pending when the sandbox restarted, with the documents it was sent', async () => {
    const identification = await api()
      .post('/api/v1/web-identifications')
      .send({ reason: 'Sandbox restart signing', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` })
      .expect(201);
    const [row] = await db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [identification.body.id]);
    await control.post(`/sandbox/web-identifications/${row.web_session_id}/approve`);
    await eventually(() => statusOf(`/api/v1/web-identifications/${identification.body.id}`), (body) => body.status === 'IDENTIFIED');

    const original = await samplePdf('A contract signed across a provider restart');
    const signing = await api()
      .post(`/api/v1/web-identifications/${identification.body.id}/signings`)
      .send({
        documents: [{ fileName: 'contract.pdf', title: 'Contract', contentBase64: original.toString('base64') }],
        successUrl: `${server.url}/signed`,
        cancelUrl: `${server.url}/not-signed`,
      })
      .expect(201);

    await restartSandbox();
    const pending = (await control.state()).signings.find((candidate) => candidate.state === 'PENDING');
    expect(pending).toBeDefined();
    await control.post(`/sandbox/signings/${pending!.resultId}/sign`);
    const path = `/api/v1/signings/${signing.body.id}`;
    const ended = await eventually(() => statusOf(path), (body) => body.status !== 'PENDING', 30_000);
    expect(ended.status).toBe('SIGNED');
    const document = await api().get(`${path}/documents/0`).expect(200);
    expect(Buffer.from(document.body).subarray(0, original.length).equals(original)).toBe(true);
  });
});
