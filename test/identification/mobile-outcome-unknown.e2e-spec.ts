import request from 'supertest';
import { DataSource } from 'typeorm';
import { BtrustClient } from '../../src/btrust/btrust.client';
import { eventually } from '../support/sandbox-control';
import { useTestServer } from '../support/test-server';

const VALID = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Outcome unknown' };

/**
 * A paid 1.1 whose answer never came (B-Trust's answer arrives later than BTRUST_TIMEOUT_MS),
 * then an operator settling it both ways. Without authentication configured the development
 * user may use the operator API.
 */
describe('Mobile identification whose paid request has an unknown outcome', () => {
  const server = useTestServer({
    BTRUST_TIMEOUT_MS: '1000',
    BTRUST_RETRY_ATTEMPTS: '1',
    BTRUST_BREAKER_THRESHOLD: '50',
    MOBILE_POLL_INITIAL_INTERVAL_MS: '150',
    MOBILE_POLL_MAX_INTERVAL_MS: '300',
  }, { resetSandboxBeforeEach: true });
  const { sandbox } = server;

  const api = () => request(server.url);
  const db = () => server.app.get(DataSource);
  const resolve = (id: string, body: object) => api().post(`/api/v1/admin/mobile-identifications/${id}/resolve`).send(body);
  const row = async (id: string) =>
    (await db().query('SELECT status, provider_callback_id, failure_code, next_poll_at FROM mobile_identifications WHERE id = $1', [id]))[0];

  /** A 1.1 answered later than BTRUST_TIMEOUT_MS: whether B-Trust started it, the server cannot know. */
  async function timedOut(): Promise<string> {
    await sandbox.fault('identification', 'delay', 1, 2_500);
    const started = Date.now();
    const response = await api().post('/api/v1/mobile-identifications').send(VALID).expect(502);
    console.log(`paid POST timed out after ${Date.now() - started} ms (BTRUST_TIMEOUT_MS=1000)`);
    expect(response.body).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN', id: expect.any(String) });
    return response.body.id;
  }

  /**
   * What an operator learns from B-Trust when it did start the request: its callbackId. The
   * sandbox drops a request whose client went away, so the test makes the request B-Trust
   * "received" itself, over the server's own mutual-TLS client.
   */
  async function callbackIdAtBtrust(): Promise<string> {
    const accepted = await server.app.get(BtrustClient).identification({ ...VALID, docType: 'EGN' });
    return accepted.callbackId;
  }

  it('keeps a timed-out paid request as OUTCOME_UNKNOWN, lists it for operators, and never sends it again', async () => {
    const id = await timedOut();
    expect(await row(id)).toEqual({ status: 'OUTCOME_UNKNOWN', provider_callback_id: null, failure_code: 'PROVIDER_OUTCOME_UNKNOWN', next_poll_at: null });

    const listed = await api().get('/api/v1/admin/mobile-identifications?status=OUTCOME_UNKNOWN').expect(200);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(id);
    expect(listed.body.items.find((item: { id: string }) => item.id === id)).toMatchObject({
      status: 'OUTCOME_UNKNOWN',
      providerCallbackId: null,
      failure: { code: 'PROVIDER_OUTCOME_UNKNOWN' },
    });

    // An operator's refresh cannot ask B-Trust about a request it has no id for.
    await api().post(`/api/v1/admin/mobile-identifications/${id}/refresh`).expect(200);
    await new Promise((wait) => setTimeout(wait, 500));
    expect(await sandbox.calls()).toMatchObject({ identification: 1, getIdentificationResult: 0 });
    expect((await row(id)).status).toBe('OUTCOME_UNKNOWN');
  });

  it('resolves STARTED with the callbackId B-Trust confirms: polled again, and completed when the person confirms', async () => {
    const id = await timedOut();
    const callbackId = await callbackIdAtBtrust();

    const resolved = await resolve(id, { outcome: 'STARTED', callbackId, note: 'B-Trust support ticket 4711' }).expect(200);
    expect(resolved.body).toMatchObject({ id, status: 'PENDING', providerCallbackId: callbackId, failure: null });
    await eventually(() => sandbox.calls(), (calls) => calls.getIdentificationResult > 0);
    await sandbox.post(`/sandbox/mobile-identifications/${callbackId}/complete`);
    await eventually(async () => (await row(id)).status, (status) => status === 'COMPLETED');
    // The server's paid request and the one B-Trust "received": nothing more.
    expect((await sandbox.calls()).identification).toBe(2);

    const trail = await db().query('SELECT from_state, to_state, cause, detail FROM state_transitions WHERE entity_id = $1 ORDER BY id', [id]);
    expect(trail).toEqual(
      expect.arrayContaining([
        { from_state: 'PENDING', to_state: 'OUTCOME_UNKNOWN', cause: 'api', detail: { code: 'PROVIDER_OUTCOME_UNKNOWN' } },
        { from_state: 'OUTCOME_UNKNOWN', to_state: 'PENDING', cause: 'operator', detail: { outcome: 'STARTED', note: 'B-Trust support ticket 4711' } },
      ]),
    );
    const [action] = await db().query(`SELECT actor, action, target_type, outcome, detail FROM operator_actions WHERE target_id = $1 AND action = 'resolve'`, [id]);
    expect(action).toEqual({
      actor: 'development-user',
      action: 'resolve',
      target_type: 'mobile_identification',
      outcome: 'succeeded',
      detail: { outcome: 'STARTED', note: 'B-Trust support ticket 4711', status: 'PENDING' },
    });
  });

  it('resolves NOT_STARTED: FAILED with RESOLVED_NOT_STARTED, and nothing sent to B-Trust', async () => {
    const id = await timedOut();
    const resolved = await resolve(id, { outcome: 'NOT_STARTED' }).expect(200);
    expect(resolved.body).toMatchObject({ status: 'FAILED', failure: { code: 'RESOLVED_NOT_STARTED' } });
    const customer = await api().get(`/api/v1/mobile-identifications/${id}`).expect(200);
    expect(customer.body).toMatchObject({ status: 'FAILED', failure: { code: 'RESOLVED_NOT_STARTED' } });
    expect(await sandbox.calls()).toMatchObject({ identification: 1, getIdentificationResult: 0 });

    const again = await resolve(id, { outcome: 'NOT_STARTED' }).expect(409);
    expect(again.body).toMatchObject({ code: 'NOT_OUTCOME_UNKNOWN', status: 409, currentStatus: 'FAILED' });
    const [failed] = await db().query(`SELECT outcome, detail FROM operator_actions WHERE target_id = $1 AND action = 'resolve' ORDER BY id DESC LIMIT 1`, [id]);
    expect(failed).toEqual({ outcome: 'failed', detail: { outcome: 'NOT_STARTED', code: 'NOT_OUTCOME_UNKNOWN' } });
  });

  it('documents the state, the problem and the resolve endpoint in the OpenAPI document', async () => {
    const document = (await api().get('/docs-json').expect(200)).body;
    const create = document.paths['/api/v1/mobile-identifications'].post;
    expect(create.responses['502'].description).toContain('PROVIDER_OUTCOME_UNKNOWN');
    expect(create.responses['502'].content['application/problem+json'].examples.PROVIDER_OUTCOME_UNKNOWN.value).toMatchObject({
      code: 'PROVIDER_OUTCOME_UNKNOWN',
      status: 502,
      id: expect.any(String),
    });
    expect(document.components.schemas.MobileIdentificationView.properties.status.enum).toContain('OUTCOME_UNKNOWN');
    const resolvePath = document.paths['/api/v1/admin/mobile-identifications/{id}/resolve'].post;
    expect(Object.keys(resolvePath.requestBody.content['application/json'].examples)).toEqual(['started', 'notStarted']);
    expect(resolvePath.responses['409'].description).toContain('NOT_OUTCOME_UNKNOWN');
  });

  describe('refuses bad resolutions with a problem and changes nothing', () => {
    let id: string;
    let callbackId: string;

    beforeAll(async () => {
      await sandbox.reset();
      id = await timedOut();
      callbackId = await callbackIdAtBtrust();
    }, 30_000);

    it.each<[string, object, string, string]>([
      ['no outcome', {}, 'outcome', 'isDefined'],
      ['an unknown outcome', { outcome: 'MAYBE' }, 'outcome', 'isIn'],
      ['STARTED without a callbackId', { outcome: 'STARTED' }, 'callbackId', 'isDefined'],
      ['STARTED with an empty callbackId', { outcome: 'STARTED', callbackId: '' }, 'callbackId', 'minLength'],
      ['NOT_STARTED with a callbackId', { outcome: 'NOT_STARTED', callbackId: 'x' }, 'callbackId', 'ONLY_WITH_STARTED'],
      ['a validUntil that is not a date', { outcome: 'STARTED', callbackId: 'x', validUntil: 'tomorrow' }, 'validUntil', 'isIso8601'],
      ['a note too long', { outcome: 'NOT_STARTED', note: 'x'.repeat(501) }, 'note', 'maxLength'],
      ['an unknown field', { outcome: 'NOT_STARTED', resultId: '1' }, 'resultId', 'whitelistValidation'],
    ])('%s', async (_label, body, field, code) => {
      const response = await resolve(id, body).expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, codes: expect.arrayContaining([code]) })]));
      expect(await row(id)).toMatchObject({ status: 'OUTCOME_UNKNOWN', provider_callback_id: null });
    });

    it('answers 404 for an unknown identification and 400 for a malformed id', async () => {
      expect((await resolve('8a1d3f0e-0000-4000-8000-000000000000', { outcome: 'NOT_STARTED' }).expect(404)).body.code).toBe('NOT_FOUND');
      await resolve('not-a-uuid', { outcome: 'NOT_STARTED' }).expect(400);
    });

    it('refuses a callbackId another identification already polls', async () => {
      const other = (await api().post('/api/v1/mobile-identifications').send(VALID).expect(201)).body.id;
      const [{ provider_callback_id: taken }] = await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [other]);
      const response = await resolve(id, { outcome: 'STARTED', callbackId: taken }).expect(409);
      expect(response.body.code).toBe('CALLBACK_ID_IN_USE');
      expect(await row(id)).toMatchObject({ status: 'OUTCOME_UNKNOWN', provider_callback_id: null });
      // The right one still works.
      await resolve(id, { outcome: 'STARTED', callbackId }).expect(200);
    });
  });
});
