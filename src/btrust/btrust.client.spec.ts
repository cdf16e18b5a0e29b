import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import * as forge from 'node-forge';
import { BtrustClient, type BtrustClientOptions, type BtrustLogger } from './btrust.client';
import { BtrustError, type BtrustErrorCode } from './btrust.errors';

// ---------------------------------------------------------------------------------------------
// A throw-away PKI: RSA keys from node:crypto (fast), certificates signed with node-forge.

interface KeyPair {
  pem: string;
  forgePublic: forge.pki.PublicKey;
  forgePrivate: forge.pki.rsa.PrivateKey;
}

interface Issued {
  pem: string;
  certificate: forge.pki.Certificate;
  key: KeyPair;
}

function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    forgePublic: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    forgePrivate: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
  };
}

let serialNumber = 0x1000;

function issue(options: { commonName: string; key: KeyPair; issuer?: Issued; ca?: boolean; ip?: string }): Issued {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = options.key.forgePublic;
  certificate.serialNumber = (serialNumber++).toString(16);
  certificate.validity.notBefore = new Date(Date.now() - 60_000);
  certificate.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const subject = [{ name: 'commonName', value: options.commonName }, { name: 'organizationName', value: 'Test' }];
  certificate.setSubject(subject);
  certificate.setIssuer(options.issuer ? options.issuer.certificate.subject.attributes : subject);
  const extensions: object[] = [{ name: 'basicConstraints', cA: options.ca === true }];
  if (options.ca) {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true });
  } else {
    extensions.push(
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    );
  }
  if (options.ip) {
    extensions.push({ name: 'subjectAltName', altNames: [{ type: 7, ip: options.ip }] });
  }
  certificate.setExtensions(extensions);
  certificate.sign((options.issuer?.key ?? options.key).forgePrivate, forge.md.sha256.create());
  return { pem: forge.pki.certificateToPem(certificate), certificate, key: options.key };
}

