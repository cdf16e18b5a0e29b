import { createServer, Server } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import {
  IssuedCertificate,
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
} from './pki/certificate-authority';
import { RunningSandbox, SandboxPortInUseError, startSandbox } from './sandbox-server';
import { WireAnswer, collect } from '../../test/support/sandbox-wire';

const RELYING_PARTY_ID = '24102167';
const SAMPLE_EGN = '7805166742';

type Answer = WireAnswer;

interface ReceivedCallback {
  path: string;
  body: any;
}

let sandbox: RunningSandbox;
let sandboxCa: IssuedCertificate;
let clientAgent: Agent;
let client: IssuedCertificate;
let callbackServer: Server;
let callbackBaseUrl: string;
let received: ReceivedCallback[] = [];
let certificatesDir: string;
let samplePdf: Buffer;

function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; agent?: Agent } = {},
): Promise<Answer> {
  const url = new URL(sandbox.apiBaseUrl + path);
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        agent: options.agent ?? clientAgent,
        headers: {
          accept: 'application/json',
          relyingPartyID: RELYING_PARTY_ID,
          ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}),
          ...options.headers,
        },
      },
      (res) => collect(res, resolve, reject),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function pages(method: string, path: string, form?: Record<string, string>, json?: unknown): Promise<Answer> {
  const url = new URL(path, sandbox.pagesBaseUrl);
  const payload =
    form !== undefined ? Buffer.from(new URLSearchParams(form).toString()) : json !== undefined ? Buffer.from(JSON.stringify(json)) : undefined;
  const contentType = form !== undefined ? 'application/x-www-form-urlencoded' : 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {} },
      (res) => collect(res, resolve, reject),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 4000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function callbacksFor(token: string): ReceivedCallback[] {
  return received.filter((callback) => callback.path === `/callbacks/${token}`);
}

async function startIdentification(token: string) {
  const start = await call('POST', '/identification/web/websession/start', {
    body: { requestCallbackUrl: `${callbackBaseUrl}/callbacks/${token}`, identificationReason: 'TEST IDENTIFICATION' },
  });
  const { webSessionId, resultId } = start.json.data;
  const registration = await call('POST', `/identification/web/sessions/by-otc-request/${webSessionId}`, {
    body: {
      cancelUrl: 'https://rp.example/cancel',
      deviceFingerprint: {},
      externalRef: '1',
      successUrl: 'https://rp.example/ok',
      userLanguage: 'bg',
      verifyEmailAddress: true,
      verifyPhoneNumber: true,
      showGtcGdp: true,
      showMainInfo: true,
    },
  });
  return { start, registration, webSessionId: webSessionId as string, resultId: resultId as number };
}

async function identifiedPerson(token: string) {
  const flow = await startIdentification(token);
  await pages('POST', `/sandbox/web-identifications/${flow.webSessionId}/approve`, undefined, {});
  const result = await call('GET', `/identification/web/${flow.resultId}/result/CREATE_SIGN_SESSION_REQUEST/${flow.webSessionId}/true`);
  return { ...flow, clientIdentificator: result.json.data.clientIdentificator as string, signSessionId: result.json.data.signSessionId as string };
}

function signSessionRequest(identificator: string, signSessionId: string) {
  return {
    identificator,
    signSessionId,
    documentsForSign: [
      {
        contentAsBase64: samplePdf.toString('base64'),
        fileName: 'contract.pdf',
        legalFileName: 'LOAN CONTRACT <No. 1>',
        padesVisualSignature: true,
        signaturePosition: { imageHeight: 60, imageWidth: 180, imageXAxis: 50, imageYAxis: 50, pageNumber: 1 },
        toBeArchived: false,
      },
    ],
    sendSignedDocumentsByEmail: false,
    cancelUrl: 'https://rp.example/sign-cancel',
    successUrl: 'https://rp.example/sign-ok',
  };
}

let sandboxTls: { caPem: string; serverCertPem: string; serverKeyPem: string };

