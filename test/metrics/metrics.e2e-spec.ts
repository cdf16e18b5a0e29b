import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { BtrustClient } from '../../src/btrust/btrust.client';
import { recordCreation } from '../../src/common/state-machine/apply-transition';
import { StateMachine } from '../../src/common/state-machine/state-machine';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { eventually } from '../support/sandbox-control';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { freePort, startTestServer, TestServer, useTestServer } from '../support/test-server';
import { sampleValue } from './prometheus-text';

const TOKEN = 'scrape-token-for-tests-0123456789';
const MOBILE = VALID_MOBILE_REQUEST;
const FAST = {
  MOBILE_POLL_INITIAL_INTERVAL_MS: '150',
  MOBILE_POLL_MAX_INTERVAL_MS: '600',
  WEB_RECONCILE_QUIET_PERIOD_MS: '1500',
  WEB_RECONCILE_INTERVAL_MS: '300',
  BTRUST_TIMEOUT_MS: '1500',
  BTRUST_RETRY_ATTEMPTS: '2',
  BTRUST_BREAKER_THRESHOLD: '50',
};
const DAY_MS = 24 * 60 * 60 * 1000;

describe('GET /metrics', () => {
  describe('on the main port, protected by METRICS_TOKEN', () => {
    const server = useTestServer({ ...FAST, METRICS_TOKEN: TOKEN }, { resetSandboxBeforeEach: true });
    const { sandbox } = server;

  const api = () => request(server.url);
    const db = () => server.app.get(DataSource);
    const scrape = async (): Promise<string> => {
      const response = await api().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      return response.text;
    };
    const webIds = async (id: string) => {
      const [row] = await db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [id]);
      const record = (await sandbox.state()).webIdentifications.find((web) => web.webSessionId === row.web_session_id)!;
      return { webSessionId: record.webSessionId, resultId: record.resultId, callbackPath: record.requestCallbackPath };
    };
    const startWeb = async () =>
      (
        await api()
          .post('/api/v1/web-identifications')
          .send({ reason: 'Opening an account', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` })
          .expect(201)
      ).body as { id: string };

    it.each([
      ['no Authorization header', undefined],
      ['a wrong token', `Bearer ${TOKEN}x`],
      ['the token under another scheme', `Basic ${TOKEN}`],
    ])('refuses a scrape with %s: 401 problem, no metrics', async (_case, authorization) => {
      const call = api().get('/metrics');
      if (authorization) void call.set('Authorization', authorization);
      const response = await call.expect(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(response.body.code).toBe('UNAUTHENTICATED');
      expect(response.text).not.toContain('btrust_cas_');
    });

    it('counts a mobile identification: the paid call, its latency and the transitions it caused', async () => {
      const before = await scrape();
      expect(sampleValue(before, 'btrust_cas_btrust_calls_total', { operation: 'identification' })).toBeUndefined();

      const { body } = await api().post('/api/v1/mobile-identifications').send(MOBILE).expect(201);
      const [row] = await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [body.id]);
      await sandbox.post(`/sandbox/mobile-identifications/${row.provider_callback_id}/complete`);
      await eventually(
        async () => (await api().get(`/api/v1/mobile-identifications/${body.id}`).expect(200)).body.status,
        (status) => status === 'COMPLETED',
      );

      const text = await scrape();
      expect(text).toContain('btrust_cas_btrust_calls_total{operation="identification",outcome="ok"} 1\n');
      expect(sampleValue(text, 'btrust_cas_btrust_call_duration_seconds_count', { operation: 'identification' })).toBe(1);
      expect(sampleValue(text, 'btrust_cas_btrust_call_duration_seconds_sum', { operation: 'identification' })).toBeGreaterThan(0);
      expect(sampleValue(text, 'btrust_cas_btrust_calls_total', { operation: 'getIdentificationResult', outcome: 'ok' })).toBe(
        (await sandbox.calls()).getIdentificationResult,
      );
      expect(text).toContain('btrust_cas_state_transitions_total{entity="mobile_identification",state="PENDING"} 1\n');
      expect(text).toContain('btrust_cas_state_transitions_total{entity="mobile_identification",state="COMPLETED"} 1\n');
      expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(sampleValue(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    });

    it('counts a failed provider call by its error code', async () => {
      await sandbox.fault('identification', 'http500', 1);
      await api().post('/api/v1/mobile-identifications').send(MOBILE).expect(502);
      const text = await scrape();
      expect(sampleValue(text, 'btrust_cas_btrust_calls_total', { operation: 'identification', outcome: 'UPSTREAM_ERROR' })).toBe(1);
      expect(sampleValue(text, 'btrust_cas_btrust_call_duration_seconds_count', { operation: 'identification' })).toBe(2);
    });

    it('counts a transition only when its transaction commits', async () => {
      const probe = new StateMachine<'COMMITTED' | 'ROLLED_BACK'>('metrics_probe', { COMMITTED: [], ROLLED_BACK: [] });
      await db().transaction((manager) => recordCreation(manager, probe, randomUUID(), 'COMMITTED', 'test'));
      await expect(
        db().transaction(async (manager) => {
          await recordCreation(manager, probe, randomUUID(), 'ROLLED_BACK', 'test');
          throw new Error('abandoned');
        }),
      ).rejects.toThrow('abandoned');

      const text = await scrape();
      expect(sampleValue(text, 'btrust_cas_state_transitions_total', { entity: 'metrics_probe', state: 'COMMITTED' })).toBe(1);
      expect(sampleValue(text, 'btrust_cas_state_transitions_total', { entity: 'metrics_probe', state: 'ROLLED_BACK' })).toBeUndefined();
    });

    it('counts webhooks received, deduplicated and rejected by reason', async () => {
      const value = (text: string, name: string, labels: Record<string, string> = {}) => sampleValue(text, name, labels) ?? 0;
      const before = await scrape();

      const created = await startWeb();
      const ids = await webIds(created.id);
      await sandbox.post('/sandbox/callbacks/knobs', { duplicate: 1 });
      await sandbox.post(`/sandbox/web-identifications/${ids.webSessionId}/approve`);
      await eventually(
        async () => (await api().get(`/api/v1/web-identifications/${created.id}`).expect(200)).body.status,
        (status) => status === 'IDENTIFIED',
      );
      const { deliveries } = await eventually(
        () => sandbox.get<{ deliveries: unknown[] }>('/sandbox/callbacks/deliveries'),
        (answer) => answer.deliveries.length >= 2,
      );
      await api().post('/callbacks/btrust/not-a-real-token').send({}).expect(404);
      await api().post(ids.callbackPath).send({ code: 'OK', data: { sessionId: 'x' } }).expect(400);
      const foreign = {
        code: 'OK',
        message: 'The request has been executed successfully.',
        requestId: 77,
        relyingPartyId: 99999,
        data: { processState: 'CREATE_SIGN_SESSION_REQUEST', sessionId: ids.webSessionId, resultId: ids.resultId, dataMessage: 'done' },
      };
      await api().post(ids.callbackPath).send(foreign).expect(200);

      const after = await scrape();
      const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
      expect(delta('btrust_cas_callbacks_received_total')).toBe(deliveries.length + 3);
      expect(delta('btrust_cas_callbacks_deduplicated_total')).toBe(deliveries.length - 1);
      expect(delta('btrust_cas_callbacks_rejected_total', { reason: 'CALLBACK_NOT_FOUND' })).toBe(1);
      expect(delta('btrust_cas_callbacks_rejected_total', { reason: 'INVALID_CALLBACK' })).toBe(1);
      expect(delta('btrust_cas_callbacks_unexpected_ids_total', { field: 'relyingPartyId' })).toBe(1);
      expect(delta('btrust_cas_state_transitions_total', { entity: 'web_identification', state: 'IDENTIFIED' })).toBe(1);
    });

    it('counts a web identification that reconciliation recovered after its webhook was lost', async () => {
      const created = await startWeb();
      const ids = await webIds(created.id);
      await sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
      await sandbox.post(`/sandbox/web-identifications/${ids.webSessionId}/approve`);
      await eventually(
        async () => (await api().get(`/api/v1/web-identifications/${created.id}`).expect(200)).body.status,
        (status) => status === 'IDENTIFIED',
      );
      const text = await scrape();
      expect(sampleValue(text, 'btrust_cas_reconciliation_recoveries_total', { entity: 'web_identification' })).toBe(1);
    });

    it('reports the inbox and each job queue by depth and age, computed at scrape', async () => {
      await db().query(
        `INSERT INTO callback_inbox (id, subject_id, dedupe_key, request_id, relying_party_id, process_state, session_id, result_id, received_at)
         VALUES ($1, $2, 'probe', '1', '1', 'PROBE', 's', 'r', now() - interval '90 seconds')`,
        [randomUUID(), randomUUID()],
      );
      const jobs = server.app.get(JobQueue);
      await jobs.createQueue('metrics-probe');
      await jobs.send('metrics-probe', { n: 1 }, { startAfter: new Date(Date.now() - 120_000) });
      await jobs.send('metrics-probe', { n: 2 });
      await jobs.send('metrics-probe', { n: 3 }, { startAfter: new Date(Date.now() + 3_600_000) });

      const text = await scrape();
      expect(sampleValue(text, 'btrust_cas_callback_inbox_pending')).toBe(1);
      expect(sampleValue(text, 'btrust_cas_callback_inbox_oldest_pending_age_seconds')).toBeGreaterThanOrEqual(90);
      expect(sampleValue(text, 'btrust_cas_job_queue_depth', { queue: 'metrics-probe' })).toBe(2);
      expect(sampleValue(text, 'btrust_cas_job_queue_oldest_age_seconds', { queue: 'metrics-probe' })).toBeGreaterThanOrEqual(120);
      expect(sampleValue(text, 'btrust_cas_job_queue_depth', { queue: 'btrust-callback' })).toBe(0);
      expect(sampleValue(text, 'btrust_cas_job_queue_oldest_age_seconds', { queue: 'btrust-callback' })).toBe(0);
      expect(text).not.toContain('queue="__pgboss__');
    });

    it('reports the open records of every state machine by state, and the age of the oldest, computed at scrape', async () => {
      const unknownBefore = sampleValue(await scrape(), 'btrust_cas_open_records', { entity: 'mobile_identification', state: 'OUTCOME_UNKNOWN' });
      const pending = (await api().post('/api/v1/mobile-identifications').send(MOBILE).expect(201)).body.id as string;
      await sandbox.fault('identification', 'delay', 1, 2_500);
      const unknown = (await api().post('/api/v1/mobile-identifications').send(MOBILE).expect(502)).body.id as string;
      await db().query(`UPDATE mobile_identifications SET created_at = now() - interval '2 hours' WHERE id = $1`, [unknown]);
      await db().query(`UPDATE mobile_identifications SET created_at = now() - interval '10 minutes' WHERE id = $1`, [pending]);

      const text = await scrape();
      const mobile = (state: string) => ({ entity: 'mobile_identification', state });
      expect(sampleValue(text, 'btrust_cas_open_records', mobile('OUTCOME_UNKNOWN'))).toBe((unknownBefore ?? 0) + 1);
      expect(sampleValue(text, 'btrust_cas_open_record_oldest_age_seconds', mobile('OUTCOME_UNKNOWN'))).toBeGreaterThanOrEqual(7200);
      const waiting = ['PENDING', 'ON_BOARDING', 'IN_PROGRESS'].map((state) => sampleValue(text, 'btrust_cas_open_records', mobile(state)) ?? Number.NaN);
      expect(waiting.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(1);
      const oldestWaiting = Math.max(...['PENDING', 'ON_BOARDING', 'IN_PROGRESS'].map((state) => sampleValue(text, 'btrust_cas_open_record_oldest_age_seconds', mobile(state)) ?? 0));
      expect(oldestWaiting).toBeGreaterThanOrEqual(600);
      // Final states are not open; every other machine's open states are there, 0 when empty.
      expect(sampleValue(text, 'btrust_cas_open_records', mobile('COMPLETED'))).toBeUndefined();
      expect(sampleValue(text, 'btrust_cas_open_records', { entity: 'signing', state: 'PENDING' })).toEqual(expect.any(Number));
      expect(sampleValue(text, 'btrust_cas_open_records', { entity: 'web_identification', state: 'STARTED' })).toEqual(expect.any(Number));
      expect(sampleValue(text, 'btrust_cas_open_records', { entity: 'web_identification', state: 'UNDER_REVIEW' })).toEqual(expect.any(Number));
      // IDENTIFIED rests (an agent may still deny it) but waits for nothing: not an open record.
      expect(sampleValue(text, 'btrust_cas_open_records', { entity: 'web_identification', state: 'IDENTIFIED' })).toBeUndefined();
    });

    it('reads the open-record gauges as NaN when the database cannot answer them, and the rest of the scrape still works', async () => {
      await db().query('ALTER TABLE signings RENAME TO signings_hidden');
      let text: string;
      try {
        text = await scrape();
      } finally {
        await db().query('ALTER TABLE signings_hidden RENAME TO signings');
      }
      expect(sampleValue(text, 'btrust_cas_open_records', { entity: 'mobile_identification', state: 'PENDING' })).toBeNaN();
      expect(sampleValue(text, 'btrust_cas_open_record_oldest_age_seconds', { entity: 'signing', state: 'PENDING' })).toBeNaN();
      expect(sampleValue(text, 'btrust_cas_callback_inbox_pending')).toEqual(expect.any(Number));
      expect(sampleValue(await scrape(), 'btrust_cas_open_records', { entity: 'signing', state: 'PENDING' })).not.toBeNaN();
    });

    it('reports the days until the B-Trust client certificate expires', async () => {
      const certificate = server.app.get(BtrustClient).clientCertificateInfo()!;
      const expected = (certificate.notAfter.getTime() - Date.now()) / DAY_MS;
      const text = await scrape();
      const days = sampleValue(text, 'btrust_cas_btrust_client_certificate_expiry_days', { subject: certificate.subject })!;
      expect(days).toBeGreaterThan(0);
      expect(Math.abs(days - expected)).toBeLessThan(0.02);
    });
  });

  describe('on its own port (METRICS_PORT)', () => {
    let server: TestServer;
    let metricsUrl: string;

    beforeAll(async () => {
      const port = await freePort();
      server = await startTestServer({ METRICS_PORT: String(port) });
      metricsUrl = `http://127.0.0.1:${port}`;
    });
    afterAll(() => server?.stop());

    it('serves /metrics there, bound to METRICS_HOST (127.0.0.1 by default), and not on the main port', async () => {
      const scraped = await request(metricsUrl).get('/metrics').expect(200);
      expect(sampleValue(scraped.text, 'btrust_cas_callback_inbox_pending')).toBe(0);
      await request(server.url).get('/metrics').expect(404);
      const other = await request(metricsUrl).get('/api/v1/mobile-identifications').expect(404);
      expect(other.body.code).toBe('NOT_FOUND');
    });
  });

  describe('with neither METRICS_TOKEN nor METRICS_PORT (development only)', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.stop());

    it('is open on the main port', async () => {
      const scraped = await request(server.url).get('/metrics').expect(200);
      expect(scraped.text).toContain('# TYPE btrust_cas_btrust_calls_total counter');
    });
  });
});
