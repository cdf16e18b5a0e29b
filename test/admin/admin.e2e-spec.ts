import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { jsonDocument, pdf } from '../signing/signing-support';
import { eventually } from '../support/sandbox-control';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { useTestServer } from '../support/test-server';

const PROBLEM_JSON = /^application\/problem\+json/;
const MOBILE = VALID_MOBILE_REQUEST;

describe('Operator API (/api/v1/admin)', () => {
  const server = useTestServer(
    {
      AUTH_JWT_SECRET: randomBytes(32).toString('base64url'),
      AUTH_OPERATOR_ROLE: 'cas-operator',
      // Nothing moves on its own here: no poll, no reconciliation, so every move is the operator's refresh.
      MOBILE_POLL_INITIAL_INTERVAL_MS: '600000',
      MOBILE_POLL_MAX_INTERVAL_MS: '600000',
      WEB_RECONCILE_QUIET_PERIOD_MS: '86400000',
      BTRUST_TIMEOUT_MS: '1500',
      BTRUST_RETRY_ATTEMPTS: '2',
      BTRUST_BREAKER_THRESHOLD: '50',
    },
    { resetSandboxBeforeEach: true },
  );
  const { sandbox } = server;
  let operator: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    operator = await server.token('operator-olga', { roles: ['support', 'cas-operator'] });
    alice = await server.token('alice', { roles: ['customer'] });
    bob = await server.token('bob');
  });

  const api = () => request(server.url);
  const db = () => server.app.get(DataSource);
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const admin = (path: string) => api().get(`/api/v1/admin${path}`).set(as(operator));
  const webRequest = () => ({ reason: 'Opening an account', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` });
  const startWeb = async (token: string) => (await api().post('/api/v1/web-identifications').set(as(token)).send(webRequest()).expect(201)).body.id as string;
  const webSessionOf = async (id: string) =>
    (await db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [id]))[0].web_session_id as string;
  const operatorActions = (targetId: string) =>
    db().query('SELECT actor, action, target_type, target_id, outcome, detail, request_id FROM operator_actions WHERE target_id = $1 ORDER BY id', [targetId]);

  describe('access', () => {
    it('refuses subjects without the operator role with 403 FORBIDDEN, and anonymous callers with 401', async () => {
      const id = randomUUID();
      const calls = [
        (token: string) => api().get('/api/v1/admin/mobile-identifications').set(as(token)),
        (token: string) => api().get('/api/v1/admin/web-identifications').set(as(token)),
        (token: string) => api().get('/api/v1/admin/signings').set(as(token)),
        (token: string) => api().get(`/api/v1/admin/web-identifications/${id}/audit-trail`).set(as(token)),
        (token: string) => api().post(`/api/v1/admin/web-identifications/${id}/refresh`).set(as(token)),
        (token: string) => api().post(`/api/v1/admin/mobile-identifications/${id}/refresh`).set(as(token)),
      ];
      for (const call of calls) {
        for (const token of [alice, bob]) {
          const response = await call(token);
          expect(response.status).toBe(403);
          expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
          expect(response.body.code).toBe('FORBIDDEN');
        }
      }
      expect((await api().get('/api/v1/admin/signings')).status).toBe(401);
      expect((await db().query('SELECT count(*)::int AS n FROM operator_actions WHERE actor <> $1', ['operator-olga']))[0].n).toBe(0);
    });

    it('does not let the operator role reach into the customer API as another owner', async () => {
      const id = await startWeb(alice);
      await api().get(`/api/v1/web-identifications/${id}`).set(as(operator)).expect(404);
    });
  });

  describe('listing', () => {
    let aliceFirst: string;
    let aliceCancelled: string;
    let bobs: string;
    let between: string;

    beforeAll(async () => {
      aliceFirst = await startWeb(alice);
      aliceCancelled = await startWeb(alice);
      await new Promise((resolve) => setTimeout(resolve, 50));
      between = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 50));
      bobs = await startWeb(bob);
      await sandbox.post(`/sandbox/web-identifications/${await webSessionOf(aliceCancelled)}/cancel`);
      await api().post(`/api/v1/admin/web-identifications/${aliceCancelled}/refresh`).set(as(operator)).expect(200);
    });

    const ids = (body: { items: Array<{ id: string }> }) => body.items.map((item) => item.id);

    it('lists every owner\'s records, newest first', async () => {
      const { body } = await admin('/web-identifications').expect(200);
      const mine = ids(body).filter((id) => [aliceFirst, aliceCancelled, bobs].includes(id));
      expect(mine).toEqual([bobs, aliceCancelled, aliceFirst]);
      expect(body.items.find((item: { id: string }) => item.id === bobs)).toMatchObject({ owner: 'bob', status: 'STARTED' });
    });

    it('filters by status and by creation time', async () => {
      const cancelled = (await admin('/web-identifications?status=CANCELLED').expect(200)).body;
      expect(ids(cancelled)).toEqual([aliceCancelled]);
      expect(cancelled.items[0]).toMatchObject({ owner: 'alice', status: 'CANCELLED', providerStatus: 'PROCESS_IS_CANCELED_BY_USER' });

      const later = (await admin(`/web-identifications?createdFrom=${encodeURIComponent(between)}`).expect(200)).body;
      expect(ids(later)).toContain(bobs);
      expect(ids(later)).not.toContain(aliceFirst);
      const earlier = (await admin(`/web-identifications?createdTo=${encodeURIComponent(between)}&status=STARTED`).expect(200)).body;
      expect(ids(earlier)).toContain(aliceFirst);
      expect(ids(earlier)).not.toContain(bobs);
      expect(ids(earlier)).not.toContain(aliceCancelled);
    });

    it('pages with a cursor through every record exactly once', async () => {
      const all = ids((await admin('/web-identifications?limit=100').expect(200)).body);
      expect(all.length).toBeGreaterThanOrEqual(3);
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
        const page = (await admin(`/web-identifications${query}`).expect(200)).body;
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...ids(page));
        cursor = page.nextCursor;
      } while (cursor);
      expect(paged).toEqual(all);
    });

    it('refuses bad filters with 400 problems', async () => {
      expect((await admin('/web-identifications?limit=101').expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await admin('/web-identifications?status=SIGNED').expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await admin('/web-identifications?createdFrom=yesterday').expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await admin('/web-identifications?owner=alice').expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await admin(`/web-identifications?cursor=${randomUUID()}`).expect(400)).body.code).toBe('INVALID_CURSOR');
    });

    it('shows a mobile identification with its identifier masked and no contact details', async () => {
      const created = await api().post('/api/v1/mobile-identifications').set(as(alice)).send(MOBILE).expect(201);
      const { body } = await admin('/mobile-identifications?status=PENDING').expect(200);
      const item = body.items.find((candidate: { id: string }) => candidate.id === created.body.id);
      expect(item).toMatchObject({ owner: 'alice', status: 'PENDING', docType: 'EGN', identifierMasked: '******6742' });
      const text = JSON.stringify(body);
      for (const secret of [MOBILE.identifier, MOBILE.phoneNumber, MOBILE.email, MOBILE.dateOfBirth]) expect(text).not.toContain(secret);
    });

    it('records every listing in operator_actions with its filters', async () => {
      await admin('/signings?status=PENDING&limit=5').expect(200);
      const [row] = await db().query(
        `SELECT actor, outcome, detail FROM operator_actions WHERE action = 'list' AND target_type = 'signing' ORDER BY id DESC LIMIT 1`,
      );
      expect(row).toEqual({ actor: 'operator-olga', outcome: 'succeeded', detail: { filters: { status: 'PENDING', limit: 5 }, returned: expect.any(Number) } });
    });
  });

  describe('audit trail and refresh', () => {
    it('refreshes a web identification whose webhook was lost, and shows the move in its audit trail', async () => {
      const id = await startWeb(alice);
      await sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
      await sandbox.post(`/sandbox/web-identifications/${await webSessionOf(id)}/approve`);
      await eventually(() => sandbox.get<{ deliveries: Array<{ outcome: string }> }>('/sandbox/callbacks/deliveries'), (d) => d.deliveries.length > 0);
      expect((await api().get(`/api/v1/web-identifications/${id}`).set(as(alice)).expect(200)).body.status).toBe('STARTED');

      const refreshed = await api().post(`/api/v1/admin/web-identifications/${id}/refresh`).set(as(operator)).expect(200);
      expect(refreshed.body).toMatchObject({ id, owner: 'alice', status: 'IDENTIFIED', identifiedAt: expect.any(String) });
      expect((await api().get(`/api/v1/web-identifications/${id}`).set(as(alice)).expect(200)).body.status).toBe('IDENTIFIED');

      const trail = (await admin(`/web-identifications/${id}/audit-trail`).expect(200)).body;
      expect(trail).toEqual({
        entityType: 'web_identification',
        entityId: id,
        transitions: [
          { from: null, to: 'STARTED', cause: 'api', at: expect.any(String), detail: null },
          { from: 'STARTED', to: 'IDENTIFIED', cause: 'operator', at: expect.any(String), detail: null },
        ],
      });

      expect(await operatorActions(id)).toEqual([
        { actor: 'operator-olga', action: 'refresh', target_type: 'web_identification', target_id: id, outcome: 'succeeded', detail: { status: 'IDENTIFIED' }, request_id: expect.any(String) },
        { actor: 'operator-olga', action: 'read_audit_trail', target_type: 'web_identification', target_id: id, outcome: 'succeeded', detail: null, request_id: expect.any(String) },
      ]);
    });

    it('polls B-Trust once for a mobile identification on request', async () => {
      const created = await api().post('/api/v1/mobile-identifications').set(as(alice)).send(MOBILE).expect(201);
      const id = created.body.id;
      const [row] = await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [id]);
      await sandbox.post(`/sandbox/mobile-identifications/${row.provider_callback_id}/complete`, { fullName: 'Ivan Petrov Ivanov' });
      expect((await api().get(`/api/v1/mobile-identifications/${id}`).set(as(alice)).expect(200)).body.status).toBe('PENDING');

      const refreshed = await api().post(`/api/v1/admin/mobile-identifications/${id}/refresh`).set(as(operator)).expect(200);
      expect(refreshed.body).toMatchObject({ id, status: 'COMPLETED', pollCount: 1, identifierMasked: '******6742' });
      expect((await sandbox.calls()).getIdentificationResult).toBe(1);

      const trail = (await admin(`/mobile-identifications/${id}/audit-trail`).expect(200)).body;
      expect(trail.transitions.map((transition: { from: string | null; to: string }) => [transition.from, transition.to])).toEqual([
        [null, 'PENDING'],
        ['PENDING', 'COMPLETED'],
      ]);
      expect((await operatorActions(id))[0]).toMatchObject({ action: 'refresh', target_type: 'mobile_identification', outcome: 'succeeded', detail: { status: 'COMPLETED' } });
    });

    it('refreshes a signing and reads its audit trail', async () => {
      const identification = await startWeb(alice);
      await sandbox.post(`/sandbox/web-identifications/${await webSessionOf(identification)}/approve`, { fullName: 'Maria Ivanova', egn: '7805166742' });
      await eventually(
        async () => (await api().get(`/api/v1/web-identifications/${identification}`).set(as(alice)).expect(200)).body,
        (body) => body.status === 'IDENTIFIED',
      );
      const body = { documents: [jsonDocument(await pdf(1, 'Contract'), 'contract.pdf')], successUrl: `${server.url}/signed`, cancelUrl: `${server.url}/not-signed` };
      const signing = (await api().post(`/api/v1/web-identifications/${identification}/signings`).set(as(alice)).send(body).expect(201)).body;

      const listed = (await admin('/signings?status=PENDING').expect(200)).body;
      expect(listed.items.map((item: { id: string }) => item.id)).toContain(signing.id);
      const refreshed = await api().post(`/api/v1/admin/signings/${signing.id}/refresh`).set(as(operator)).expect(200);
      expect(refreshed.body).toMatchObject({ id: signing.id, owner: 'alice', webIdentificationId: identification, status: 'PENDING' });
      const trail = (await admin(`/signings/${signing.id}/audit-trail`).expect(200)).body;
      expect(trail).toMatchObject({ entityType: 'signing', entityId: signing.id, transitions: [{ from: null, to: 'PENDING' }] });
    });

    it('answers an unknown record with 404 and audits the failed attempt', async () => {
      const id = randomUUID();
      expect((await admin(`/mobile-identifications/${id}/audit-trail`).expect(404)).body.code).toBe('NOT_FOUND');
      expect((await api().post(`/api/v1/admin/web-identifications/${id}/refresh`).set(as(operator)).expect(404)).body.code).toBe('NOT_FOUND');
      expect((await operatorActions(id)).map((row: { action: string; outcome: string; detail: unknown }) => [row.action, row.outcome, row.detail])).toEqual([
        ['read_audit_trail', 'failed', { code: 'NOT_FOUND' }],
        ['refresh', 'failed', { code: 'NOT_FOUND' }],
      ]);
    });

    it('passes a B-Trust outage through as a 503 problem and audits it as failed', async () => {
      const id = await startWeb(alice);
      await sandbox.fault('getWebIdentificationStatus', 'http503', 5);
      const response = await api().post(`/api/v1/admin/web-identifications/${id}/refresh`).set(as(operator)).expect(503);
      expect(response.body.code).toBe('UPSTREAM_UNAVAILABLE');
      expect((await operatorActions(id))[0]).toMatchObject({ action: 'refresh', outcome: 'failed', detail: { code: 'UPSTREAM_UNAVAILABLE' } });
      expect((await api().get(`/api/v1/web-identifications/${id}`).set(as(alice)).expect(200)).body.status).toBe('STARTED');
    });
  });
});
