import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, StandardFonts } from 'pdf-lib';
import {
  BtrustClient,
  BtrustError,
  parseBtrustCallback,
  type BtrustClientOptions,
  type BtrustErrorCode,
  type DocumentToSign,
  type RegistrationRequest,
  type VisibleSignaturePlacement,
} from '../../src/btrust';
import { createCertificateAuthority, issueClientCertificate } from '../../src/sandbox/pki/certificate-authority';
import { type RunningSandbox, startSandbox } from '../../src/sandbox/sandbox-server';
import {
  type PadesSignatureProblem,
  verifyPadesSignature,
} from '../../src/signing/verification/pades-signature';
import { testCertificates } from '../support/test-certificates';

/**
 * The B-Trust client against the running sandbox over real sockets and real mutual TLS: the
 * client speaks the provider's wire format as the sandbox implements it, and maps every failure
 * the sandbox can inject to the error a caller switches on.
 */

const RELYING_PARTY_ID = '24102167';
const PERSON = { fullName: 'Maria Ivanova Georgieva', egn: '7805166742' };
const PAGE_SIZE: [number, number] = [595, 842];
const VISIBLE_PLACEMENT: VisibleSignaturePlacement = { page: 1, x: 50, y: 60, width: 180, height: 60 };
const CALLBACK_WAIT_MS = 5000;

interface ReceivedCallback {
  path: string;
  body: CallbackWireBody;
}

/** The webhook body as the sandbox puts it on the wire, before parseBtrustCallback. */
interface CallbackWireBody {
  code: string;
  relyingPartyId: unknown;
  data: { processState: string; sessionId: string; resultId: unknown };
}

let certificatesDir: string;
let caPem: string;
let clientCertPem: string;
let clientKeyPem: string;
let sandbox: RunningSandbox;
let client: BtrustClient;
let callbackServer: Server;
let callbackBaseUrl: string;
let originalPdf: Buffer;
const received: ReceivedCallback[] = [];
const clients: BtrustClient[] = [];

function newClient(overrides: Partial<BtrustClientOptions> = {}): BtrustClient {
  const created = new BtrustClient({
    baseUrl: sandbox.apiBaseUrl,
    relyingPartyId: RELYING_PARTY_ID,
    tls: { cert: clientCertPem, key: clientKeyPem, ca: caPem },
    timeoutMs: 3000,
    retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    // High enough that no test trips the shared client's breaker; the breaker has its own test.
    breaker: { consecutiveFailures: 100, halfOpenAfterMs: 60_000 },
    ...overrides,
  });
  clients.push(created);
  return created;
}

async function control<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
  const response = await fetch(`${sandbox.pagesBaseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`control API ${method} ${path} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}

async function armFault(fault: { operation: string; kind: string; count?: number; delayMs?: number }): Promise<void> {
  await control('POST', '/sandbox/faults', fault);
}

async function callCount(operation: string): Promise<number> {
  const counts = await control<Record<string, number>>('GET', '/sandbox/calls');
  return counts[operation];
}

async function caught(promise: Promise<unknown>): Promise<BtrustError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BtrustError) return error;
    throw error;
  }
  throw new Error('expected the call to throw a BtrustError, it succeeded');
}

async function expectBtrustError(promise: Promise<unknown>, code: BtrustErrorCode): Promise<BtrustError> {
  const error = await caught(promise);
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  return error;
}

function callbackUrl(token: string): string {
  return `${callbackBaseUrl}/callbacks/${token}`;
}

