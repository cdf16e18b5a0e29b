import { randomBytes, randomUUID } from 'node:crypto';
import request, { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { openEventStream, statusesOf } from '../events/sse-client';
import { jsonDocument, pdf } from '../signing/signing-support';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

const AUTH = { AUTH_JWT_SECRET: randomBytes(32).toString('base64url'), AUTH_ISSUER: 'https://login.bank.test/', AUTH_AUDIENCE: 'btrust-cas' };
const FAST = { MOBILE_POLL_INITIAL_INTERVAL_MS: '100', MOBILE_POLL_MAX_INTERVAL_MS: '300', WEB_RECONCILE_QUIET_PERIOD_MS: '500', WEB_RECONCILE_INTERVAL_MS: '500' };
const PERSON = { fullName: 'Maria Ivanova', egn: '7805166742' };
const MOBILE = {
  docType: 'EGN',
  identifier: PERSON.egn,
  dateOfBirth: '1978-05-16',
  phoneNumber: '+359888133443',
  email: 'person@example.com',
  reason: 'Opening an account',
};

describe('Cache-Control: no-store on every answer that carries personal data or documents', () => {
  let server: TestServer;
  let sandbox: SandboxControl;
  let customer: string;
  let someoneElse: string;
  let operator: string;
  let mobileId: string;
  let webId: string;
  let signingId: string;

  const api = () => request(server.url);
  const db = () => server.app.get(DataSource);
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = (path: string, token = customer) => api().get(path).set(as(token)).buffer(true);

  function expectNoStore(response: Response, status: number): void {
    expect({ status: response.status, cacheControl: response.headers['cache-control'] }).toEqual({ status, cacheControl: 'no-store' });
  }

  /** Opens a record's event stream, checks the headers it was answered with, reads its first status and leaves. */
  async function expectStreamNotStored(path: string, firstStatus: string, token = customer): Promise<void> {
    const stream = await openEventStream(`${server.url}${path}`, as(token));
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('cache-control')?.split(/,\s*/)).toContain('no-store');
      expect(statusesOf([(await stream.next())!])).toEqual([{ status: firstStatus, final: true }]);
    } finally {
      stream.close();
    }
  }

  async function expectProblemNotStored(response: Response, status: number, code: string): Promise<void> {
    expectNoStore(response, status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.text)).toMatchObject({ code });
  }

  beforeAll(async () => {
    server = await startTestServer({ ...AUTH, ...FAST });
    sandbox = new SandboxControl(server.sandboxPagesUrl!);
    customer = await server.token('customer-cache');
    someoneElse = await server.token('someone-else');
    operator = await server.token('operator-cache', { roles: ['operator'] });

    const mobile = await api().post('/api/v1/mobile-identifications').set(as(customer)).send(MOBILE);
    expectNoStore(mobile, 201);
    mobileId = mobile.body.id;
    const [{ provider_callback_id: callbackId }] = await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [mobileId]);
    await eventually(async () => (await get(`/api/v1/mobile-identifications/${mobileId}`)).body.status, (status) => status !== 'PENDING');
    await sandbox.post(`/sandbox/mobile-identifications/${callbackId}/complete`, { fullName: PERSON.fullName });

    const web = await api()
      .post('/api/v1/web-identifications')
      .set(as(customer))
      .send({ reason: 'Signing a contract', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` });
    expectNoStore(web, 201);
    webId = web.body.id;
    const [{ web_session_id: webSessionId }] = await db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [webId]);
    await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`, PERSON);
    await eventually(async () => (await get(`/api/v1/web-identifications/${webId}`)).body.status, (status) => status === 'IDENTIFIED');

    const signing = await api()
      .post(`/api/v1/web-identifications/${webId}/signings`)
      .set(as(customer))
      .send({
        documents: [jsonDocument(await pdf(1, 'Cache'), 'contract.pdf')],
        successUrl: `${server.url}/signed`,
        cancelUrl: `${server.url}/not-signed`,
      });
    expectNoStore(signing, 201);
    signingId = signing.body.id;
    const state = await sandbox.state();
    const resultId = state.signings.find((candidate) => candidate.clientDocumentUrl === signing.body.redirectUrl)!.resultId;
    await sandbox.post(`/sandbox/signings/${resultId}/sign`);
    await eventually(async () => (await get(`/api/v1/signings/${signingId}`)).body.status, (status) => status === 'SIGNED');
    await eventually(async () => (await get(`/api/v1/mobile-identifications/${mobileId}`)).body.status, (status) => status === 'COMPLETED');
  });
  afterAll(() => server?.stop());

  it('mobile identifications: the record, the eID certificate, the live status, and the problems of those routes', async () => {
    const record = await get(`/api/v1/mobile-identifications/${mobileId}`);
    expectNoStore(record, 200);
    expect(record.body.status).toBe('COMPLETED');
    const certificate = await get(`/api/v1/mobile-identifications/${mobileId}/certificate`);
    expectNoStore(certificate, 200);
    expect(certificate.headers['content-type']).toBe('application/pdf');
    await expectStreamNotStored(`/api/v1/mobile-identifications/${mobileId}/events`, 'COMPLETED');

    await expectProblemNotStored(await get(`/api/v1/mobile-identifications/${mobileId}`, someoneElse), 404, 'NOT_FOUND');
    await expectProblemNotStored(await get(`/api/v1/mobile-identifications/${randomUUID()}/certificate`), 404, 'NOT_FOUND');
    await expectProblemNotStored(await api().get(`/api/v1/mobile-identifications/${mobileId}`), 401, 'UNAUTHENTICATED');
    await expectProblemNotStored(await api().post('/api/v1/mobile-identifications').set(as(customer)).send({ ...MOBILE, identifier: '1' }), 400, 'VALIDATION_FAILED');
  });

  it('web identifications: the record, the eID certificate, the registration, the live status, and their problems', async () => {
    const record = await get(`/api/v1/web-identifications/${webId}`);
    expectNoStore(record, 200);
    expect(record.body.status).toBe('IDENTIFIED');
    const certificate = await get(`/api/v1/web-identifications/${webId}/certificate`);
    expectNoStore(certificate, 200);
    expect(certificate.headers['content-type']).toBe('application/pdf');
    expectNoStore(await get(`/api/v1/web-identifications/${webId}/registration`), 200);
    await expectStreamNotStored(`/api/v1/web-identifications/${webId}/events`, 'IDENTIFIED');

    await expectProblemNotStored(await get(`/api/v1/web-identifications/${webId}/certificate`, someoneElse), 404, 'NOT_FOUND');
    await expectProblemNotStored(await get('/api/v1/web-identifications/not-a-uuid'), 400, 'BAD_REQUEST');
  });

  it('signings: the record, the signed PDF, the live status, and their problems', async () => {
    const record = await get(`/api/v1/signings/${signingId}`);
    expectNoStore(record, 200);
    expect(record.body.status).toBe('SIGNED');
    const signed = await get(`/api/v1/signings/${signingId}/documents/0`);
    expectNoStore(signed, 200);
    expect(signed.headers['content-type']).toBe('application/pdf');
    expect(signed.headers['content-disposition']).toContain('attachment;');
    await expectStreamNotStored(`/api/v1/signings/${signingId}/events`, 'SIGNED');

    await expectProblemNotStored(await get(`/api/v1/signings/${signingId}/documents/0`, someoneElse), 404, 'NOT_FOUND');
    await expectProblemNotStored(await get(`/api/v1/signings/${signingId}/documents/7`), 404, 'NOT_FOUND');
  });

  it('the admin API: lists, audit trails, an operator action, and its refusals', async () => {
    const list = await get('/api/v1/admin/mobile-identifications', operator);
    expectNoStore(list, 200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toContain(mobileId);
    expectNoStore(await get('/api/v1/admin/web-identifications', operator), 200);
    expectNoStore(await get('/api/v1/admin/signings', operator), 200);
    expectNoStore(await get(`/api/v1/admin/signings/${signingId}/audit-trail`, operator), 200);
    expectNoStore(await api().post(`/api/v1/admin/web-identifications/${webId}/refresh`).set(as(operator)), 200);

    await expectProblemNotStored(await get('/api/v1/admin/mobile-identifications'), 403, 'FORBIDDEN');
    await expectProblemNotStored(await get(`/api/v1/admin/mobile-identifications/${randomUUID()}/audit-trail`, operator), 404, 'NOT_FOUND');
  });

  it('an unknown path under /api answers its 404 unstored too', async () => {
    await expectProblemNotStored(await get('/api/v1/nothing-here'), 404, 'NOT_FOUND');
  });
});
