import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('Web identification (scenarios 2, 4, 5)', () => {
  let server: TestServer;
  let sandbox: SandboxControl;
  let valid: Record<string, unknown>;

  beforeAll(async () => {
    server = await startTestServer({
      SANDBOX_CALLBACK_DELAY_MS: '20',
      // Reconciliation has its own server below; here only webhooks move identifications.
      WEB_RECONCILE_QUIET_PERIOD_MS: '600000',
      BTRUST_TIMEOUT_MS: '1500',
    });
    sandbox = new SandboxControl(server.sandboxPagesUrl!);
    valid = { reason: 'Opening an account', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` };
  });
  afterAll(() => server?.stop());
  beforeEach(() => sandbox.reset());

  const api = () => request(server.url);
  const db = () => server.app.get(DataSource);
  const get = async (id: string) => (await api().get(`/api/v1/web-identifications/${id}`).expect(200)).body;
  const start = async () => (await api().post('/api/v1/web-identifications').send(valid).expect(201)).body;
  const providerIds = async (id: string) => {
    const [row] = await db().query('SELECT web_session_id, result_id FROM web_identifications WHERE id = $1', [id]);
    const state = await sandbox.state();
    const record = state.webIdentifications.find((web) => web.webSessionId === row.web_session_id)!;
    return { webSessionId: row.web_session_id as string, resultId: row.result_id as string, callbackPath: record.requestCallbackPath };
  };
  const transitionsTo = async (id: string, state: string): Promise<Array<{ cause: string }>> =>
    db().query('SELECT cause FROM state_transitions WHERE entity_id = $1 AND to_state = $2', [id, state]);
  const callbackBody = (ids: { webSessionId: string; resultId: string }, overrides: Record<string, unknown> = {}) => ({
    code: 'OK',
    message: 'The request has been executed successfully.',
    requestId: 9001,
    relyingPartyId: 24102167,
    data: {
      processState: 'CREATE_SIGN_SESSION_REQUEST',
      sessionId: ids.webSessionId,
      resultId: ids.resultId,
      dataMessage: `The request with resultID ${ids.resultId} completed successfully`,
    },
    ...overrides,
  });

  it('starts, sends the person to B-Trust, and becomes IDENTIFIED after the webhook is confirmed', async () => {
    const created = await start();
    expect(created).toEqual({ id: expect.any(String), status: 'STARTED', redirectUrl: expect.any(String), expiresAt: expect.any(String) });
    expect(created.redirectUrl.startsWith(`${server.sandboxPagesUrl}/session/`)).toBe(true);
    await api().get(`/api/v1/web-identifications/${created.id}/certificate`).expect(409);

    const ids = await providerIds(created.id);
    expect((await sandbox.calls()).startWebIdentification).toBe(1);
    expect((await sandbox.calls()).createRegistration).toBe(1);
    await sandbox.post(`/sandbox/web-identifications/${ids.webSessionId}/approve`, { fullName: 'Maria Ivanova', egn: '7805166742' });

    const identified = await eventually(() => get(created.id), (body) => body.status === 'IDENTIFIED');
    expect(identified).toMatchObject({
      clientIdentificator: expect.stringMatching(/^[0-9a-f]{64}$/),
      signingAvailableUntil: expect.any(String),
      identifiedAt: expect.any(String),
      failure: null,
    });
    expect(await transitionsTo(created.id, 'IDENTIFIED')).toEqual([{ cause: 'callback' }]);
    expect((await sandbox.calls()).getWebIdentificationResult).toBe(1);

    const certificate = await api().get(`/api/v1/web-identifications/${created.id}/certificate`).buffer(true).expect(200);
    expect(certificate.headers['content-type']).toBe('application/pdf');
    expect(Buffer.from(certificate.body).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('becomes CANCELLED when the person gives up', async () => {
    const created = await start();
    const ids = await providerIds(created.id);
    await sandbox.post(`/sandbox/web-identifications/${ids.webSessionId}/cancel`);
    const cancelled = await eventually(() => get(created.id), (body) => body.status === 'CANCELLED');
    expect(cancelled.provider.status).toBe('PROCESS_IS_CANCELED_BY_USER');
  });

  it('becomes REJECTED when the identification is refused', async () => {
    const created = await start();
    const ids = await providerIds(created.id);
    await sandbox.post(`/sandbox/web-identifications/${ids.webSessionId}/reject`);
    const rejected = await eventually(() => get(created.id), (body) => body.status === 'REJECTED');
    expect(rejected.provider.registrationStatus).toBe('REJECTED');
  });

  it('applies the same webhook delivered ten times at once exactly once', async () => {
    const created = await start();
    const ids = await providerIds(created.id);
    await sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
    await sandbox.post(`/sandbox/web-identifications/${ids.webSessionId}/approve`);

    const body = callbackBody(ids);
    const receipts = await Promise.all(Array.from({ length: 10 }, () => api().post(ids.callbackPath).send(body)));
    expect(receipts.map((receipt) => receipt.status)).toEqual(Array(10).fill(200));
    const kinds = receipts.map((receipt) => receipt.body.status).sort();
    expect(kinds).toEqual(['accepted', ...Array(9).fill('duplicate')]);

    await eventually(() => get(created.id), (current) => current.status === 'IDENTIFIED');
    expect(await transitionsTo(created.id, 'IDENTIFIED')).toHaveLength(1);
    const [inbox] = await db().query('SELECT count(*)::int AS entries, sum(duplicates)::int AS duplicates FROM callback_inbox WHERE subject_id = $1', [created.id]);
    expect(inbox).toEqual({ entries: 1, duplicates: 9 });
  });

  describe('forged webhooks change nothing', () => {
    it('refuses an unknown token with 404 and stores nothing', async () => {
      const created = await start();
      const ids = await providerIds(created.id);
      const response = await api().post('/callbacks/btrust/not-a-real-token').send(callbackBody(ids)).expect(404);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body.code).toBe('CALLBACK_NOT_FOUND');
      expect(await db().query('SELECT 1 FROM callback_inbox WHERE subject_id = $1', [created.id])).toHaveLength(0);
    });

    it('refuses a malformed body with 400 and stores nothing', async () => {
      const created = await start();
      const ids = await providerIds(created.id);
      const response = await api().post(ids.callbackPath).send({ code: 'OK', data: { sessionId: 'x' } }).expect(400);
      expect(response.body.code).toBe('INVALID_CALLBACK');
      expect(await db().query('SELECT 1 FROM callback_inbox WHERE subject_id = $1', [created.id])).toHaveLength(0);
    });

    it('records but never applies a valid token with another session\'s ids', async () => {
      const victim = await start();
      const other = await start();
      const victimIds = await providerIds(victim.id);
      const otherIds = await providerIds(other.id);
      await sandbox.post(`/sandbox/web-identifications/${otherIds.webSessionId}/approve`);
      await eventually(() => get(other.id), (body) => body.status === 'IDENTIFIED');

      await api().post(victimIds.callbackPath).send(callbackBody(otherIds)).expect(200);
      const [entry] = await eventually(
        () => db().query('SELECT outcome FROM callback_inbox WHERE subject_id = $1', [victim.id]),
        (rows: Array<{ outcome: string }>) => rows.length === 1 && rows[0].outcome !== 'PENDING',
      );
      expect(entry.outcome).toBe('MISMATCH');
      expect((await get(victim.id)).status).toBe('STARTED');
    });

    it('processes a callback naming another relying party, flagged, and moves only on B-Trust\'s answer', async () => {
      const created = await start();
      const ids = await providerIds(created.id);
      const response = await api().post(ids.callbackPath).send(callbackBody(ids, { relyingPartyId: 99999 })).expect(200);
      expect(response.body.status).toBe('accepted');
      const [entry] = await eventually(
        () => db().query('SELECT outcome, foreign_relying_party FROM callback_inbox WHERE subject_id = $1', [created.id]),
        (rows: Array<{ outcome: string }>) => rows.length === 1 && rows[0].outcome !== 'PENDING',
      );
      // B-Trust was asked and has no result yet: the webhook was a hint, not evidence.
      expect(entry).toEqual({ outcome: 'NO_CHANGE', foreign_relying_party: true });
      expect((await sandbox.calls()).getWebIdentificationResult).toBe(1);
      expect((await get(created.id)).status).toBe('STARTED');
    });
  });

  it('passes the registration status through (scenario 4) and refreshes on demand (scenario 5)', async () => {
    const created = await start();
    const registration = await api().get(`/api/v1/web-identifications/${created.id}/registration`).expect(200);
    expect(registration.body).toMatchObject({ status: 'STARTED', reviewStatus: 'N_A' });

    const ids = await providerIds(created.id);
    await sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
    await sandbox.post(`/sandbox/web-identifications/${ids.webSessionId}/approve`);
    const refreshed = (await api().get(`/api/v1/web-identifications/${created.id}?refresh=true`).expect(200)).body;
    expect(refreshed.status).toBe('IDENTIFIED');
    expect(refreshed.provider.registrationStatus).toBe('FINALIZED');
    const after = await api().get(`/api/v1/web-identifications/${created.id}/registration`).expect(200);
    expect(after.body.status).toBe('FINALIZED');
  });

  describe('refuses bad input with no call to B-Trust', () => {
    it.each([
      ['a successUrl on another origin', { successUrl: 'https://evil.example/ok' }, 'successUrl', 'REDIRECT_NOT_ALLOWED'],
      ['a protocol-relative cancelUrl', { cancelUrl: '//evil.example' }, 'cancelUrl', 'REDIRECT_NOT_ALLOWED'],
      ['a javascript: successUrl', { successUrl: 'javascript:alert(1)' }, 'successUrl', 'REDIRECT_NOT_ALLOWED'],
      ['a language other than bg/en', { language: 'de' }, 'language', 'isIn'],
      ['a non-boolean flag', { verifyEmail: 'yes' }, 'verifyEmail', 'isBoolean'],
      ['a missing reason', { reason: undefined }, 'reason', 'isDefined'],
    ])('%s', async (_case, change, field, code) => {
      const before = Number((await db().query('SELECT count(*) FROM web_identifications'))[0].count);
      const response = await api().post('/api/v1/web-identifications').send({ ...valid, ...change }).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, codes: expect.arrayContaining([code]) })]));
      expect(await sandbox.totalCalls()).toBe(0);
      expect(Number((await db().query('SELECT count(*) FROM web_identifications'))[0].count)).toBe(before);
    });
  });

  it('ends FAILED with the reason when createRegistration fails, leaving nothing dangling', async () => {
    await sandbox.fault('createRegistration', 'http500', 1);
    const response = await api().post('/api/v1/web-identifications').send(valid).expect(502);
    expect(response.body.code).toBe('UPSTREAM_ERROR');
    const [row] = await db().query('SELECT status, failure_code, failure_message FROM web_identifications ORDER BY created_at DESC LIMIT 1');
    expect(row.status).toBe('FAILED');
    expect(row.failure_code).toBe('UPSTREAM_ERROR');
    expect(row.failure_message).toContain('createRegistration');
    expect((await sandbox.calls()).createRegistration).toBe(1);
  });

  it('answers an Idempotency-Key repeat with the same identification and one paid start', async () => {
    const send = () => api().post('/api/v1/web-identifications').set('Idempotency-Key', 'web-repeat').send(valid);
    const answers = await Promise.all([send(), send(), send()]);
    const created = answers.filter((answer) => answer.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const answer of answers.filter((candidate) => candidate.status !== 201)) {
      expect([answer.status, answer.body.code]).toEqual([409, 'IDEMPOTENCY_KEY_IN_PROGRESS']);
    }
    const again = await send().expect(201);
    expect(new Set([...created, again].map((answer) => answer.body.id)).size).toBe(1);
    expect(new Set([...created, again].map((answer) => answer.body.redirectUrl)).size).toBe(1);
    expect((await sandbox.calls()).startWebIdentification).toBe(1);
  });
});

describe('Web identification with a missed webhook', () => {
  let server: TestServer;
  let sandbox: SandboxControl;

  beforeAll(async () => {
    server = await startTestServer({ WEB_RECONCILE_QUIET_PERIOD_MS: '300', WEB_RECONCILE_INTERVAL_MS: '300' });
    sandbox = new SandboxControl(server.sandboxPagesUrl!);
  });
  afterAll(() => server?.stop());

  it('recovers a dropped webhook through reconciliation', async () => {
    const created = (
      await request(server.url)
        .post('/api/v1/web-identifications')
        .send({ reason: 'Missed webhook', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` })
        .expect(201)
    ).body;
    const db = server.app.get(DataSource);
    const [row] = await db.query('SELECT web_session_id FROM web_identifications WHERE id = $1', [created.id]);
    await sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
    await sandbox.post(`/sandbox/web-identifications/${row.web_session_id}/approve`);
    await eventually(
      async () => (await request(server.url).get(`/api/v1/web-identifications/${created.id}`)).body.status,
      (status) => status === 'IDENTIFIED',
    );
    const causes = await db.query(`SELECT cause FROM state_transitions WHERE entity_id = $1 AND to_state = 'IDENTIFIED'`, [created.id]);
    expect(causes).toEqual([{ cause: 'reconcile' }]);
    const deliveries = await sandbox.get<{ deliveries: Array<{ outcome: string }> }>('/sandbox/callbacks/deliveries');
    expect(deliveries.deliveries.map((delivery) => delivery.outcome)).toEqual(['dropped']);
  });
});