beforeAll(async () => {
  certificatesDir = mkdtempSync(join(tmpdir(), 'sandbox-spec-'));
  sandboxCa = createCertificateAuthority('Sandbox Spec CA');
  const server = issueServerCertificate(sandboxCa, ['localhost', '127.0.0.1']);
  sandboxTls = { caPem: sandboxCa.certificatePem, serverCertPem: server.certificatePem, serverKeyPem: server.privateKeyPem };
  client = issueClientCertificate(sandboxCa, 'Spec Relying Party');
  clientAgent = new Agent({ ca: sandboxCa.certificatePem, cert: client.certificatePem, key: client.privateKeyPem, keepAlive: false });

  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  document.addPage([595, 842]).drawText('Contract to sign', { x: 50, y: 780, size: 14, font });
  samplePdf = Buffer.from(await document.save({ useObjectStreams: false }));

  callbackServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  callbackBaseUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}`;

  sandbox = await startSandbox({
    apiPort: 0,
    pagesPort: 0,
    tls: sandboxTls,
    signingCa: sandboxCa,
    relyingPartyId: RELYING_PARTY_ID,
    callbackDelayMs: 10,
  });
}, 30_000);

afterAll(async () => {
  await sandbox?.close();
  clientAgent?.destroy();
  await new Promise((resolve) => callbackServer?.close(resolve));
  rmSync(certificatesDir, { recursive: true, force: true });
});

afterEach(async () => {
  await pages('DELETE', '/sandbox/faults');
  await pages('POST', '/sandbox/callbacks/knobs', undefined, { duplicate: 0, drop: 0, reorder: 0 });
});

describe(startSandbox.name, () => {
  it('refuses a port another program holds, naming its setting, and leaves that program alone', async () => {
    const busyPort = Number(new URL(sandbox.apiBaseUrl).port);
    const start = startSandbox({
      apiPort: busyPort,
      pagesPort: 0,
      tls: sandboxTls,
      signingCa: sandboxCa,
      relyingPartyId: RELYING_PARTY_ID,
    });
    await expect(start).rejects.toThrow(SandboxPortInUseError);
    await expect(start).rejects.toThrow(`Port ${busyPort}`);
    await expect(start).rejects.toThrow('SANDBOX_API_PORT');
    // The sandbox already on that port still answers.
    expect((await pages('GET', '/sandbox/readings')).status).toBe(200);
  });

  describe('transport and authorization', () => {
    it('publishes its URLs on localhost', () => {
      expect(sandbox.apiBaseUrl).toMatch(/^https:\/\/localhost:\d+\/signing-api\/v2$/);
      expect(sandbox.pagesBaseUrl).toMatch(/^http:\/\/localhost:\d+$/);
      expect(sandbox.identificationUrlTemplate).toBe(`${sandbox.pagesBaseUrl}/session/{sessionId}`);
    });

    it('fails the TLS handshake of a client without a certificate', async () => {
      const anonymous = new Agent({ ca: sandboxCa.certificatePem });
      await expect(call('GET', '/identification/whatever', { agent: anonymous })).rejects.toThrow();
      anonymous.destroy();
    });

    it('refuses a client certificate from another CA', async () => {
      const otherCa = createCertificateAuthority('Other CA');
      const stranger = issueClientCertificate(otherCa, 'Stranger');
      const agent = new Agent({ ca: sandboxCa.certificatePem, cert: stranger.certificatePem, key: stranger.privateKeyPem });
      await expect(call('GET', '/identification/whatever', { agent })).rejects.toThrow();
      agent.destroy();
    });

    it('answers 401 UNAUTHORIZED to a wrong or missing relyingPartyID', async () => {
      const wrong = await call('GET', '/identification/whatever', { headers: { relyingPartyID: '999' } });
      expect(wrong.status).toBe(401);
      expect(wrong.json).toEqual({ code: 'UNAUTHORIZED', message: 'The request is unauthorized.' });

      const missing = await call('GET', '/identification/whatever', { headers: { relyingPartyID: '' } });
      expect(missing.status).toBe(401);
    });

    it('accepts the doubled slash the document shows and localizes messages in Bulgarian', async () => {
      const url = new URL(sandbox.apiBaseUrl);
      const answer = await new Promise<Answer>((resolve, reject) => {
        const req = httpsRequest(
          { host: 'localhost', port: url.port, path: '//signing-api/v2//identification/web/websession/start', method: 'POST', agent: clientAgent,
            headers: { relyingPartyID: RELYING_PARTY_ID, 'content-type': 'application/json', 'accept-language': 'bg' } },
          (res) => collect(res, resolve, reject),
        );
        req.on('error', reject);
        req.end(JSON.stringify({ requestCallbackUrl: `${callbackBaseUrl}/callbacks/slash`, identificationReason: 'x' }));
      });
      expect(answer.status).toBe(200);
      expect(answer.json.message).toBe('Успешна операция');
    });
  });

  describe('scenario 1: mobile identification', () => {
    const request = {
      personIdentityData: { docType: 'EGN', identificatorValue: SAMPLE_EGN, dateOfBirth: '16-05-1978' },
      phoneNumber: '+359888133443',
      email: 'person@example.com',
      payer: 'RELYING_PARTY',
      identificationReason: 'TEST IDENTIFICATION REASON',
    };

    it('answers 206 without data while in progress, then 200 FINISHED with a real eID certificate', async () => {
      const created = await call('POST', '/identification', { body: request });
      expect(created.status).toBe(200);
      expect(created.json).toMatchObject({ responseCode: 'ACCEPTED', code: 'ACCEPTED', message: 'The request has been accepted.' });
      const { callbackId, validity } = created.json.data;
      expect(validity).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);

      const first = await call('GET', `/identification/${callbackId}`);
      expect(first.status).toBe(206);
      expect(first.json).toEqual({ status: 'ON_BOARDING', responseCode: 'OK', code: 'OK', message: 'The request has been executed successfully.' });
      const second = await call('GET', `/identification/${callbackId}`);
      expect(second.status).toBe(206);
      expect(second.json.status).toBe('IN_PROGRESS');
      expect(second.json).not.toHaveProperty('data');

      const completed = await pages('POST', `/sandbox/mobile-identifications/${callbackId}/complete`, undefined, {});
      expect(completed.json).toEqual({ callbackId, state: 'FINISHED' });

      const finished = await call('GET', `/identification/${callbackId}`);
      expect(finished.status).toBe(200);
      expect(finished.json).toMatchObject({ responseCode: 'GENERAL_OK', status: 'FINISHED', code: 'OK', message: 'Successful operation' });
      expect(finished.json.data.identification_before).toBe('BORICA');
      expect(finished.json.data.identification_reason).toBe('TEST IDENTIFICATION REASON');
      expect(finished.json.data.identificator).toMatch(/^[0-9a-f]{64}$/);
      const pdf = Buffer.from(finished.json.data.content, 'base64');
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.includes('/ByteRange')).toBe(true);

      const again = await call('POST', '/identification', { body: request });
      await pages('POST', `/sandbox/mobile-identifications/${again.json.data.callbackId}/complete`);
      const secondResult = await call('GET', `/identification/${again.json.data.callbackId}`);
      expect(secondResult.json.data.identificator).toBe(finished.json.data.identificator);
    });

    it('answers the REJECTED body once the person rejects or the request expires', async () => {
      const rejectedOne = await call('POST', '/identification', { body: request });
      await pages('POST', `/mobile/${rejectedOne.json.data.callbackId}/reject`, {});
      const rejected = await call('GET', `/identification/${rejectedOne.json.data.callbackId}`);
      expect(rejected.status).toBe(400);
      expect(rejected.json).toEqual({ data: null, code: 'REJECTED', message: 'The request is rejected.' });

      const expiredOne = await call('POST', '/identification', { body: request });
      await pages('POST', `/sandbox/mobile-identifications/${expiredOne.json.data.callbackId}/expire`);
      const expired = await call('GET', `/identification/${expiredOne.json.data.callbackId}`);
      expect(expired.json.code).toBe('REJECTED');
    });

    it('lists pending identifications on the simulated mobile app page, identifier masked', async () => {
      const created = await call('POST', '/identification', { body: request });
      const page = await pages('GET', '/mobile');
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.text).toContain(created.json.data.callbackId);
      expect(page.text).not.toContain(SAMPLE_EGN);
    });

    it('answers 404 REJECTED to an unknown callbackId', async () => {
      const unknown = await call('GET', '/identification/a2c25bcd-00f0-4128-8890-fbcb26fc2f81');
      expect(unknown.status).toBe(404);
      expect(unknown.json).toEqual({ data: null, code: 'REJECTED', message: 'The request is rejected.' });
    });

    it.each([
      ['a bad docType', { ...request, personIdentityData: { ...request.personIdentityData, docType: 'PASSPORT' } }],
      ['a bad dateOfBirth', { ...request, personIdentityData: { ...request.personIdentityData, dateOfBirth: '1978-05-16' } }],
      ['an EGN with a wrong check digit', { ...request, personIdentityData: { ...request.personIdentityData, identificatorValue: '7805166743' } }],
      ['no payer', { ...request, payer: undefined }],
    ])('answers 400 BAD_REQUEST to %s', async (_case, body) => {
      const answer = await call('POST', '/identification', { body });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual({
        code: 'BAD_REQUEST',
        message: 'The request could not be understood by the server due to malformed syntax (invalid request parameters).',
      });
    });
  });

  describe('scenarios 2, 4, 5: web identification', () => {
    it('registers unenveloped, identifies through the video page and calls back with a string resultId', async () => {
      const { start, registration, webSessionId, resultId } = await startIdentification('web-ok');
      expect(start.json).toMatchObject({ responseCode: 'ACCEPTED', code: 'ACCEPTED' });
      expect(typeof resultId).toBe('number');
      expect(registration.status).toBe(200);
      expect(registration.json).not.toHaveProperty('data');
      expect(registration.json).toMatchObject({
        successUrl: 'https://rp.example/ok',
        cancelUrl: 'https://rp.example/cancel',
        userLanguage: 'bg',
        serviceName: `OTC_RELYING_PARTY_${RELYING_PARTY_ID}`,
        otcRequestId: webSessionId,
      });
      const { sessionId, registrationId } = registration.json;

      const before = await call('GET', `/identification/web/sessions/by-otc-request/${registrationId}/status`);
      expect(before.json).toMatchObject({ registrationId, status: 'STARTED', reviewStatus: 'N_A' });
      expect(before.json).not.toHaveProperty('data');
      const webStatus = await call('GET', `/identification/web/${resultId}/status`);
      expect(webStatus.json.data).toEqual({ status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION' });
      const early = await call('GET', `/identification/web/${resultId}/result/CREATE_SIGN_SESSION_REQUEST/${webSessionId}/false`);
      expect(early.status).toBe(404);

      const videoPage = await pages('GET', `/session/${sessionId}`);
      expect(videoPage.status).toBe(200);
      expect(videoPage.text).toContain('Approve');
      const approved = await pages('POST', `/session/${sessionId}/approve`, { fullName: 'Мария Иванова Петрова', egn: SAMPLE_EGN });
      expect(approved.status).toBe(303);
      expect(approved.headers.location).toBe('https://rp.example/ok');

      const [callback] = await waitFor(() => (callbacksFor('web-ok').length > 0 ? callbacksFor('web-ok') : undefined), 'callback');
      expect(callback.body).toEqual({
        code: 'OK',
        message: 'The request has been executed successfully.',
        requestId: expect.any(Number),
        relyingPartyId: Number(RELYING_PARTY_ID),
        data: {
          processState: 'CREATE_SIGN_SESSION_REQUEST',
          sessionId: webSessionId,
          resultId: String(resultId),
          dataMessage: `The request with resultID ${resultId} completed successfully`,
        },
      });

      const after = await call('GET', `/identification/web/sessions/by-otc-request/${registrationId}/status`);
      expect(after.json).toMatchObject({ status: 'FINALIZED', reviewStatus: 'ALLOW_DENY' });
      const statusAfter = await call('GET', `/identification/web/${resultId}/status`);
      expect(statusAfter.json.data.status).toBe('CREATE_SIGN_SESSION_REQUEST');

      const full = await call('GET', `/identification/web/${resultId}/result/CREATE_SIGN_SESSION_REQUEST/${webSessionId}/false`);
      expect(full.status).toBe(200);
      expect(Buffer.from(full.json.data.eIDDocAsBase64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(full.json.data.clientIdentificator).toMatch(/^[0-9a-f]{64}$/);
      expect(full.json.data.signSessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(full.json.data.signSessionIdExpireDate).toMatch(/\+00:00$/);

      const metadata = await call('GET', `/identification/web/${resultId}/result/CREATE_SIGN_SESSION_REQUEST/${webSessionId}/true`);
      expect(metadata.json.data).not.toHaveProperty('eIDDocAsBase64');
      expect(metadata.json.data.signSessionId).toBe(full.json.data.signSessionId);

      const invalid = await call('GET', `/identification/web/${resultId}/result/SIGN_SESSION/${webSessionId}/true`);
      expect(invalid.status).toBe(400);
      expect(invalid.json.code).toBe('BAD_REQUEST');
    });

    it('redirects a cancel to cancelUrl and calls back with PROCESS_IS_CANCELED_BY_USER', async () => {
      const { registration, webSessionId, resultId } = await startIdentification('web-cancel');
      const cancelled = await pages('POST', `/session/${registration.json.sessionId}/cancel`, {});
      expect(cancelled.status).toBe(303);
      expect(cancelled.headers.location).toBe('https://rp.example/cancel');

      const [callback] = await waitFor(() => (callbacksFor('web-cancel').length > 0 ? callbacksFor('web-cancel') : undefined), 'callback');
      expect(callback.body.data).toMatchObject({ processState: 'PROCESS_IS_CANCELED_BY_USER', sessionId: webSessionId, resultId: String(resultId) });
      const status = await call('GET', `/identification/web/${resultId}/status`);
      expect(status.json.data.status).toBe('PROCESS_IS_CANCELED_BY_USER');
      const result = await call('GET', `/identification/web/${resultId}/result/CREATE_SIGN_SESSION_REQUEST/${webSessionId}/false`);
      expect(result.json).toEqual({ data: null, code: 'REJECTED', message: 'The request is rejected.' });
    });

    it('marks a rejected registration DENIED and an expired one EXPIRED', async () => {
      const rejectedFlow = await startIdentification('web-reject');
      await pages('POST', `/sandbox/web-identifications/${rejectedFlow.webSessionId}/reject`);
      const rejected = await call('GET', `/identification/web/sessions/by-otc-request/${rejectedFlow.registration.json.registrationId}/status`);
      expect(rejected.json).toMatchObject({ status: 'REJECTED', reviewStatus: 'DENIED' });

      const expiredFlow = await startIdentification('web-expire');
      await pages('POST', `/sandbox/web-identifications/${expiredFlow.webSessionId}/expire`);
      const expired = await call('GET', `/identification/web/sessions/by-otc-request/${expiredFlow.registration.json.registrationId}/status`);
      expect(expired.json.status).toBe('EXPIRED');
      const again = await pages('POST', `/sandbox/web-identifications/${expiredFlow.webSessionId}/approve`);
      expect(again.status).toBe(409);
    });
  });

  describe('scenario 3: signing with a one-time certificate', () => {
    it('shows the SMS code, signs on the page, calls back with a numeric resultId and hands out a new sign session', async () => {
      const person = await identifiedPerson('sign-ok');
      const started = await call('POST', '/identification/web/signsession/start', {
        body: signSessionRequest(person.clientIdentificator, person.signSessionId),
      });
      expect(started.status).toBe(200);
      expect(started.json).toMatchObject({ responseCode: 'OK', code: 'OK' });
      const { clientDocumentUrl, resultId, expireDate } = started.json.data;
      expect(typeof resultId).toBe('number');
      expect(expireDate).toMatch(/\+00:00$/);
      expect(clientDocumentUrl).toMatch(new RegExp(`^${sandbox.pagesBaseUrl}/cqes/api/web-identification/[0-9a-f]{64}$`));

      const busy = await call('POST', '/identification/web/signsession/start', {
        body: signSessionRequest(person.clientIdentificator, person.signSessionId),
      });
      expect(busy.json.code).toBe('REJECTED');

      const pendingResult = await call('GET', `/identification/web/${resultId}/result/SIGN_SESSION/${person.signSessionId}`);
      expect(pendingResult.status).toBe(404);

      const page = await pages('GET', new URL(clientDocumentUrl).pathname);
      const state = await pages('GET', '/sandbox/state');
      const smsCode = state.json.signings.find((signing: { resultId: number }) => signing.resultId === resultId).smsCode;
      expect(page.text).toContain(smsCode);
      expect(page.text).toContain('LOAN CONTRACT &lt;No. 1&gt;');

      const wrongCode = await pages('POST', `${new URL(clientDocumentUrl).pathname}/sign`, { smsCode: smsCode === '000000' ? '111111' : '000000' });
      expect(wrongCode.status).toBe(400);
      const signed = await pages('POST', `${new URL(clientDocumentUrl).pathname}/sign`, { smsCode });
      expect(signed.status).toBe(303);
      expect(signed.headers.location).toBe('https://rp.example/sign-ok');

      const callback = await waitFor(
        () => callbacksFor('sign-ok').find((received) => received.body.data.processState === 'SIGN_SESSION'),
        'signing callback',
      );
      expect(callback.body.data).toEqual({
        processState: 'SIGN_SESSION',
        sessionId: person.signSessionId,
        resultId,
        dataMessage: `The request with resultID ${resultId} completed successfully`,
      });

      const result = await call('GET', `/identification/web/${resultId}/result/SIGN_SESSION/${person.signSessionId}`);
      expect(result.status).toBe(200);
      const [document] = result.json.data.signDocuments;
      expect(document.filename).toBe('contract.pdf');
      const signedPdf = Buffer.from(document.contentAsBase64, 'base64');
      expect(signedPdf.subarray(0, samplePdf.length).equals(samplePdf)).toBe(true);
      expect(signedPdf.includes('/ByteRange')).toBe(true);
      expect(result.json.data.clientIdentificator).toBe(person.clientIdentificator);
      expect(result.json.data.signSessionId).not.toBe(person.signSessionId);

      const reused = await call('POST', '/identification/web/signsession/start', {
        body: signSessionRequest(person.clientIdentificator, person.signSessionId),
      });
      expect(reused.status).toBe(400);
      expect(reused.json).toEqual({ data: null, code: 'REJECTED', message: 'The request is rejected.' });
      const next = await call('POST', '/identification/web/signsession/start', {
        body: signSessionRequest(person.clientIdentificator, result.json.data.signSessionId),
      });
      expect(next.status).toBe(200);
    });

    it('calls back with a non-OK code when the person rejects, and 3.3 answers REJECTED', async () => {
      const person = await identifiedPerson('sign-reject');
      const started = await call('POST', '/identification/web/signsession/start', {
        body: signSessionRequest(person.clientIdentificator, person.signSessionId),
      });
      const rejected = await pages('POST', `${new URL(started.json.data.clientDocumentUrl).pathname}/reject`, {});
      expect(rejected.headers.location).toBe('https://rp.example/sign-cancel');

      const callback = await waitFor(
        () => callbacksFor('sign-reject').find((received) => received.body.data.processState === 'SIGN_SESSION'),
        'signing callback',
      );
      expect(callback.body.code).not.toBe('OK');
      const result = await call('GET', `/identification/web/${started.json.data.resultId}/result/SIGN_SESSION/${person.signSessionId}`);
      expect(result.json.code).toBe('REJECTED');
    });

    it('answers 400 BAD_REQUEST to a document that is not a PDF', async () => {
      const person = await identifiedPerson('sign-bad');
      const body = signSessionRequest(person.clientIdentificator, person.signSessionId);
      body.documentsForSign[0].contentAsBase64 = Buffer.from('hello, not a pdf').toString('base64');
      const answer = await call('POST', '/identification/web/signsession/start', { body });
      expect(answer.status).toBe(400);
      expect(answer.json.code).toBe('BAD_REQUEST');
    });

    it('tampers with the next signing result when asked', async () => {
      const person = await identifiedPerson('sign-tamper');
      const started = await call('POST', '/identification/web/signsession/start', {
        body: signSessionRequest(person.clientIdentificator, person.signSessionId),
      });
      await pages('POST', `/sandbox/signings/${started.json.data.resultId}/sign`);
      const path = `/identification/web/${started.json.data.resultId}/result/SIGN_SESSION/${person.signSessionId}`;
      await pages('POST', '/sandbox/faults', undefined, { operation: 'getSignedDocuments', kind: 'tamper-flip-byte', count: 1 });

      const tampered = await call('GET', path);
      const genuine = await call('GET', path);
      const tamperedPdf = Buffer.from(tampered.json.data.signDocuments[0].contentAsBase64, 'base64');
      const genuinePdf = Buffer.from(genuine.json.data.signDocuments[0].contentAsBase64, 'base64');
      expect(tamperedPdf.length).toBe(genuinePdf.length);
      expect(tamperedPdf.equals(genuinePdf)).toBe(false);
    });
  });

  describe('faults', () => {
    it('answers 503 to the next two calls of an operation, then normally, and counts the calls', async () => {
      await pages('DELETE', '/sandbox/calls');
      const armed = await pages('POST', '/sandbox/faults', undefined, { operation: 'getWebIdentificationStatus', kind: 'http503', count: 2 });
      expect(armed.status).toBe(200);
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push((await call('GET', '/identification/web/1/status')).status);
      expect(answers).toEqual([503, 503, 404]);
      const calls = await pages('GET', '/sandbox/calls');
      expect(calls.json.getWebIdentificationStatus).toBe(3);
    });

    it('counts completed TLS handshakes: one per kept-alive connection, one per call without keep-alive', async () => {
      await pages('DELETE', '/sandbox/tls');
      const keptAlive = new Agent({ keepAlive: true, maxSockets: 1, ca: sandboxCa.certificatePem, cert: client.certificatePem, key: client.privateKeyPem });
      const fresh = new Agent({ keepAlive: false, ca: sandboxCa.certificatePem, cert: client.certificatePem, key: client.privateKeyPem });
      for (let i = 0; i < 3; i += 1) await call('GET', '/identification/web/1/status', { agent: keptAlive });
      expect((await pages('GET', '/sandbox/tls')).json).toEqual({ handshakes: 1 });
      for (let i = 0; i < 2; i += 1) await call('GET', '/identification/web/1/status', { agent: fresh });
      expect((await pages('GET', '/sandbox/tls')).json).toEqual({ handshakes: 3 });
      keptAlive.destroy();
      fresh.destroy();
    });

    it('delays, resets and garbles calls', async () => {
      await pages('POST', '/sandbox/faults', undefined, { operation: 'getIdentificationResult', kind: 'delay', count: 1, delayMs: 300 });
      const startedAt = Date.now();
      const delayed = await call('GET', '/identification/unknown-id');
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
      expect(delayed.status).toBe(404);

      await pages('POST', '/sandbox/faults', undefined, { operation: 'getIdentificationResult', kind: 'reset', count: 1 });
      await expect(call('GET', '/identification/unknown-id')).rejects.toThrow();

      await pages('POST', '/sandbox/faults', undefined, { operation: 'getIdentificationResult', kind: 'malformed', count: 1 });
      const malformed = await call('GET', '/identification/unknown-id');
      expect(malformed.status).toBe(200);
      expect(malformed.headers['content-type']).toContain('application/json');
      expect(() => JSON.parse(malformed.text)).toThrow();

      await pages('POST', '/sandbox/faults', undefined, { operation: 'getIdentificationResult', kind: 'http500', count: 1 });
      const failed = await call('GET', '/identification/unknown-id');
      expect(failed.status).toBe(500);
      expect(failed.json.code).toBe('ERROR');
    });

    it('refuses a fault definition it does not know', async () => {
      const answer = await pages('POST', '/sandbox/faults', undefined, { operation: 'identification', kind: 'tamper-append', count: 1 });
      expect(answer.status).toBe(400);
    });
  });

  describe('callback knobs', () => {
    it('duplicates the next delivery and drops the one after', async () => {
      await pages('DELETE', '/sandbox/callbacks/deliveries');
      await pages('POST', '/sandbox/callbacks/knobs', undefined, { duplicate: 1 });
      const duplicated = await startIdentification('knob-duplicate');
      await pages('POST', `/sandbox/web-identifications/${duplicated.webSessionId}/reject`);
      const copies = await waitFor(() => (callbacksFor('knob-duplicate').length === 2 ? callbacksFor('knob-duplicate') : undefined), 'two copies');
      expect(copies[0].body).toEqual(copies[1].body);

      await pages('POST', '/sandbox/callbacks/knobs', undefined, { drop: 1 });
      const dropped = await startIdentification('knob-drop');
      await pages('POST', `/sandbox/web-identifications/${dropped.webSessionId}/reject`);
      const deliveries = await waitFor(async () => {
        const list = (await pages('GET', '/sandbox/callbacks/deliveries')).json.deliveries;
        return list.some((delivery: { outcome: string }) => delivery.outcome === 'dropped') ? list : undefined;
      }, 'a dropped delivery');
      expect(callbacksFor('knob-drop')).toHaveLength(0);
      expect(deliveries.filter((delivery: { path: string }) => delivery.path === '/callbacks/knob-duplicate')).toHaveLength(2);
      expect(deliveries.find((delivery: { outcome: string }) => delivery.outcome === 'dropped').path).toBe('/callbacks/knob-drop');
    });
  });
});
