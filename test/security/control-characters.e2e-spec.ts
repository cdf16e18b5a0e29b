import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { jsonDocument, pdf, SigningDriver } from '../signing/signing-support';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { startTestServer, TestServer } from '../support/test-server';

const PROBLEM_JSON = /^application\/problem\+json/;

/** NUL, which PostgreSQL cannot store in text, a C1 control, and the tab and line break that free text refuses too. */
const CONTROLS: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['a C1 control', '\u0085'],
  ['a tab', '\t'],
  ['a line feed', '\n'],
];

const MOBILE = VALID_MOBILE_REQUEST;

/** Control characters are refused at validation in every text field of every route family, and never reach the database. */
describe('Control characters in requests and webhooks', () => {
  let server: TestServer;
  let driver: SigningDriver;
  let identificationId: string;
  let document: Buffer;

  beforeAll(async () => {
    server = await startTestServer({ WEB_RECONCILE_QUIET_PERIOD_MS: '600000' });
    driver = new SigningDriver(server);
    identificationId = await driver.identify();
    document = await pdf(1, 'Contract');
  });
  afterAll(() => server?.stop());
  beforeEach(() => driver.sandbox.reset());

  const api = () => request(server.url);
  const rows = async () => {
    const [counts] = await driver.db().query(
      `SELECT (SELECT count(*) FROM mobile_identifications)::int AS mobile, (SELECT count(*) FROM web_identifications)::int AS web,
              (SELECT count(*) FROM signings)::int AS signings, (SELECT count(*) FROM callback_inbox)::int AS callbacks`,
    );
    return counts;
  };

  /** A 400 VALIDATION_FAILED naming the field with `noControlCharacters`, and nothing stored or sent to B-Trust. */
  async function expectRefusedAt(send: () => request.Test, field: string) {
    const before = await rows();
    const response = await send();
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, codes: expect.arrayContaining(['noControlCharacters']) })]),
    );
    expect(await rows()).toEqual(before);
    expect(await driver.sandbox.totalCalls()).toBe(0);
  }

  describe.each(CONTROLS)('%s', (_name, control) => {
    it.each(Object.keys(MOBILE).filter((field) => field !== 'docType'))('in the mobile identification field %s', async (field) => {
      const value = `${MOBILE[field as keyof typeof MOBILE].slice(0, 4)}${control}${MOBILE[field as keyof typeof MOBILE].slice(4)}`;
      await expectRefusedAt(() => api().post('/api/v1/mobile-identifications').send({ ...MOBILE, [field]: value }), field);
    });

    it.each(['reason', 'successUrl', 'cancelUrl', 'externalRef'])('in the web identification field %s', async (field) => {
      const valid: Record<string, string> = {
        reason: 'Opening an account',
        successUrl: `${server.url}/identified`,
        cancelUrl: `${server.url}/cancelled`,
        externalRef: 'application-4711',
      };
      await expectRefusedAt(() => api().post('/api/v1/web-identifications').send({ ...valid, [field]: `${valid[field]}${control}x` }), field);
    });

    it.each([
      ['documents.0.title', { title: `Loan${control}agreement` }, {}],
      ['documents.0.fileName', { fileName: `contract${control}.pdf` }, {}],
      ['successUrl', {}, { successUrl: `/signed${control}` }],
    ])('in the JSON signing field %s', async (field, documentChange, bodyChange) => {
      const urls = driver.urls();
      const body = { documents: [{ ...jsonDocument(document, 'contract.pdf'), ...documentChange }], ...urls };
      if ('successUrl' in bodyChange) body.successUrl = `${server.url}${bodyChange.successUrl}`;
      await expectRefusedAt(() => driver.postJson(identificationId, body), field);
    });

    it('in the multipart metadata of a signing', async () => {
      const metadata = { documents: [{ title: `Loan${control}agreement` }], ...driver.urls() };
      await expectRefusedAt(
        () =>
          api()
            .post(`/api/v1/web-identifications/${identificationId}/signings`)
            .field('metadata', JSON.stringify(metadata))
            .attach('files', document, { filename: 'contract.pdf', contentType: 'application/pdf' }),
        'documents.0.title',
      );
    });

    it.each([
      ['note', { outcome: 'NOT_STARTED', note: `ticket${control}4711` }],
      ['callbackId', { outcome: 'STARTED', callbackId: `a2c25bcd${control}` }],
    ])('in the operator resolution field %s', async (field, body) => {
      await expectRefusedAt(() => api().post(`/api/v1/admin/mobile-identifications/${randomUUID()}/resolve`).send(body), field);
    });

    it('in an operator listing\'s query', async () => {
      const response = await api().get('/api/v1/admin/signings').query({ createdFrom: `2026-01-01${control}` }).expect(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'createdFrom', codes: expect.arrayContaining(['noControlCharacters']) })]);
    });
  });

  // A line feed is left out: multipart encoders write it as %0A in a part's file name (the HTML form encoding).
  it.each(CONTROLS.filter(([, control]) => control !== '\n'))('refuses %s in the file name of an uploaded part', async (_name, control) => {
    const before = await rows();
    const response = await api()
      .post(`/api/v1/web-identifications/${identificationId}/signings`)
      .field('metadata', JSON.stringify({ documents: [{ title: 'Loan agreement' }], ...driver.urls() }))
      .attach('files', document, { filename: `contract${control}.pdf`, contentType: 'application/pdf' })
      .expect(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'documents.0.fileName', codes: ['isSafeFileName'] })]);
    expect(await rows()).toEqual(before);
    expect(await driver.sandbox.totalCalls()).toBe(0);
  });

  describe('in a webhook', () => {
    const callbackBody = (ids: { webSessionId: string; resultId: string }) => ({
      code: 'OK',
      message: 'The request has been executed successfully.',
      requestId: 9001,
      relyingPartyId: Number(server.config.btrust.relyingPartyId),
      data: {
        processState: 'CREATE_SIGN_SESSION_REQUEST',
        sessionId: ids.webSessionId,
        resultId: ids.resultId,
        dataMessage: `The request with resultID ${ids.resultId} completed successfully`,
      },
    });
    const webhookOf = async () => {
      const { webSessionId } = await driver.startIdentification();
      const [row] = await driver.db().query('SELECT result_id FROM web_identifications WHERE web_session_id = $1', [webSessionId]);
      const record = (await driver.sandbox.state()).webIdentifications.find((web) => web.webSessionId === webSessionId)!;
      return { path: record.requestCallbackPath, body: callbackBody({ webSessionId, resultId: row.result_id }) };
    };

    it.each([
      ['code', (body: ReturnType<typeof callbackBody>, text: string) => ({ ...body, code: `OK${text}` })],
      ['message', (body: ReturnType<typeof callbackBody>, text: string) => ({ ...body, message: `executed${text}` })],
      ['requestId', (body: ReturnType<typeof callbackBody>, text: string) => ({ ...body, requestId: `9001${text}` })],
      ['data.processState', (body: ReturnType<typeof callbackBody>, text: string) => ({ ...body, data: { ...body.data, processState: `SIGN_SESSION${text}` } })],
      ['data.sessionId', (body: ReturnType<typeof callbackBody>, text: string) => ({ ...body, data: { ...body.data, sessionId: `${body.data.sessionId}${text}` } })],
      ['data.resultId', (body: ReturnType<typeof callbackBody>, text: string) => ({ ...body, data: { ...body.data, resultId: `${body.data.resultId}${text}` } })],
      ['data.dataMessage', (body: ReturnType<typeof callbackBody>, text: string) => ({ ...body, data: { ...body.data, dataMessage: `completed${text}` } })],
    ])('refuses a NUL or C1 control in %s with 400 INVALID_CALLBACK and stores nothing', async (field, change) => {
      const webhook = await webhookOf();
      for (const control of ['\u0000', '\u009b']) {
        const before = await rows();
        const response = await api().post(webhook.path).send(change(webhook.body, `x${control}y`));
        expect(response.status).toBe(400);
        expect(response.body.code).toBe('INVALID_CALLBACK');
        expect(response.body.problems).toEqual([expect.stringContaining(field)]);
        expect(await rows()).toEqual(before);
      }
    });

    it('accepts tabs and line breaks in the provider\'s free-text messages', async () => {
      const webhook = await webhookOf();
      const body = { ...webhook.body, message: 'line one\r\nline two', data: { ...webhook.body.data, dataMessage: 'a\tb\nc' } };
      const response = await api().post(webhook.path).send(body).expect(200);
      expect(response.body.status).toBe('accepted');
    });
  });

  it.each([
    ['a JSON key', () => api().post('/api/v1/mobile-identifications').send({ ...MOBILE, 'rea\u0000son': 'x' }), 400],
    ['a path id', () => api().get('/api/v1/mobile-identifications/%00'), 400],
    ['a document index', () => api().get('/api/v1/signings/8a1d3f0e-0000-4000-8000-000000000000/documents/%00'), 400],
    ['an operator listing\'s status', () => api().get('/api/v1/admin/web-identifications?status=%00'), 400],
    ['an operator listing\'s cursor', () => api().get('/api/v1/admin/mobile-identifications?cursor=%00'), 400],
    ['a callback token', () => api().post('/callbacks/btrust/%00').send({}), 404],
  ])('answers a NUL in %s with a 4xx problem, never a 500', async (_where, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
  });
});
