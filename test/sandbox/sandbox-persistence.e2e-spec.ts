import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates, type DevCertificateFiles } from '../../src/sandbox/pki/dev-certificates';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxWire, WebhookReceiver, samplePdf } from '../support/sandbox-wire';
import { startStandaloneSandbox } from '../support/standalone-sandbox';
import { testCertificates } from '../support/test-certificates';

/**
 * A sandbox with a data folder, stopped and started again on the same
 * folder: the provider remembers every open flow, as B-Trust would, and
 * each can still be finished over mutual TLS.
 */
describe('A sandbox restarted on its data folder', () => {
  let certificates: DevCertificateFiles;
  let dataDir: string;
  let sandbox: RunningSandbox;
  let wire: SandboxWire;
  let webhooks: WebhookReceiver;

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'sandbox-persistence-'));
    certificates = testCertificates(join(root, 'certs'));
    dataDir = join(root, 'sandbox');
    webhooks = await new WebhookReceiver().start();
  });

  afterAll(async () => {
    wire?.close();
    await sandbox?.close();
    await webhooks?.stop();
  });

  async function start(): Promise<SandboxControl> {
    ({ sandbox } = await startStandaloneSandbox({ certificates, dataDir }));
    if (wire) wire.retarget(sandbox.apiBaseUrl);
    else wire = new SandboxWire(sandbox.apiBaseUrl, certificates);
    return new SandboxControl(sandbox.pagesBaseUrl);
  }

  async function restart(): Promise<SandboxControl> {
    await sandbox.close();
    return start();
  }

  it('still knows an open mobile identification, web identification and signing, and each can be finished', async () => {
    let control = await start();
    const { callbackId } = (await wire.startMobile()).json.data;
    expect((await wire.pollMobile(callbackId)).json.status).toBe('ON_BOARDING');
    await control.setRecordReadings({ mobileIdentification: callbackId }, { eidCertificate: 'missing-first' });

    const web = await wire.startWeb(webhooks.url('persist-web'));

    const signer = await wire.startWeb(webhooks.url('persist-sign'));
    await control.post(`/sandbox/web-identifications/${signer.webSessionId}/approve`);
    const metadata = (await wire.webResult(signer.resultId, signer.webSessionId, true)).json.data;
    const original = await samplePdf('kept across a restart');
    const signing = await wire.startSigning(metadata.clientIdentificator, metadata.signSessionId, [{ fileName: 'contract.pdf', content: original }]);
    const signingResultId = signing.json.data.resultId as number;
    // A webhook still waiting for its delay when the sandbox stops is not sent.
    await webhooks.waitFor('persist-sign');

    control = await restart();

    // Mobile: its state and its own readings came back; it goes on from where it was.
    expect((await wire.pollMobile(callbackId)).json.status).toBe('IN_PROGRESS');
    await control.post(`/sandbox/mobile-identifications/${callbackId}/complete`);
    const withheld = await wire.pollMobile(callbackId);
    expect(withheld.json).toMatchObject({ status: 'FINISHED' });
    expect(withheld.json.data).not.toHaveProperty('content');
    expect((await wire.pollMobile(callbackId)).json.data.content).toEqual(expect.any(String));

    // Web identification: registered before, approved after.
    expect((await wire.registrationStatus(web.registrationId)).json.status).toBe('STARTED');
    await control.post(`/sandbox/web-identifications/${web.webSessionId}/approve`);
    const result = await wire.webResult(web.resultId, web.webSessionId);
    expect(result.status).toBe(200);
    expect(Buffer.from(result.json.data.eIDDocAsBase64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Signing: the documents came back with it.
    await control.post(`/sandbox/signings/${signingResultId}/sign`);
    const signed = await wire.signedDocuments(signingResultId, metadata.signSessionId);
    expect(signed.status).toBe(200);
    const signedPdf = Buffer.from(signed.json.data.signDocuments[0].contentAsBase64, 'base64');
    expect(signedPdf.subarray(0, original.length).equals(original)).toBe(true);

    // The id sequences go on: no result id is handed out twice.
    const later = await wire.startWeb(webhooks.url('persist-later'));
    expect(later.resultId).toBeGreaterThan(signingResultId);
    const [approved] = await webhooks.waitFor('persist-web');
    const [signedWebhook] = (await webhooks.waitFor('persist-sign', 2)).slice(1);
    expect(signedWebhook.requestId).toBeGreaterThan(0);
    expect(new Set([approved.requestId, signedWebhook.requestId]).size).toBe(2);
  });

  it('keeps a signed result readable across a restart', async () => {
    let control = new SandboxControl(sandbox.pagesBaseUrl);
    const person = await wire.startWeb(webhooks.url('persist-signed'));
    await control.post(`/sandbox/web-identifications/${person.webSessionId}/approve`);
    const metadata = (await wire.webResult(person.resultId, person.webSessionId, true)).json.data;
    const started = await wire.startSigning(metadata.clientIdentificator, metadata.signSessionId, [
      { fileName: 'a.pdf', content: await samplePdf('a') },
      { fileName: 'b.pdf', content: await samplePdf('b') },
    ]);
    await control.post(`/sandbox/signings/${started.json.data.resultId}/sign`);
    const before = await wire.signedDocuments(started.json.data.resultId, metadata.signSessionId);

    control = await restart();
    const after = await wire.signedDocuments(started.json.data.resultId, metadata.signSessionId);
    expect(after.json).toEqual(before.json);
    expect((await control.state()).signings.map((signing) => String(signing.resultId))).toContain(String(started.json.data.resultId));
  });

  it('answers a record it lost, or one past retention, as an unknown id', async () => {
    const lost = (await wire.startMobile()).json.data.callbackId as string;
    const old = (await wire.startMobile()).json.data.callbackId as string;
    await sandbox.close();
    await rm(join(dataDir, 'mobile', lost), { recursive: true });
    const oldFile = join(dataDir, 'mobile', old, 'record.json');
    const stored = JSON.parse(await readFile(oldFile, 'utf8'));
    stored.record.createdAt = new Date(Date.now() - 25 * 3_600_000).toISOString();
    await writeFile(oldFile, JSON.stringify(stored));

    await start();
    for (const callbackId of [lost, old]) {
      const answer = await wire.pollMobile(callbackId);
      expect([answer.status, answer.json]).toEqual([404, { data: null, code: 'REJECTED', message: 'The request is rejected.' }]);
    }
  });

  it('refuses to start a second sandbox on a folder a running one uses', async () => {
    await expect(startStandaloneSandbox({ certificates, dataDir })).rejects.toThrow(
      `${dataDir} holds the records of another running sandbox (process ${process.pid}); give this one another folder (SANDBOX_DATA_DIR`,
    );
    // The running one is unharmed.
    expect((await wire.startMobile()).status).toBe(200);
  });
});
