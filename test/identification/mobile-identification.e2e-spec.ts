import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually } from '../support/sandbox-control';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { startTestServer, TestServer, useTestServer } from '../support/test-server';

const PROBLEM_JSON = /^application\/problem\+json/;
const VALID = VALID_MOBILE_REQUEST;

const FAST_POLLING = {
  MOBILE_POLL_INITIAL_INTERVAL_MS: '150',
  MOBILE_POLL_MAX_INTERVAL_MS: '600',
  BTRUST_TIMEOUT_MS: '1500',
  BTRUST_RETRY_ATTEMPTS: '2',
  BTRUST_BREAKER_THRESHOLD: '50',
};

describe('Mobile identification (scenario 1)', () => {
  const server = useTestServer(FAST_POLLING, { resetSandboxBeforeEach: true });
  const { sandbox } = server;

  const api = () => request(server.url);
  const db = () => server.app.get(DataSource);
  const status = async (id: string) => (await api().get(`/api/v1/mobile-identifications/${id}`).expect(200)).body;
  const callbackIdOf = async (id: string): Promise<string> =>
    (await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [id]))[0].provider_callback_id;
  const rowCount = async () => Number((await db().query('SELECT count(*) FROM mobile_identifications'))[0].count);

  it('completes when the person confirms in B-Trust MOBILE, and serves the eID certificate', async () => {
    const created = await api().post('/api/v1/mobile-identifications').send(VALID).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      status: 'PENDING',
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
    });
    const id = created.body.id;

    await api().get(`/api/v1/mobile-identifications/${id}/certificate`).expect(409);
    const inProgress = await eventually(() => status(id), (body) => body.status === 'ON_BOARDING' || body.status === 'IN_PROGRESS');
    expect(inProgress.identifierMasked).toBe('******6742');
    expect(JSON.stringify(inProgress)).not.toContain('7805166742');

    await sandbox.post(`/sandbox/mobile-identifications/${await callbackIdOf(id)}/complete`, { fullName: 'Ivan Petrov Ivanov' });
    const completed = await eventually(() => status(id), (body) => body.status === 'COMPLETED');
    expect(completed).toMatchObject({ docType: 'EGN', identificator: expect.any(String), failure: null });
    expect(completed.completedAt).toEqual(expect.any(String));

    const certificate = await api().get(`/api/v1/mobile-identifications/${id}/certificate`).buffer(true).expect(200);
    expect(certificate.headers['content-type']).toBe('application/pdf');
    expect(certificate.headers['content-disposition']).toContain('attachment;');
    expect(Buffer.from(certificate.body).subarray(0, 5).toString()).toBe('%PDF-');

    const trail: Array<{ from_state: string | null; to_state: string; cause: string }> = await db().query(
      'SELECT from_state, to_state, cause FROM state_transitions WHERE entity_id = $1 ORDER BY id',
      [id],
    );
    expect(trail[0]).toEqual({ from_state: null, to_state: 'PENDING', cause: 'api' });
    expect(trail[trail.length - 1]).toMatchObject({ to_state: 'COMPLETED', cause: 'poll' });
  });

  it('ends REJECTED when the person refuses', async () => {
    const { body } = await api().post('/api/v1/mobile-identifications').send(VALID).expect(201);
    await eventually(() => callbackIdOf(body.id), Boolean);
    await sandbox.post(`/sandbox/mobile-identifications/${await callbackIdOf(body.id)}/reject`);
    const rejected = await eventually(() => status(body.id), (current) => current.status === 'REJECTED');
    expect(rejected.failure).toEqual({ code: 'REJECTED', message: expect.any(String) });
    await api().get(`/api/v1/mobile-identifications/${body.id}/certificate`).expect(409);
  });

  it('keeps polling through provider outages and still completes', async () => {
    const { body } = await api().post('/api/v1/mobile-identifications').send(VALID).expect(201);
    await sandbox.fault('getIdentificationResult', 'http503', 4);
    await sandbox.post(`/sandbox/mobile-identifications/${await callbackIdOf(body.id)}/complete`);
    await eventually(() => status(body.id), (current) => current.status === 'COMPLETED');
    expect((await sandbox.calls()).getIdentificationResult).toBeGreaterThanOrEqual(5);
  });

  describe('refuses bad input with a problem per field and no call to B-Trust', () => {
    it.each([
      ['a wrong EGN check digit', { identifier: '7805166743' }, 'identifier', 'EGN_CHECKSUM'],
      ['an EGN encoding no real date', { identifier: '7813326742' }, 'identifier', 'EGN_DATE'],
      ['an EGN that disagrees with dateOfBirth', { dateOfBirth: '1978-05-17' }, 'dateOfBirth', 'EGN_DATE_OF_BIRTH_MISMATCH'],
      ['an EGN encoding a date of birth before 1900', { identifier: '5021010007', dateOfBirth: '1850-01-01' }, 'identifier', 'EGN_DATE_OUT_OF_RANGE'],
      ['an EGN encoding a date of birth in the future', { identifier: '5041010001', dateOfBirth: '2050-01-01' }, 'identifier', 'EGN_DATE_OUT_OF_RANGE'],
      ['an EGN encoding 1800-01-01, the first day an EGN can', { identifier: '0021010008', dateOfBirth: '1800-01-01' }, 'identifier', 'EGN_DATE_OUT_OF_RANGE'],
      ['an EGN encoding 2099-12-31, the last day an EGN can', { identifier: '9952310000', dateOfBirth: '2099-12-31' }, 'identifier', 'EGN_DATE_OUT_OF_RANGE'],
      ['a missing dateOfBirth', { dateOfBirth: undefined }, 'dateOfBirth', 'isDefined'],
      ['a date of birth that is not YYYY-MM-DD', { dateOfBirth: '16-05-1978' }, 'dateOfBirth', 'isIsoDate'],
      ['a date of birth in the future', { docType: 'EMAIL', identifier: 'person@example.com', dateOfBirth: '2999-01-01' }, 'dateOfBirth', 'isPlausibleBirthDate'],
      ['a date of birth before 1900', { docType: 'LNC', identifier: '1000000012', dateOfBirth: '1800-01-01' }, 'dateOfBirth', 'isPlausibleBirthDate'],
      ['an invalid LNC', { docType: 'LNC', identifier: '1234567890' }, 'identifier', 'LNC_INVALID'],
      ['an invalid e-mail identifier', { docType: 'EMAIL', identifier: 'nobody' }, 'identifier', 'EMAIL_INVALID'],
      ['a phone identifier not in E.164', { docType: 'PHONE', identifier: '0888133443' }, 'identifier', 'PHONE_INVALID'],
      ['an unknown docType', { docType: 'PASSPORT' }, 'docType', 'isIn'],
      ['an onboarding phone not in E.164', { phoneNumber: '0888' }, 'phoneNumber', 'isE164Phone'],
      ['an onboarding e-mail that is no address', { email: 'x@' }, 'email', 'isEmailAddress'],
      ['a missing reason', { reason: undefined }, 'reason', 'isDefined'],
      ['an unknown field', { egn: '7805166742' }, 'egn', 'whitelistValidation'],
    ])('%s', async (_case, change, field, code) => {
      const before = await rowCount();
      const response = await api()
        .post('/api/v1/mobile-identifications')
        .send({ ...VALID, ...change })
        .expect(400);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, codes: expect.arrayContaining([code]) })]),
      );
      expect(JSON.stringify(response.body)).not.toContain('7805166742');
      expect(await sandbox.totalCalls()).toBe(0);
      expect(await rowCount()).toBe(before);
    });
  });

  it('lists every invalid field in one answer, the EGN\'s check digit with the others, and a missing field as required', async () => {
    const { reason: _reason, ...withoutReason } = VALID;
    const response = await api()
      .post('/api/v1/mobile-identifications')
      .send({ ...withoutReason, identifier: '7805166743', email: 'not-an-address' })
      .expect(400);
    expect(response.body.errors).toEqual([
      { field: 'identifier', codes: ['EGN_CHECKSUM'], messages: ['identifier has a wrong EGN check digit'] },
      { field: 'email', codes: ['isEmailAddress'], messages: ['email must be an e-mail address'] },
      { field: 'reason', codes: ['isDefined'], messages: ['reason is required'] },
    ]);
    expect(await sandbox.totalCalls()).toBe(0);
  });

  it.each([
    ['an LNC with a wrong check digit', { docType: 'LNC', identifier: '1234567890' }, 'LNC_INVALID'],
    ['an EGN that encodes no real date', { identifier: '7813326742' }, 'EGN_DATE'],
  ])('lists %s in the same answer as the other invalid fields', async (_case, change, code) => {
    const { reason: _reason, ...withoutReason } = VALID;
    const response = await api()
      .post('/api/v1/mobile-identifications')
      .send({ ...withoutReason, ...change, phoneNumber: '0888' })
      .expect(400);
    expect(response.body.errors.map((error: { field: string; codes: string[] }) => [error.field, error.codes])).toEqual([
      ['identifier', [code]],
      ['phoneNumber', ['isE164Phone']],
      ['reason', ['isDefined']],
    ]);
    expect(await sandbox.totalCalls()).toBe(0);
  });

  it('answers an Idempotency-Key repeat with the same identification and one paid call, even concurrently (409 while the first runs)', async () => {
    const send = () => api().post('/api/v1/mobile-identifications').set('Idempotency-Key', 'mobile-repeat-1').send(VALID);
    const answers = await Promise.all([send(), send(), send(), send(), send()]);
    // A repeat that arrives while the first is running is told so at once; one that arrives after it gets its answer.
    const created = answers.filter((answer) => answer.status === 201);
    const inProgress = answers.filter((answer) => answer.status === 409);
    expect(created.length + inProgress.length).toBe(answers.length);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const answer of inProgress) expect(answer.body.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    const ids = new Set(created.map((answer) => answer.body.id));
    expect(ids.size).toBe(1);
    expect((await sandbox.calls()).identification).toBe(1);

    const again = await send().expect(201);
    expect(again.body.id).toBe([...ids][0]);
    expect((await sandbox.calls()).identification).toBe(1);
  });

  it('refuses an Idempotency-Key reused with another body', async () => {
    await api().post('/api/v1/mobile-identifications').set('Idempotency-Key', 'mobile-reuse').send(VALID).expect(201);
    const reused = await api()
      .post('/api/v1/mobile-identifications')
      .set('Idempotency-Key', 'mobile-reuse')
      .send({ ...VALID, reason: 'Something else' })
      .expect(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await sandbox.calls()).identification).toBe(1);
  });

  it.each([
    ['a 503', 'http503'],
    ['a 500', 'http500'],
    ['a timeout', 'delay'],
    ['a connection reset after the request arrived', 'reset'],
    ['a 200 cut short', 'malformed'],
  ])('keeps the paid POST answered with %s as OUTCOME_UNKNOWN, answers 502 PROVIDER_OUTCOME_UNKNOWN and never sends it again', async (_label, kind) => {
    await sandbox.fault('identification', kind, 1, kind === 'delay' ? 3_000 : undefined);
    const response = await api().post('/api/v1/mobile-identifications').set('Idempotency-Key', `unknown-${kind}`).send(VALID).expect(502);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({
      code: 'PROVIDER_OUTCOME_UNKNOWN',
      title: "B-Trust's answer is unknown",
      detail: 'B-Trust may or may not have started this request. Do not send it again: the record is kept as OUTCOME_UNKNOWN for an operator to resolve.',
      id: expect.any(String),
    });
    const [row] = await db().query('SELECT id, status, failure_code, next_poll_at FROM mobile_identifications ORDER BY created_at DESC LIMIT 1');
    expect(row).toEqual({ id: response.body.id, status: 'OUTCOME_UNKNOWN', failure_code: 'PROVIDER_OUTCOME_UNKNOWN', next_poll_at: null });
    expect((await status(response.body.id)).status).toBe('OUTCOME_UNKNOWN');

    // The same Idempotency-Key gets the same problem, and B-Trust is not asked again.
    const repeat = await api().post('/api/v1/mobile-identifications').set('Idempotency-Key', `unknown-${kind}`).send(VALID).expect(502);
    expect(repeat.body).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN', id: response.body.id });
    expect((await sandbox.calls()).identification).toBe(1);
    // Nor is it polled: there is nothing to poll until an operator resolves it.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const [after] = await db().query('SELECT status, poll_count FROM mobile_identifications WHERE id = $1', [response.body.id]);
    expect(after).toEqual({ status: 'OUTCOME_UNKNOWN', poll_count: 0 });
  });

  it('answers 404 for an unknown identification and 400 for a malformed id', async () => {
    const missing = await api().get('/api/v1/mobile-identifications/8a1d3f0e-0000-4000-8000-000000000000').expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    await api().get('/api/v1/mobile-identifications/not-a-uuid').expect(400);
  });
});

describe('Mobile identification past its validity', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ...FAST_POLLING, SANDBOX_MOBILE_VALIDITY_MS: '1500' });
  });
  afterAll(() => server?.stop());

  it('ends EXPIRED when the person never confirms', async () => {
    const { body } = await request(server.url).post('/api/v1/mobile-identifications').send(VALID).expect(201);
    const expired = await eventually(
      async () => (await request(server.url).get(`/api/v1/mobile-identifications/${body.id}`)).body,
      (current) => current.status === 'EXPIRED',
    );
    expect(expired.failure.code).toBe('EXPIRED');
  });
});