function toPfx(leaf: Issued, chain: Issued[], password: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(
    leaf.key.forgePrivate,
    [leaf.certificate, ...chain.map((c) => c.certificate)],
    password,
    { algorithm: '3des', count: 1 },
  );
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

const caKey = newKeyPair();
const rogueKey = newKeyPair();
const leafKey = newKeyPair();
const trustedCa = issue({ commonName: 'Test Root', key: caKey, ca: true });
const rogueCa = issue({ commonName: 'Rogue Root', key: rogueKey, ca: true });
const serverCertificate = issue({ commonName: 'provider', key: leafKey, issuer: trustedCa, ip: '127.0.0.1' });
const clientCertificate = issue({ commonName: 'cas-client', key: leafKey, issuer: trustedCa });
const rogueClientCertificate = issue({ commonName: 'cas-client', key: leafKey, issuer: rogueCa });

// ---------------------------------------------------------------------------------------------
// A tiny provider over mutual TLS whose behaviour each test sets.

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (request: SeenRequest, response: ServerResponse) => void;

function fixtureText(name: string): string {
  return readFileSync(join(__dirname, '__fixtures__', name), 'utf8');
}

function answerJson(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(body);
}

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<</Type/Catalog>>\nendobj\n', 'latin1');
const EGN = '0441010010';

describe(BtrustClient.name, () => {
  let server: https.Server;
  let port: number;
  let seen: SeenRequest[];
  let secureConnections: number;
  let handler: Handler;
  let clients: BtrustClient[];

  beforeAll(async () => {
    server = https.createServer(
      {
        requestCert: true,
        rejectUnauthorized: true,
        ca: trustedCa.pem,
        cert: serverCertificate.pem,
        key: leafKey.pem,
      },
      (request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const entry = {
            method: request.method ?? '',
            url: request.url ?? '',
            headers: request.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          };
          seen.push(entry);
          handler(entry, response);
        });
      },
    );
    server.on('secureConnection', () => {
      secureConnections += 1;
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
    secureConnections = 0;
    clients = [];
    handler = (_request, response) => answerJson(response, 200, fixtureText('web-status.200.json'));
  });

  afterEach(() => {
    for (const client of clients) {
      client.close();
    }
    server.closeAllConnections();
  });

  function options(overrides: Partial<BtrustClientOptions> = {}): BtrustClientOptions {
    return {
      baseUrl: `https://127.0.0.1:${port}/signing-api/v2/`,
      relyingPartyId: '24102167',
      tls: { cert: clientCertificate.pem, key: leafKey.pem, ca: trustedCa.pem },
      timeoutMs: 500,
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
      breaker: { consecutiveFailures: 20, halfOpenAfterMs: 150 },
      ...overrides,
    };
  }

  function newClient(overrides: Partial<BtrustClientOptions> = {}, logger?: BtrustLogger): BtrustClient {
    const client = new BtrustClient(options(overrides), logger);
    clients.push(client);
    return client;
  }

  async function failureOf(promise: Promise<unknown>): Promise<BtrustError> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(BtrustError);
      return error as BtrustError;
    }
    throw new Error('expected the call to fail');
  }

  describe('requests', () => {
    it('sends a POST with the relying party, accept, content type and language headers and the wire body', async () => {
      handler = (_request, response) => answerJson(response, 200, fixtureText('identification.200.json'));
      const client = newClient();

      const accepted = await client.identification(
        { docType: 'EGN', identifier: EGN, dateOfBirth: '2004-01-01', reason: 'why' },
        { language: 'en' },
      );

      expect(accepted).toEqual({
        callbackId: 'a2c25bcd-00f0-4128-8890-fbcb26fc2f81',
        validUntil: new Date('2021-09-14T11:25:32.132Z'),
      });
      expect(seen).toHaveLength(1);
      const [request] = seen;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/signing-api/v2/identification');
      expect(request.headers).toMatchObject({
        relyingpartyid: '24102167',
        accept: 'application/json',
        'content-type': 'application/json',
        'accept-language': 'en',
      });
      expect(JSON.parse(request.body)).toEqual({
        personIdentityData: { docType: 'EGN', identificatorValue: EGN, dateOfBirth: '01-01-2004' },
        payer: 'RELYING_PARTY',
        identificationReason: 'why',
      });
    });

    it('sends a GET with the mandatory headers, no language unless asked, and percent-encoded path segments', async () => {
      handler = (_request, response) => answerJson(response, 200, fixtureText('registration-status.200.json'));
      const client = newClient();

      const status = await client.getRegistrationStatus('a/b c?');

      expect(status.status).toBe('string');
      expect(seen[0].method).toBe('GET');
      expect(seen[0].url).toBe('/signing-api/v2/identification/web/sessions/by-otc-request/a%2Fb%20c%3F/status');
      expect(seen[0].headers).toMatchObject({
        relyingpartyid: '24102167',
        accept: 'application/json',
        'content-type': 'application/json',
      });
      expect(seen[0].headers['accept-language']).toBeUndefined();
    });

    it('builds the web identification result and signed documents paths', async () => {
      handler = (request, response) => {
        const body = request.url.endsWith('/true')
          ? { data: { clientIdentificator: 'c1', signSessionId: 's2' }, code: 'OK' }
          : { data: { signDocuments: [{ filename: 'a.pdf', contentAsBase64: PDF.toString('base64') }] }, code: 'OK' };
        answerJson(response, 200, JSON.stringify(body));
      };
      const client = newClient();

      const identified = await client.getWebIdentificationResult({
        resultId: '95',
        processState: 'CREATE_SIGN_SESSION_REQUEST',
        sessionId: 'ws-1',
        onlyMetadata: true,
      });
      const signed = await client.getSignedDocuments({ resultId: '109', sessionId: 'ss-1' });

      expect(seen.map((r) => r.url)).toEqual([
        '/signing-api/v2/identification/web/95/result/CREATE_SIGN_SESSION_REQUEST/ws-1/true',
        '/signing-api/v2/identification/web/109/result/SIGN_SESSION/ss-1',
      ]);
      expect(identified).toEqual({
        eidCertificatePdf: null,
        clientIdentificator: 'c1',
        signSessionId: 's2',
        signSessionExpiresAt: null,
      });
      expect(signed.documents).toEqual([{ fileName: 'a.pdf', content: PDF }]);
    });

    it('reads large signed documents as bytes, with or without the envelope, a Content-Length or line breaks in the base64', async () => {
      const large = Buffer.concat([PDF, randomBytes(200_000)]);
      const base64 = large.toString('base64');
      const answers = [
        { body: { data: { signDocuments: [{ filename: 'a.pdf', contentAsBase64: base64 }] }, code: 'OK' }, sized: true },
        { body: { signDocuments: [{ fileName: 'a.pdf', contentAsBase64: base64 }] }, sized: false },
        { body: { data: { signDocuments: [{ filename: 'a.pdf', contentAsBase64: base64.replace(/(.{76})/g, '$1\r\n') }] } }, sized: true },
      ];
      for (const { body, sized } of answers) {
        handler = (_request, response) => {
          const bytes = Buffer.from(JSON.stringify(body));
          response.writeHead(200, { 'Content-Type': 'application/json', ...(sized ? { 'Content-Length': bytes.length } : {}) });
          response.end(bytes);
        };
        const signed = await newClient().getSignedDocuments({ resultId: '109', sessionId: 'ss-1' });
        expect(signed.documents).toHaveLength(1);
        expect(signed.documents[0].fileName).toBe('a.pdf');
        expect(signed.documents[0].content.equals(large)).toBe(true);
      }
    });

    it('refuses, without retrying, an answer larger than maxAnswerBytes', async () => {
      handler = (_request, response) => answerJson(response, 200, JSON.stringify({ data: { signDocuments: [{ contentAsBase64: 'A'.repeat(4096) }] } }));
      const error = await failureOf(newClient({ maxAnswerBytes: 1024 }).getSignedDocuments({ resultId: '109', sessionId: 'ss-1' }));
      expect(error.code).toBe('UNPROCESSABLE_RESPONSE');
      expect(error.message).toContain('larger than 1024 bytes');
      expect(seen).toHaveLength(1);
    });

    it('reads a 206 poll answer as pending', async () => {
      handler = (_request, response) => answerJson(response, 206, fixtureText('identification-result.206.json'));
      const result = await newClient().getIdentificationResult('a2c25bcd-00f0-4128-8890-fbcb26fc2f81');
      expect(result).toEqual({ state: 'PENDING', providerStatus: 'IN_PROGRESS', progress: 'IDENTIFYING' });
    });

    it('refuses locally, without a request, ids that would change the path', async () => {
      const error = await failureOf(newClient().getWebIdentificationStatus('..'));
      expect(error.code).toBe('BAD_REQUEST');
      expect(seen).toHaveLength(0);
    });

    it('refuses locally onlyMetadata with a process state that does not allow it', async () => {
      const error = await failureOf(
        newClient().getWebIdentificationResult({ resultId: '1', processState: 'SIGN_SESSION', sessionId: 's', onlyMetadata: true }),
      );
      expect(error.code).toBe('BAD_REQUEST');
      expect(seen).toHaveLength(0);
    });
  });

  describe('mutual TLS', () => {
    it.each<[string, Partial<BtrustClientOptions>]>([
      ['no client certificate', { tls: { ca: trustedCa.pem } }],
      ['a client certificate from another CA', { tls: { cert: rogueClientCertificate.pem, key: leafKey.pem, ca: trustedCa.pem } }],
      ['a server certificate our ca does not trust', { tls: { cert: clientCertificate.pem, key: leafKey.pem, ca: rogueCa.pem } }],
      ['a server certificate the default trust store does not hold', { tls: { cert: clientCertificate.pem, key: leafKey.pem } }],
    ])('fails with TLS, not retried, given %s', async (_label, overrides) => {
      const error = await failureOf(newClient(overrides).getWebIdentificationStatus('95'));
      expect(error.code).toBe('TLS');
      expect(error.retryable).toBe(false);
      expect(seen).toHaveLength(0);
    });

    it('works with the client certificate in a PKCS#12 bundle', async () => {
      const pfx = toPfx(clientCertificate, [trustedCa], 'secret');
      const client = newClient({ tls: { pfx, passphrase: 'secret', ca: trustedCa.pem } });
      await expect(client.getWebIdentificationStatus('95')).resolves.toEqual({
        status: 'START_WEB_SESSION',
        step: 'WEB_IDV_REGISTRATION',
      });
      expect(client.clientCertificateInfo()?.subject).toContain('CN=cas-client');
    });

    it('describes the client certificate', () => {
      const info = newClient().clientCertificateInfo();
      expect(info?.subject).toContain('CN=cas-client');
      expect(info?.notAfter.getTime()).toBe(Math.floor(clientCertificate.certificate.validity.notAfter.getTime() / 1000) * 1000);
      expect(newClient({ tls: { ca: trustedCa.pem } }).clientCertificateInfo()).toBeNull();
    });

    it('refuses at construction a key that does not match the certificate', () => {
      expect(() => new BtrustClient(options({ tls: { cert: clientCertificate.pem, key: caKey.pem } }))).toThrow(
        expect.objectContaining({ code: 'TLS' }),
      );
    });

    it('refuses at construction a base URL that is not https', () => {
      expect(() => new BtrustClient(options({ baseUrl: `http://127.0.0.1:${port}/signing-api/v2` }))).toThrow(/https/);
    });

    it('reuses one TLS connection for many sequential calls', async () => {
      const client = newClient();
      for (let i = 0; i < 8; i += 1) {
        await client.getWebIdentificationStatus(String(i));
      }
      expect(seen).toHaveLength(8);
      expect(secureConnections).toBe(1);
    });
  });

  describe(BtrustClient.prototype.checkReachable.name, () => {
    it('resolves when the provider accepts our certificate, without calling an operation', async () => {
      await expect(newClient().checkReachable()).resolves.toBeUndefined();
      expect(seen).toEqual([expect.objectContaining({ method: 'HEAD', url: '/signing-api/v2' })]);
    });

    it('fails with TLS when the provider refuses our certificate', async () => {
      const client = newClient({ tls: { cert: rogueClientCertificate.pem, key: leafKey.pem, ca: trustedCa.pem } });
      expect((await failureOf(client.checkReachable())).code).toBe('TLS');
    });

    it('fails with UNAVAILABLE when nothing listens', async () => {
      const client = newClient({ baseUrl: 'https://127.0.0.1:1/signing-api/v2' });
      expect((await failureOf(client.checkReachable())).code).toBe('UNAVAILABLE');
    });
  });

  describe('error answers', () => {
    it.each<[number, string, BtrustErrorCode]>([
      [400, 'bad-request.400.json', 'BAD_REQUEST'],
      [401, 'unauthorized.401.json', 'UNAUTHORIZED'],
      [403, 'unauthorized.401.json', 'UNAUTHORIZED'],
      [404, 'not-found.404.json', 'NOT_FOUND'],
      [500, 'error.500.json', 'UPSTREAM_ERROR'],
      [404, 'rejected.json', 'REJECTED'],
      [500, 'rejected.json', 'REJECTED'],
    ])('maps HTTP %i with %s to %s', async (status, file, code) => {
      handler = (_request, response) => answerJson(response, status, fixtureText(file));
      const client = newClient({ retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } });

      const error = await failureOf(client.getIdentificationResult('cb-1'));

      expect(error).toMatchObject({ code, httpStatus: status, operation: 'getIdentificationResult' });
    });

    it('refuses a 200 answer that is not JSON as UNPROCESSABLE_RESPONSE, without retrying', async () => {
      handler = (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end('<html>maintenance</html>');
      };
      const error = await failureOf(newClient().getWebIdentificationStatus('95'));
      expect(error.code).toBe('UNPROCESSABLE_RESPONSE');
      expect(seen).toHaveLength(1);
    });

    it('logs the operation, code and status of a failure, never identifiers, bodies or documents', async () => {
      handler = (_request, response) => answerJson(response, 400, fixtureText('bad-request.400.json'));
      const logger = { warn: jest.fn(), debug: jest.fn() };
      const client = newClient({}, logger);

      await failureOf(
        client.startSignSession({
          identificator: 'client-identificator-secret',
          signSessionId: 'ss-1',
          documents: [{ content: PDF, fileName: 'contract.pdf', title: 'Contract' }],
          emailSignedDocuments: false,
          successUrl: 'https://rp.example/ok',
          cancelUrl: 'https://rp.example/cancel',
        }),
      );
      await failureOf(client.identification({ docType: 'EGN', identifier: EGN, reason: 'why' }));

      expect(logger.warn).toHaveBeenCalledWith(
        expect.objectContaining({ operation: 'startSignSession', code: 'BAD_REQUEST', httpStatus: 400 }),
        expect.any(String),
      );
      const logged = JSON.stringify([logger.warn.mock.calls, logger.debug.mock.calls]);
      expect(logged).not.toContain('client-identificator-secret');
      expect(logged).not.toContain(PDF.toString('base64').slice(0, 12));
      expect(logged).not.toContain(EGN);
      expect(logged).not.toContain('malformed syntax');
    });
  });

  describe('what a failure means for the flow (answerClass)', () => {
    const identify = (client: BtrustClient) => client.identification({ docType: 'EGN', identifier: EGN, reason: 'why' });
    const noRetry = { retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } };

    it('reads a POST that could not connect as TRANSIENT: it was never sent', async () => {
      const error = await failureOf(identify(newClient({ baseUrl: 'https://127.0.0.1:1/signing-api/v2' })));
      expect(error).toMatchObject({ code: 'UNAVAILABLE', notSent: true, answerClass: 'TRANSIENT' });
    });

    it('reads a POST whose TLS handshake never completed within the deadline as TRANSIENT', async () => {
      const sockets = new Set<Socket>();
      const silent = createNetServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const client = newClient({ baseUrl: `https://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 200 });
        const error = await failureOf(identify(client));
        expect(error).toMatchObject({ code: 'TIMEOUT', notSent: true, answerClass: 'TRANSIENT' });
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('reads a POST refused during a TLS 1.2 handshake as TRANSIENT: the request never left', async () => {
      const tls12 = https.createServer(
        { requestCert: true, rejectUnauthorized: true, ca: trustedCa.pem, cert: serverCertificate.pem, key: leafKey.pem, maxVersion: 'TLSv1.2' },
        (_request, response) => answerJson(response, 200, fixtureText('identification.200.json')),
      );
      tls12.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => tls12.listen(0, '127.0.0.1', resolve));
      try {
        const client = newClient({
          baseUrl: `https://127.0.0.1:${(tls12.address() as AddressInfo).port}`,
          tls: { cert: rogueClientCertificate.pem, key: leafKey.pem, ca: trustedCa.pem },
        });
        expect(await failureOf(identify(client))).toMatchObject({ notSent: true, answerClass: 'TRANSIENT' });
      } finally {
        tls12.closeAllConnections();
        await new Promise((resolve) => tls12.close(resolve));
      }
    });

    it('reads a POST dropped without an alert after a TLS 1.3 handshake as UNKNOWN_OUTCOME, even when the certificate was the cause', async () => {
      // Under TLS 1.3 the request goes out before the server has checked our certificate; a refusal
      // that arrives as a bare hang-up looks exactly like a server that dropped a received request.
      const client = newClient({ tls: { cert: rogueClientCertificate.pem, key: leafKey.pem, ca: trustedCa.pem } });
      expect(await failureOf(identify(client))).toMatchObject({ code: 'TLS', notSent: false, answerClass: 'UNKNOWN_OUTCOME' });
      expect(seen).toHaveLength(0);
    });

    it('reads a POST left without an answer as UNKNOWN_OUTCOME, and the same GET as TRANSIENT', async () => {
      handler = () => undefined;
      const client = newClient({ timeoutMs: 200, ...noRetry });
      expect(await failureOf(identify(client))).toMatchObject({ code: 'TIMEOUT', notSent: false, answerClass: 'UNKNOWN_OUTCOME' });
      expect(await failureOf(client.getIdentificationResult('cb-1'))).toMatchObject({ code: 'TIMEOUT', answerClass: 'TRANSIENT' });
      expect(seen).toHaveLength(2);
    });

    it('reads a POST whose connection was dropped after the request arrived as UNKNOWN_OUTCOME', async () => {
      handler = (_request, response) => response.socket?.destroy();
      const error = await failureOf(identify(newClient(noRetry)));
      expect(error).toMatchObject({ notSent: false, answerClass: 'UNKNOWN_OUTCOME' });
      expect(seen).toHaveLength(1);
    });

    it('reads a POST whose answer was cut short as UNKNOWN_OUTCOME', async () => {
      handler = (_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
        response.write('{"data":{"callbackId":');
        setTimeout(() => response.socket?.destroy(), 20);
      };
      expect(await failureOf(identify(newClient(noRetry)))).toMatchObject({ answerClass: 'UNKNOWN_OUTCOME' });
    });

    it.each<[number, string, string]>([
      [503, 'error.500.json', 'UNKNOWN_OUTCOME'],
      [500, 'rejected.json', 'UNKNOWN_OUTCOME'],
      [401, 'rejected.json', 'CONFIGURATION_FAULT'],
      [403, 'unauthorized.401.json', 'CONFIGURATION_FAULT'],
      [400, 'rejected.json', 'DEFINITIVE'],
      [404, 'not-found.404.json', 'DEFINITIVE'],
    ])('reads a POST answered %i (%s) as %s', async (status, file, answerClass) => {
      handler = (_request, response) => answerJson(response, status, fixtureText(file));
      expect((await failureOf(identify(newClient(noRetry)))).answerClass).toBe(answerClass);
    });

    it('reads a POST with an open circuit as TRANSIENT, without a request', async () => {
      handler = (_request, response) => answerJson(response, 503, '');
      const client = newClient({ breaker: { consecutiveFailures: 1, halfOpenAfterMs: 10_000 } });
      await failureOf(identify(client));
      expect(await failureOf(identify(client))).toMatchObject({ code: 'CIRCUIT_OPEN', answerClass: 'TRANSIENT' });
      expect(seen).toHaveLength(1);
    });

    it('reads dates without an offset in the configured zone', async () => {
      handler = (_request, response) =>
        answerJson(response, 200, JSON.stringify({ data: { callbackId: 'cb-1', validity: '2021-09-14T14:25:32.132' }, code: 'ACCEPTED' }));
      expect((await identify(newClient())).validUntil?.toISOString()).toBe('2021-09-14T11:25:32.132Z');
      expect((await identify(newClient({ localTimeZone: 'UTC' }))).validUntil?.toISOString()).toBe('2021-09-14T14:25:32.132Z');
    });

    it('sends the archive flag under the configured name', async () => {
      handler = (_request, response) => answerJson(response, 200, fixtureText('signsession-start.200.json'));
      const sign = (client: BtrustClient) =>
        client.startSignSession({
          identificator: 'i',
          signSessionId: 'ss-1',
          documents: [{ content: PDF, fileName: 'contract.pdf', title: 'Contract', archive: true }],
          emailSignedDocuments: false,
          successUrl: 'https://rp.example/ok',
          cancelUrl: 'https://rp.example/cancel',
        });
      await sign(newClient());
      await sign(newClient({ archiveFlagName: 'toBeArhieved' }));
      expect(JSON.parse(seen[0].body).documentsForSign[0]).toMatchObject({ toBeArchived: true });
      expect(JSON.parse(seen[1].body).documentsForSign[0]).toMatchObject({ toBeArhieved: true });
      expect(seen[1].body).not.toContain('toBeArchived');
    });
  });

  it('logs a 401/403 at debug only: it repeats on every call, and is warned about throttled elsewhere', async () => {
    handler = (_request, response) => answerJson(response, 401, fixtureText('unauthorized.401.json'));
    const logger = { warn: jest.fn(), debug: jest.fn() };
    await failureOf(newClient({}, logger).getWebIdentificationStatus('95'));
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.debug).toHaveBeenCalledWith(expect.objectContaining({ operation: 'getWebIdentificationStatus', httpStatus: 401 }), 'B-Trust call failed');
  });

  describe('resilience', () => {
    it('gives TIMEOUT promptly when the provider stalls', async () => {
      handler = () => undefined;
      const client = newClient({ timeoutMs: 200 });

      const startedAt = Date.now();
      const error = await failureOf(client.startWebIdentification({ callbackUrl: 'https://rp.example/cb', reason: 'why' }));
      const elapsed = Date.now() - startedAt;

      expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
      expect(elapsed).toBeGreaterThanOrEqual(180);
      expect(elapsed).toBeLessThan(1000);
      expect(seen).toHaveLength(1);
    });

    it('retries a GET on 503 up to maxAttempts in total', async () => {
      handler = (_request, response) => answerJson(response, 503, '{"code":"ERROR"}');
      const error = await failureOf(newClient().getWebIdentificationStatus('95'));
      expect(error).toMatchObject({ code: 'UNAVAILABLE', httpStatus: 503 });
      expect(seen).toHaveLength(3);
    });

    it('retries a GET after a timeout and returns the later answer', async () => {
      let calls = 0;
      handler = (_request, response) => {
        calls += 1;
        if (calls > 1) {
          answerJson(response, 200, fixtureText('web-status.200.json'));
        }
      };
      const result = await newClient({ timeoutMs: 150 }).getWebIdentificationStatus('95');
      expect(result.status).toBe('START_WEB_SESSION');
      expect(seen).toHaveLength(2);
    });

    it('does not retry a GET on an answer that will not change (404)', async () => {
      handler = (_request, response) => answerJson(response, 404, fixtureText('not-found.404.json'));
      await failureOf(newClient().getWebIdentificationStatus('95'));
      expect(seen).toHaveLength(1);
    });

    it('sends a POST exactly once on 503', async () => {
      handler = (_request, response) => answerJson(response, 503, '');
      const error = await failureOf(
        newClient().identification({ docType: 'EGN', identifier: EGN, reason: 'why' }),
      );
      expect(error.code).toBe('UNAVAILABLE');
      expect(seen).toHaveLength(1);
    });

    it('opens the breaker after N consecutive failures, fails fast without a request, and half-opens later', async () => {
      handler = (_request, response) => answerJson(response, 503, '');
      const client = newClient({ breaker: { consecutiveFailures: 3, halfOpenAfterMs: 150 } });
      const start = () => client.startWebIdentification({ callbackUrl: 'https://rp.example/cb', reason: 'why' });

      for (let i = 0; i < 3; i += 1) {
        expect((await failureOf(start())).code).toBe('UNAVAILABLE');
      }
      const open = await failureOf(client.getWebIdentificationStatus('95'));
      expect(open).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: false });
      expect(seen).toHaveLength(3);

      handler = (_request, response) => answerJson(response, 200, fixtureText('websession-start.200.json'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await expect(start()).resolves.toMatchObject({ resultId: '95' });
      await expect(client.getWebIdentificationStatus('95')).rejects.toMatchObject({ code: 'UNPROCESSABLE_RESPONSE' });
      expect(seen).toHaveLength(5);
    });

    it('counts each GET attempt toward the breaker and stops retrying once it opens', async () => {
      handler = (_request, response) => answerJson(response, 500, fixtureText('error.500.json'));
      const client = newClient({
        retry: { maxAttempts: 5, initialDelayMs: 1, maxDelayMs: 2 },
        breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 },
      });
      const error = await failureOf(client.getWebIdentificationStatus('95'));
      expect(error.code).toBe('CIRCUIT_OPEN');
      expect(seen).toHaveLength(2);
    });

    it('does not let answers from a working provider (4xx, REJECTED) open the breaker', async () => {
      let calls = 0;
      handler = (_request, response) => {
        calls += 1;
        answerJson(response, 404, fixtureText(calls % 2 === 0 ? 'rejected.json' : 'not-found.404.json'));
      };
      const client = newClient({ breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 } });
      for (let i = 0; i < 5; i += 1) {
        expect(['NOT_FOUND', 'REJECTED']).toContain((await failureOf(client.getIdentificationResult('cb'))).code);
      }
      expect(seen).toHaveLength(5);
    });

    it('lets an answer from the provider reset the consecutive failure count', async () => {
      const statuses = [503, 404, 503, 404, 503];
      handler = (_request, response) => answerJson(response, statuses.shift() ?? 200, '{}');
      const client = newClient({ breaker: { consecutiveFailures: 2, halfOpenAfterMs: 10_000 } });
      const codes: BtrustErrorCode[] = [];
      for (let i = 0; i < 5; i += 1) {
        codes.push((await failureOf(client.identification({ docType: 'EGN', identifier: EGN, reason: 'why' }))).code);
      }
      expect(codes).toEqual(['UNAVAILABLE', 'NOT_FOUND', 'UNAVAILABLE', 'NOT_FOUND', 'UNAVAILABLE']);
    });
  });
});
