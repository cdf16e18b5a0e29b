import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually } from '../support/sandbox-control';
import { useTestServer } from '../support/test-server';

const VALID_MOBILE = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Provider faults' };

describe('Provider faults seen from the API', () => {
  const server = useTestServer({
    BTRUST_BREAKER_THRESHOLD: '2',
    BTRUST_BREAKER_COOLDOWN_MS: '60000',
    SANDBOX_CALLBACK_DELAY_MS: '20',
    WEB_RECONCILE_QUIET_PERIOD_MS: '600000',
  });
  const { sandbox } = server;

  it('applies reordered webhooks exactly once each', async () => {
    await sandbox.reset();
    const start = () =>
      request(server.url)
        .post('/api/v1/web-identifications')
        .send({ reason: 'Reordered', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` })
        .expect(201);
    const first = (await start()).body;
    const second = (await start()).body;
    const sessions: Array<{ web_session_id: string }> = await server.app
      .get(DataSource)
      .query('SELECT web_session_id FROM web_identifications WHERE id = ANY($1) ORDER BY created_at', [[first.id, second.id]]);

    // The first webhook is held back and delivered after the second.
    await sandbox.post('/sandbox/callbacks/knobs', { reorder: 1 });
    for (const { web_session_id } of sessions) await sandbox.post(`/sandbox/web-identifications/${web_session_id}/approve`);

    for (const id of [first.id, second.id]) {
      await eventually(async () => (await request(server.url).get(`/api/v1/web-identifications/${id}`)).body.status, (status) => status === 'IDENTIFIED');
    }
    const deliveries = await sandbox.get<{ deliveries: Array<{ reordered?: boolean }> }>('/sandbox/callbacks/deliveries');
    expect(deliveries.deliveries.some((delivery) => delivery.reordered)).toBe(true);
    const transitions: Array<{ n: number }> = await server.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM state_transitions WHERE entity_id = ANY($1) AND to_state = 'IDENTIFIED' GROUP BY entity_id`, [
        [first.id, second.id],
      ]);
    expect(transitions).toEqual([{ n: 1 }, { n: 1 }]);
  });

  // Last: it leaves the circuit open for this server.
  it('opens the circuit after consecutive provider failures and then answers 503 at once without calling B-Trust', async () => {
    await sandbox.reset();
    await sandbox.fault('identification', 'http503', 10);
    for (let attempt = 0; attempt < 2; attempt++) {
      // A 503 after the paid request was sent leaves its outcome unknown.
      const failed = await request(server.url).post('/api/v1/mobile-identifications').send(VALID_MOBILE).expect(502);
      expect(failed.body.code).toBe('PROVIDER_OUTCOME_UNKNOWN');
    }
    const open = await request(server.url).post('/api/v1/mobile-identifications').send(VALID_MOBILE).expect(503);
    expect(open.body.code).toBe('CIRCUIT_OPEN');
    expect(open.headers['retry-after']).toEqual(expect.any(String));
    expect((await sandbox.calls()).identification).toBe(2);
    const [row] = await server.app
      .get(DataSource)
      .query('SELECT status, failure_code FROM mobile_identifications ORDER BY created_at DESC LIMIT 1');
    expect(row).toEqual({ status: 'FAILED', failure_code: 'CIRCUIT_OPEN' });
  });
});