/** Waits until `count` callbacks with this process state have reached the token's URL, and returns them in order. */
async function callbacksFor(token: string, processState: string, count = 1): Promise<CallbackWireBody[]> {
  const deadline = Date.now() + CALLBACK_WAIT_MS;
  for (;;) {
    const matching = received
      .filter((callback) => callback.path === `/callbacks/${token}` && callback.body.data?.processState === processState)
      .map((callback) => callback.body);
    if (matching.length >= count) return matching;
    if (Date.now() > deadline) {
      throw new Error(`no ${count} ${processState} callback(s) for ${token} within ${CALLBACK_WAIT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function registrationRequest(token: string): RegistrationRequest {
  return {
    cancelUrl: 'https://rp.example/identification/cancel',
    successUrl: 'https://rp.example/identification/ok',
    externalRef: token,
    language: 'en',
    verifyEmail: true,
    verifyPhone: true,
    showGtcGdp: true,
    showMainInfo: true,
  };
}

async function registeredWebIdentification(token: string) {
  const started = await client.startWebIdentification({ callbackUrl: callbackUrl(token), reason: 'E2E IDENTIFICATION' });
  const registration = await client.createRegistration(started.webSessionId, registrationRequest(token));
  return { started, registration };
}

/** A person identified by video, with the identificator and sign session the signing starts from. */
async function identifiedPerson(token: string) {
  const { started } = await registeredWebIdentification(token);
  await control('POST', `/sandbox/web-identifications/${started.webSessionId}/approve`, PERSON);
  const callback = parseBtrustCallback((await callbacksFor(token, 'CREATE_SIGN_SESSION_REQUEST'))[0]);
  const result = await client.getWebIdentificationResult({
    resultId: callback.resultId,
    processState: callback.processState,
    sessionId: callback.sessionId,
    onlyMetadata: true,
  });
  return { identificator: result.clientIdentificator, signSessionId: result.signSessionId };
}

function documentToSign(visibleSignature?: VisibleSignaturePlacement): DocumentToSign {
  return { content: originalPdf, fileName: 'contract.pdf', title: 'LOAN CONTRACT No. 1', visibleSignature };
}

/** Starts a signing, has the person sign it in the sandbox, and returns what the signing callback and 3.3 report. */
async function signOnce(token: string, identificator: string, signSessionId: string, document: DocumentToSign, signingNumber: number) {
  const started = await client.startSignSession({
    identificator,
    signSessionId,
    documents: [document],
    emailSignedDocuments: false,
    successUrl: 'https://rp.example/signing/ok',
    cancelUrl: 'https://rp.example/signing/cancel',
  });
  if (started.resultId === null) throw new Error('the sandbox returned no resultId for the signing');
  await control('POST', `/sandbox/signings/${started.resultId}/sign`);
  const wire = (await callbacksFor(token, 'SIGN_SESSION', signingNumber))[signingNumber - 1];
  const callback = parseBtrustCallback(wire);
  const signed = await client.getSignedDocuments({ resultId: callback.resultId, sessionId: callback.sessionId });
  return { started, wire, callback, signed };
}

function signatureWidgetRectangles(pdf: PDFDocument): number[][] {
  const page = pdf.getPages()[0];
  const annotations = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray)?.asArray() ?? [];
  return annotations
    .map((reference) => pdf.context.lookup(reference, PDFDict))
    .filter((annotation) => annotation.get(PDFName.of('FT')) === PDFName.of('Sig'))
    .map((widget) =>
      widget
        .lookup(PDFName.of('Rect'), PDFArray)
        .asArray()
        .map((entry) => (entry as PDFNumber).asNumber()),
    );
}

/** POSTs createRegistration with the same mutual-TLS material as the client, to see the answer as the wire carries it. */
function rawCreateRegistration(webSessionId: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = Buffer.from(JSON.stringify(body));
  const url = new URL(`${sandbox.apiBaseUrl}/identification/web/sessions/by-otc-request/${webSessionId}`);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method: 'POST',
        cert: clientCertPem,
        key: clientKeyPem,
        ca: caPem,
        agent: false,
        headers: {
          relyingPartyID: RELYING_PARTY_ID,
          accept: 'application/json',
          'content-type': 'application/json',
          'content-length': String(payload.length),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

beforeAll(async () => {
  certificatesDir = mkdtempSync(join(tmpdir(), 'btrust-e2e-'));
  const files = testCertificates(certificatesDir);
  caPem = readFileSync(files.caCert, 'utf8');
  clientCertPem = readFileSync(files.clientCert, 'utf8');
  clientKeyPem = readFileSync(files.clientKey, 'utf8');

  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  document.addPage(PAGE_SIZE).drawText('Loan contract: the borrower agrees to the terms.', { x: 50, y: 780, size: 12, font });
  originalPdf = Buffer.from(await document.save({ useObjectStreams: false }));

  callbackServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  callbackBaseUrl = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}`;

  sandbox = await startSandbox({
    apiPort: 0,
    pagesPort: 0,
    tls: {
      caPem,
      serverCertPem: readFileSync(files.serverCert, 'utf8'),
      serverKeyPem: readFileSync(files.serverKey, 'utf8'),
    },
    signingCa: { certificatePem: caPem, privateKeyPem: readFileSync(files.caKey, 'utf8') },
    relyingPartyId: RELYING_PARTY_ID,
    callbackDelayMs: 10,
  });
  client = newClient();
}, 30_000);

beforeEach(async () => {
  await control('DELETE', '/sandbox/faults');
  await control('DELETE', '/sandbox/calls');
});

afterAll(async () => {
  for (const created of clients) created.close();
  await sandbox?.close();
  await new Promise((resolve) => callbackServer?.close(resolve));
  rmSync(certificatesDir, { recursive: true, force: true });
});

describe(BtrustClient.name, () => {
  describe('mobile identification', () => {
    it('reports the identification pending (ON_BOARDING, then IN_PROGRESS) until the person confirms, then returns the eID certificate PDF', async () => {
      const accepted = await client.identification({
        docType: 'EGN',
        identifier: PERSON.egn,
        dateOfBirth: '1978-05-16',
        reason: 'E2E MOBILE IDENTIFICATION',
      });
      expect(accepted.validUntil?.getTime()).toBeGreaterThan(Date.now());

      expect(await client.getIdentificationResult(accepted.callbackId)).toEqual({ state: 'PENDING', providerStatus: 'ON_BOARDING', progress: 'ENROLLING' });
      expect(await client.getIdentificationResult(accepted.callbackId)).toEqual({ state: 'PENDING', providerStatus: 'IN_PROGRESS', progress: 'IDENTIFYING' });

      await control('POST', `/sandbox/mobile-identifications/${accepted.callbackId}/complete`, { fullName: PERSON.fullName });
      const finished = await client.getIdentificationResult(accepted.callbackId);
      if (finished.state !== 'DONE') throw new Error(`expected DONE, got ${finished.state}`);
      expect(finished.certificatePdf?.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(finished.identificationReason).toBe('E2E MOBILE IDENTIFICATION');
      expect(finished.identificator).not.toBe('');
    });

    it('throws REJECTED when the person refuses the mobile identification', async () => {
      const accepted = await client.identification({
        docType: 'EGN',
        identifier: PERSON.egn,
        dateOfBirth: '1978-05-16',
        reason: 'E2E MOBILE IDENTIFICATION',
      });
      await control('POST', `/sandbox/mobile-identifications/${accepted.callbackId}/reject`);

      const error = await expectBtrustError(client.getIdentificationResult(accepted.callbackId), 'REJECTED');
      expect(error.retryable).toBe(false);
    });
  });

  describe('web identification', () => {
    it('reads the registration from the un-enveloped createRegistration answer and reports it STARTED with review status N_A', async () => {
      const { started, registration } = await registeredWebIdentification('registration');

      expect(registration).toEqual({
        sessionId: expect.any(String),
        registrationId: expect.any(String),
        status: 'STARTED',
        createdOn: expect.any(Date),
        expiresOn: expect.any(Date),
        otcRequestId: started.webSessionId,
        serviceName: `OTC_RELYING_PARTY_${RELYING_PARTY_ID}`,
        userLanguage: 'en',
      });
      expect(registration.sessionId).not.toBe(registration.registrationId);

      const status = await client.getRegistrationStatus(registration.registrationId);
      expect(status).toMatchObject({ registrationId: registration.registrationId, status: 'STARTED', reviewStatus: 'N_A' });
    });

    it('gets the createRegistration answer without a data envelope on the wire, as the document shows', async () => {
      const started = await client.startWebIdentification({ callbackUrl: callbackUrl('wire'), reason: 'E2E IDENTIFICATION' });
      const answer = await rawCreateRegistration(started.webSessionId, {
        cancelUrl: 'https://rp.example/identification/cancel',
        successUrl: 'https://rp.example/identification/ok',
        externalRef: 'wire',
        deviceFingerprint: {},
        userLanguage: 'en',
        verifyEmailAddress: true,
        verifyPhoneNumber: true,
        showGtcGdp: true,
        showMainInfo: true,
      });

      expect(answer.status).toBe(200);
      expect(answer.json).not.toHaveProperty('data');
      expect(answer.json).toMatchObject({ sessionId: expect.any(String), registrationId: expect.any(String), otcRequestId: started.webSessionId });
    });

    it('receives the CREATE_SIGN_SESSION_REQUEST callback with the web session id and result id, and parseBtrustCallback reads it', async () => {
      const { started } = await registeredWebIdentification('identified');
      await control('POST', `/sandbox/web-identifications/${started.webSessionId}/approve`, PERSON);

      const [wire] = await callbacksFor('identified', 'CREATE_SIGN_SESSION_REQUEST');
      expect(typeof wire.data.resultId).toBe('string');
      expect(parseBtrustCallback(wire)).toMatchObject({
        processState: 'CREATE_SIGN_SESSION_REQUEST',
        sessionId: started.webSessionId,
        resultId: started.resultId,
        relyingPartyId: RELYING_PARTY_ID,
        providerCode: 'OK',
      });
    });

    it('returns the eID certificate PDF with onlyMetadata false and leaves it out with onlyMetadata true', async () => {
      const { started } = await registeredWebIdentification('eid');
      await control('POST', `/sandbox/web-identifications/${started.webSessionId}/approve`, PERSON);
      const callback = parseBtrustCallback((await callbacksFor('eid', 'CREATE_SIGN_SESSION_REQUEST'))[0]);
      const query = { resultId: callback.resultId, processState: callback.processState, sessionId: callback.sessionId };

      const full = await client.getWebIdentificationResult({ ...query, onlyMetadata: false });
      const metadata = await client.getWebIdentificationResult({ ...query, onlyMetadata: true });

      expect(full.eidCertificatePdf?.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const seal = await verifyPadesSignature(full.eidCertificatePdf as Buffer, { trustAnchorsPem: [caPem] });
      expect(seal.problems).toEqual([]);
      expect(metadata.eidCertificatePdf).toBeNull();
      expect(metadata).toEqual({ ...full, eidCertificatePdf: null });
      expect(full.signSessionExpiresAt?.getTime()).toBeGreaterThan(Date.now());
    });

    it('reports the web identification status before and after approval, and the registration FINALIZED after it', async () => {
      const { started, registration } = await registeredWebIdentification('status');
      expect(await client.getWebIdentificationStatus(started.resultId)).toEqual({
        status: 'START_WEB_SESSION',
        step: 'WEB_IDV_REGISTRATION',
      });

      await control('POST', `/sandbox/web-identifications/${started.webSessionId}/approve`, PERSON);

      expect(await client.getWebIdentificationStatus(started.resultId)).toEqual({
        status: 'CREATE_SIGN_SESSION_REQUEST',
        step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED',
      });
      expect(await client.getRegistrationStatus(registration.registrationId)).toMatchObject({
        status: 'FINALIZED',
        reviewStatus: 'ALLOW_DENY',
        processedOn: expect.any(Date),
        reviewedOn: expect.any(Date),
      });
    });
  });

  describe('signing with a one-time certificate', () => {
    it('signs a PDF invisibly, calls back SIGN_SESSION with a numeric resultId, and returns the document with a new sign session', async () => {
      const person = await identifiedPerson('sign-once');
      const { started, wire, callback, signed } = await signOnce('sign-once', person.identificator, person.signSessionId, documentToSign(), 1);

      expect(started.clientDocumentUrl.startsWith(`${sandbox.pagesBaseUrl}/`)).toBe(true);
      expect(typeof wire.data.resultId).toBe('number');
      expect(callback).toMatchObject({ processState: 'SIGN_SESSION', sessionId: person.signSessionId, resultId: started.resultId });
      expect(typeof callback.resultId).toBe('string');

      expect(signed.documents).toHaveLength(1);
      expect(signed.documents[0].fileName).toBe('contract.pdf');
      expect(signed.documents[0].content.subarray(0, originalPdf.length).equals(originalPdf)).toBe(true);
      expect(signed.documents[0].content.length).toBeGreaterThan(originalPdf.length);
      expect(signed.clientIdentificator).toBe(person.identificator);
      expect(signed.signSessionId).toEqual(expect.any(String));
      expect(signed.signSessionId).not.toBe(person.signSessionId);

      const rectangles = signatureWidgetRectangles(await PDFDocument.load(signed.documents[0].content));
      expect(rectangles).toEqual([[0, 0, 0, 0]]);
    });

    it('signs again with the rotated sign session, placing a visible signature where asked', async () => {
      const person = await identifiedPerson('sign-twice');
      const first = await signOnce('sign-twice', person.identificator, person.signSessionId, documentToSign(), 1);
      const rotated = first.signed.signSessionId as string;

      const second = await signOnce('sign-twice', person.identificator, rotated, documentToSign(VISIBLE_PLACEMENT), 2);

      expect(second.callback.sessionId).toBe(rotated);
      expect(second.started.resultId).not.toBe(first.started.resultId);
      expect(second.signed.signSessionId).not.toBe(rotated);
      const { x, y, width, height } = VISIBLE_PLACEMENT;
      const bottom = PAGE_SIZE[1] - y - height;
      const rectangles = signatureWidgetRectangles(await PDFDocument.load(second.signed.documents[0].content));
      expect(rectangles).toEqual([[x, bottom, x + width, bottom + height]]);
    });

    it('sends the archive flag under the configured name: a provider binding toBeArhieved refuses the default and takes that spelling', async () => {
      await control('POST', '/sandbox/readings', { archiveFlag: 'toBeArhieved' });
      let person: { identificator: string; signSessionId: string };
      try {
        person = await identifiedPerson('archive-flag');
      } finally {
        await control('DELETE', '/sandbox/readings');
      }
      const request = {
        identificator: person.identificator,
        signSessionId: person.signSessionId,
        documents: [{ ...documentToSign(), archive: true }],
        emailSignedDocuments: false,
        successUrl: 'https://rp.example/signing/ok',
        cancelUrl: 'https://rp.example/signing/cancel',
      };

      const refused = await expectBtrustError(client.startSignSession(request), 'BAD_REQUEST');
      expect(refused.answerClass).toBe('DEFINITIVE');
      const started = await newClient({ archiveFlagName: 'toBeArhieved' }).startSignSession(request);
      expect(started.resultId).toEqual(expect.any(String));
    });

    it('refuses a sign session already used by a finished signing with REJECTED', async () => {
      const person = await identifiedPerson('sign-stale');
      await signOnce('sign-stale', person.identificator, person.signSessionId, documentToSign(), 1);

      await expectBtrustError(
        client.startSignSession({
          identificator: person.identificator,
          signSessionId: person.signSessionId,
          documents: [documentToSign()],
          emailSignedDocuments: false,
          successUrl: 'https://rp.example/signing/ok',
          cancelUrl: 'https://rp.example/signing/cancel',
        }),
        'REJECTED',
      );
    });
  });

  describe('signed PDFs checked with verifyPadesSignature', () => {
    let signing: { resultId: string; sessionId: string };

    beforeAll(async () => {
      const person = await identifiedPerson('verify');
      const { callback } = await signOnce('verify', person.identificator, person.signSessionId, documentToSign(), 1);
      signing = { resultId: callback.resultId, sessionId: callback.sessionId };
    }, 30_000);

    async function verifiedSignedDocument() {
      const signed = await client.getSignedDocuments(signing);
      return verifyPadesSignature(signed.documents[0].content, { originalPdf, trustAnchorsPem: [caPem] });
    }

    it('accepts the signed PDF as a valid signature by the identified person, chaining to the sandbox CA', async () => {
      const verification = await verifiedSignedDocument();

      expect(verification).toMatchObject({ valid: true, problems: [] });
      expect(verification.signer?.commonName).toBe(PERSON.fullName);
      expect(verification.signer?.serialNumber).toBe(`PNOBG-${PERSON.egn}`);
    });

    it.each<[string, PadesSignatureProblem[]]>([
      ['tamper-flip-byte', ['ORIGINAL_MODIFIED', 'DIGEST_MISMATCH']],
      ['tamper-append', ['BYTE_RANGE_NOT_WHOLE_FILE']],
      ['tamper-foreign-ca', ['UNTRUSTED_SIGNER']],
      ['tamper-other-document', ['ORIGINAL_MODIFIED']],
    ])('rejects the signed PDF tampered by %s with %j', async (kind, problems) => {
      await armFault({ operation: 'getSignedDocuments', kind });

      const verification = await verifiedSignedDocument();

      expect(verification.valid).toBe(false);
      expect([...verification.problems].sort()).toEqual([...problems].sort());
    });
  });

  describe('transport and failure handling', () => {
    let resultId: string;
    const statusOperation = 'getWebIdentificationStatus';

    beforeAll(async () => {
      ({ resultId } = await client.startWebIdentification({ callbackUrl: callbackUrl('transport'), reason: 'E2E TRANSPORT' }));
    });

    it('fails with TLS when the client presents no certificate, before any operation reaches the sandbox', async () => {
      const anonymous = newClient({ tls: { ca: caPem } });

      const error = await expectBtrustError(anonymous.getWebIdentificationStatus(resultId), 'TLS');

      expect(error.retryable).toBe(false);
      expect(await callCount(statusOperation)).toBe(0);
    });

    it('fails with TLS when the client certificate comes from another CA', async () => {
      const otherCa = createCertificateAuthority('Other Relying Party CA');
      const stranger = issueClientCertificate(otherCa, 'Stranger Relying Party');
      const foreign = newClient({ tls: { cert: stranger.certificatePem, key: stranger.privateKeyPem, ca: caPem } });

      await expectBtrustError(foreign.getWebIdentificationStatus(resultId), 'TLS');

      expect(await callCount(statusOperation)).toBe(0);
    });

    it('fails with UNAUTHORIZED when the relyingPartyID header is not the relying party the sandbox knows', async () => {
      const impostor = newClient({ relyingPartyId: '99999999' });

      const error = await expectBtrustError(impostor.getWebIdentificationStatus(resultId), 'UNAUTHORIZED');

      expect(error.httpStatus).toBe(401);
      expect(await callCount(statusOperation)).toBe(1);
    });

    it('retries a GET answered 503 and succeeds on the attempt after the fault', async () => {
      await armFault({ operation: statusOperation, kind: 'http503', count: 2 });

      const status = await newClient().getWebIdentificationStatus(resultId);

      expect(status.status).toBe('START_WEB_SESSION');
      expect(await callCount(statusOperation)).toBe(3);
    });

    it('gives up on a GET after maxAttempts answers of 503 and throws UNAVAILABLE', async () => {
      await armFault({ operation: statusOperation, kind: 'http503', count: 5 });

      await expectBtrustError(newClient().getWebIdentificationStatus(resultId), 'UNAVAILABLE');

      expect(await callCount(statusOperation)).toBe(3);
    });

    it('sends a POST answered 503 exactly once, since a repeated identification could be paid twice', async () => {
      await armFault({ operation: 'identification', kind: 'http503', count: 5 });

      await expectBtrustError(
        newClient().identification({ docType: 'EGN', identifier: PERSON.egn, dateOfBirth: '1978-05-16', reason: 'E2E' }),
        'UNAVAILABLE',
      );

      expect(await callCount('identification')).toBe(1);
    });

    it('throws TIMEOUT when the answer comes later than timeoutMs', async () => {
      await armFault({ operation: statusOperation, kind: 'delay', delayMs: 1500, count: 1 });
      const impatient = newClient({ timeoutMs: 300, retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50 } });

      const startedAt = Date.now();
      const error = await expectBtrustError(impatient.getWebIdentificationStatus(resultId), 'TIMEOUT');

      expect(Date.now() - startedAt).toBeLessThan(1500);
      expect(error.retryable).toBe(true);
    });

    it('retries a GET that timed out and succeeds once the sandbox answers in time', async () => {
      await armFault({ operation: statusOperation, kind: 'delay', delayMs: 1500, count: 1 });
      const impatient = newClient({ timeoutMs: 300 });

      expect((await impatient.getWebIdentificationStatus(resultId)).status).toBe('START_WEB_SESSION');
      expect(await callCount(statusOperation)).toBe(2);
    });

    it('maps a connection reset on a kept-alive connection to UNAVAILABLE', async () => {
      const kept = newClient({ retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50 } });
      await kept.getWebIdentificationStatus(resultId);
      await armFault({ operation: statusOperation, kind: 'reset', count: 1 });

      await expectBtrustError(kept.getWebIdentificationStatus(resultId), 'UNAVAILABLE');

      expect(await callCount(statusOperation)).toBe(2);
    });

    it('maps a connection reset on a fresh connection to TLS and does not retry it (the client reads it as a refused certificate)', async () => {
      await armFault({ operation: statusOperation, kind: 'reset', count: 1 });

      await expectBtrustError(newClient().getWebIdentificationStatus(resultId), 'TLS');

      expect(await callCount(statusOperation)).toBe(1);
    });

    it('throws UNPROCESSABLE_RESPONSE for a 200 whose JSON is cut off, without retrying', async () => {
      await armFault({ operation: statusOperation, kind: 'malformed', count: 3 });

      await expectBtrustError(newClient().getWebIdentificationStatus(resultId), 'UNPROCESSABLE_RESPONSE');

      expect(await callCount(statusOperation)).toBe(1);
    });

    it('opens the circuit after breaker.consecutiveFailures failures and then throws CIRCUIT_OPEN without calling the sandbox', async () => {
      await armFault({ operation: statusOperation, kind: 'http503', count: 10 });
      const guarded = newClient({
        retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 50 },
        breaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 },
      });
      for (let failure = 0; failure < 3; failure++) {
        await expectBtrustError(guarded.getWebIdentificationStatus(resultId), 'UNAVAILABLE');
      }
      expect(await callCount(statusOperation)).toBe(3);

      await expectBtrustError(guarded.getWebIdentificationStatus(resultId), 'CIRCUIT_OPEN');
      await expectBtrustError(guarded.getRegistrationStatus('any-registration'), 'CIRCUIT_OPEN');

      expect(await callCount(statusOperation)).toBe(3);
      expect(await callCount('getRegistrationStatus')).toBe(0);
    });
  });
});
