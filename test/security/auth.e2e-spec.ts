import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { SignJWT, UnsecuredJWT } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { jsonDocument, pdf } from '../signing/signing-support';
import { eventually } from '../support/sandbox-control';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { useTestServer } from '../support/test-server';

const PROBLEM_JSON = /^application\/problem\+json/;
const SECRET = randomBytes(32).toString('base64url');
const ISSUER = 'https://login.bank.test/';
const AUDIENCE = 'btrust-cas';
const MOBILE = VALID_MOBILE_REQUEST;

describe('Authentication and ownership (bearer tokens, HS256)', () => {
  const server = useTestServer({ AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }, { resetSandboxBeforeEach: true });
  const { sandbox } = server;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    alice = await server.token('alice');
    bob = await server.token('bob');
  });

  const api = () => request(server.url);
  const db = () => server.app.get(DataSource);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const webRequest = () => ({ reason: 'Opening an account', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` });
  const rows = async (table: string) => Number((await db().query(`SELECT count(*) FROM ${table}`))[0].count);

  function expectUnauthenticated(response: request.Response, challenge: string): void {
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.headers['www-authenticate']).toBe(challenge);
    expect(response.body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  }

  describe('without a token', () => {
    it('refuses every /api/v1 endpoint with 401 and a Bearer challenge, creating nothing and calling nobody', async () => {
      const id = randomUUID();
      const attempts = [
        api().post('/api/v1/mobile-identifications').send(MOBILE),
        api().get(`/api/v1/mobile-identifications/${id}`),
        api().get(`/api/v1/mobile-identifications/${id}/certificate`),
        api().post('/api/v1/web-identifications').send(webRequest()),
        api().get(`/api/v1/web-identifications/${id}?refresh=true`),
        api().get(`/api/v1/web-identifications/${id}/certificate`),
        api().get(`/api/v1/web-identifications/${id}/registration`),
        api().post(`/api/v1/web-identifications/${id}/signings`).send({}),
        api().get(`/api/v1/signings/${id}`),
        api().get(`/api/v1/signings/${id}/documents/0`),
        api().get('/api/v1/admin/web-identifications'),
      ];
      for (const response of await Promise.all(attempts)) expectUnauthenticated(response, 'Bearer');
      expect(await rows('mobile_identifications')).toBe(0);
      expect(await rows('web_identifications')).toBe(0);
      expect(await sandbox.totalCalls()).toBe(0);
    });

    it('refuses before validating: an anonymous invalid request is 401, not 400', async () => {
      expectUnauthenticated(await api().post('/api/v1/mobile-identifications').send({ identifier: 'nonsense' }), 'Bearer');
    });

    it('refuses before checking the media type: an anonymous text/plain body is 401, not 415', async () => {
      expectUnauthenticated(await api().post('/api/v1/mobile-identifications').set('content-type', 'text/plain').send('hello'), 'Bearer');
    });

    it('refuses an anonymous upload before reading its body', async () => {
      // Announces 50 MB and sends 1 KB: a server that read the body before authenticating would wait for the rest.
      const url = new URL(`/api/v1/web-identifications/${randomUUID()}/signings`, server.url);
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const upload = httpRequest(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) },
        });
        const timer = setTimeout(() => reject(new Error('no answer before the body was complete')), 10_000);
        upload.on('response', (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => {
            clearTimeout(timer);
            upload.destroy();
            resolve({ status: response.statusCode ?? 0, body });
          });
        });
        upload.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        upload.write(`{"documents":[{"name":"a.pdf","contentBase64":"${'A'.repeat(1024)}`);
      });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('leaves health, documentation and webhooks to their own rules', async () => {
      await api().get('/health').expect(200);
      await api().get('/docs-json').expect(200);
      const callback = await api().post('/callbacks/btrust/not-a-real-token').send({ code: 'OK' });
      expect(callback.status).not.toBe(401);
    });
  });

  describe('refused tokens', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, secret = SECRET) =>
      new SignJWT({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600, ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(secret));

    it.each([
      ['expired', () => sign({ exp: now() - 120 })],
      ['from another issuer', () => sign({ iss: 'https://evil.example/' })],
      ['for another audience', () => sign({ aud: 'another-app' })],
      ['signed with another key', () => sign({}, randomBytes(32).toString('base64url'))],
      ['without expiry', () => sign({ exp: undefined })],
      ['unsigned (alg: none)', async () => new UnsecuredJWT({ iss: ISSUER, aud: AUDIENCE }).setSubject('alice').setExpirationTime('5m').encode()],
      ['signed, then re-labelled alg: none', async () => {
        const [, payload] = (await sign({})).split('.');
        return `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
      }],
      ['garbage', async () => 'not-a-jwt'],
    ])('refuses a token %s with 401 invalid_token', async (_name, make) => {
      const response = await api().post('/api/v1/web-identifications').set(bearer(await make())).send(webRequest());
      expectUnauthenticated(response, 'Bearer error="invalid_token"');
      expect(await rows('web_identifications')).toBe(0);
    });

    it('refuses another authorization scheme', async () => {
      const response = await api().get(`/api/v1/mobile-identifications/${randomUUID()}`).set('authorization', 'Basic YWxpY2U6cHc=');
      expectUnauthenticated(response, 'Bearer error="invalid_token"');
    });

    it('accepts a valid token: past the guard, an unknown id is 404', async () => {
      const response = await api().get(`/api/v1/mobile-identifications/${randomUUID()}`).set(bearer(alice)).expect(404);
      expect(response.body.code).toBe('NOT_FOUND');
    });
  });

  describe('ownership: another subject gets 404 for everything', () => {
    it('hides a mobile identification and its certificate from another subject', async () => {
      const created = await api().post('/api/v1/mobile-identifications').set(bearer(alice)).send(MOBILE).expect(201);
      const id = created.body.id;
      const [row] = await db().query('SELECT owner, provider_callback_id FROM mobile_identifications WHERE id = $1', [id]);
      expect(row.owner).toBe('alice');
      await sandbox.post(`/sandbox/mobile-identifications/${row.provider_callback_id}/complete`, { fullName: 'Ivan Petrov Ivanov' });
      await eventually(
        async () => (await api().get(`/api/v1/mobile-identifications/${id}`).set(bearer(alice)).expect(200)).body,
        (body) => body.status === 'COMPLETED',
      );
      await api().get(`/api/v1/mobile-identifications/${id}/certificate`).set(bearer(alice)).expect(200);

      for (const path of [`/api/v1/mobile-identifications/${id}`, `/api/v1/mobile-identifications/${id}/certificate`]) {
        const response = await api().get(path).set(bearer(bob)).expect(404);
        expect(response.body.code).toBe('NOT_FOUND');
      }
    });

    it('hides a web identification, its certificate, registration and refresh from another subject', async () => {
      const created = await api().post('/api/v1/web-identifications').set(bearer(alice)).send(webRequest()).expect(201);
      const id = created.body.id;
      await api().get(`/api/v1/web-identifications/${id}/registration`).set(bearer(alice)).expect(200);
      const callsBefore = await sandbox.totalCalls();

      for (const path of [
        `/api/v1/web-identifications/${id}`,
        `/api/v1/web-identifications/${id}?refresh=true`,
        `/api/v1/web-identifications/${id}/certificate`,
        `/api/v1/web-identifications/${id}/registration`,
      ]) {
        const response = await api().get(path).set(bearer(bob)).expect(404);
        expect(response.body.code).toBe('NOT_FOUND');
      }
      // Nothing reached B-Trust on the other subject's behalf.
      expect(await sandbox.totalCalls()).toBe(callsBefore);
    });

    it('does not replay another subject\'s response for the same Idempotency-Key', async () => {
      const key = randomUUID();
      const first = await api().post('/api/v1/web-identifications').set(bearer(alice)).set('idempotency-key', key).send(webRequest()).expect(201);
      const second = await api().post('/api/v1/web-identifications').set(bearer(bob)).set('idempotency-key', key).send(webRequest()).expect(201);
      expect(second.body.id).not.toBe(first.body.id);
      const [row] = await db().query('SELECT owner FROM web_identifications WHERE id = $1', [second.body.id]);
      expect(row.owner).toBe('bob');
    });

    it('hides a signing, its documents, and the identification\'s sign session from another subject', async () => {
      const identification = await api().post('/api/v1/web-identifications').set(bearer(alice)).send(webRequest()).expect(201);
      const [row] = await db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [identification.body.id]);
      await sandbox.post(`/sandbox/web-identifications/${row.web_session_id}/approve`, { fullName: 'Maria Ivanova', egn: '7805166742' });
      await eventually(
        async () => (await api().get(`/api/v1/web-identifications/${identification.body.id}`).set(bearer(alice)).expect(200)).body,
        (body) => body.status === 'IDENTIFIED',
      );

      const document = { documents: [jsonDocument(await pdf(1, 'Contract'), 'contract.pdf')], successUrl: `${server.url}/signed`, cancelUrl: `${server.url}/not-signed` };
      const stolen = await api().post(`/api/v1/web-identifications/${identification.body.id}/signings`).set(bearer(bob)).send(document).expect(404);
      expect(stolen.body.code).toBe('NOT_FOUND');
      expect(await rows('signings')).toBe(0);

      const signing = await api().post(`/api/v1/web-identifications/${identification.body.id}/signings`).set(bearer(alice)).send(document).expect(201);
      await api().get(`/api/v1/signings/${signing.body.id}`).set(bearer(alice)).expect(200);
      for (const path of [`/api/v1/signings/${signing.body.id}`, `/api/v1/signings/${signing.body.id}/documents/0`]) {
        expect((await api().get(path).set(bearer(bob)).expect(404)).body.code).toBe('NOT_FOUND');
      }
    });
  });

  it('declares bearer authentication in the OpenAPI document, with 401 on the API and 403 on the operator API', async () => {
    const document = (await api().get('/docs-json').expect(200)).body;
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const create = document.paths['/api/v1/mobile-identifications'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.responses['401'].description).toContain('UNAUTHENTICATED');
    expect(create.responses['403']).toBeUndefined();
    const refresh = document.paths['/api/v1/admin/web-identifications/{id}/refresh'].post;
    expect(refresh.security).toEqual([{ bearer: [] }]);
    expect(refresh.responses['403'].description).toContain('FORBIDDEN');
    expect(document.paths['/health'].get.security).toEqual([]);
  });
});
