import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually } from '../support/sandbox-control';
import { useTestServer } from '../support/test-server';

const POLL_CAP = 10;
const VALID_MOBILE = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Two instances' };

/**
 * Two server instances on one database and one provider, as behind a load
 * balancer: the work they share (polls, webhooks) must happen once.
 */
describe('Two server instances on one database', () => {
  const polling = {
    MOBILE_POLL_INITIAL_INTERVAL_MS: '100',
    MOBILE_POLL_MAX_INTERVAL_MS: '200',
    MOBILE_POLL_MAX_PER_SECOND: String(POLL_CAP),
    SANDBOX_CALLBACK_DELAY_MS: '20',
  };
  const first = useTestServer(polling);
  const second = useTestServer(polling, { joins: first });
  const { sandbox } = first;

  const db = () => first.app.get(DataSource);

  it('polls each pending identification from one instance at a time, under one shared cap, and completes it once', async () => {
    await sandbox.reset();
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        request(index % 2 ? second.url : first.url).post('/api/v1/mobile-identifications').send(VALID_MOBILE).expect(201),
      ),
    );
    const ids = created.map((response) => response.body.id as string);
    await eventually(() => sandbox.calls(), (calls) => calls.getIdentificationResult >= 10);

    // Six identifications every 100–200 ms would be 30–60 polls a second; the shared cap allows 10.
    const before = (await sandbox.calls()).getIdentificationResult;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const during = (await sandbox.calls()).getIdentificationResult - before;
    expect(during).toBeGreaterThan(0);
    expect(during).toBeLessThanOrEqual(POLL_CAP * 3);

    for (const mobile of (await sandbox.state()).mobileIdentifications) {
      await sandbox.post(`/sandbox/mobile-identifications/${mobile.callbackId}/complete`);
    }
    await eventually(
      () => db().query(`SELECT count(*)::int AS done FROM mobile_identifications WHERE status = 'COMPLETED'`),
      (rows: Array<{ done: number }>) => rows[0].done === ids.length,
    );

    // Each poll increments its identification's counter after the provider call. Two instances
    // polling one identification at once would both write the same next value and lose a count.
    const [{ polls }] = await db().query('SELECT sum(poll_count)::int AS polls FROM mobile_identifications');
    expect((await sandbox.calls()).getIdentificationResult).toBe(polls);
    const completions: Array<{ n: number }> = await db().query(
      `SELECT count(*)::int AS n FROM state_transitions WHERE to_state = 'COMPLETED' GROUP BY entity_id`,
    );
    expect(completions.map((row) => row.n)).toEqual(ids.map(() => 1));
  });

  it('processes a webhook delivered to both instances at once exactly once', async () => {
    await sandbox.reset();
    const created = await request(first.url)
      .post('/api/v1/web-identifications')
      .send({ reason: 'Two instances', successUrl: `${first.url}/ok`, cancelUrl: `${first.url}/cancel` })
      .expect(201);
    const web = (await sandbox.state()).webIdentifications.find((record) => record.state !== 'IDENTIFIED' && record.requestCallbackPath)!;
    const [row] = await db().query('SELECT web_session_id, result_id FROM web_identifications WHERE id = $1', [created.body.id]);
    expect(web.webSessionId).toBe(row.web_session_id);
    await sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
    await sandbox.post(`/sandbox/web-identifications/${row.web_session_id}/approve`);

    const body = {
      code: 'OK',
      requestId: 4242,
      relyingPartyId: 24102167,
      data: { processState: 'CREATE_SIGN_SESSION_REQUEST', sessionId: row.web_session_id, resultId: row.result_id },
    };
    const receipts = await Promise.all(
      Array.from({ length: 10 }, (_, index) => request(index % 2 ? second.url : first.url).post(web.requestCallbackPath).send(body)),
    );
    expect(receipts.map((receipt) => receipt.body.status).sort()).toEqual(['accepted', ...Array(9).fill('duplicate')]);
    await eventually(
      async () => (await request(second.url).get(`/api/v1/web-identifications/${created.body.id}`)).body.status,
      (status) => status === 'IDENTIFIED',
    );
    const transitions = await db().query(`SELECT 1 FROM state_transitions WHERE entity_id = $1 AND to_state = 'IDENTIFIED'`, [
      created.body.id,
    ]);
    expect(transitions).toHaveLength(1);
    expect((await sandbox.calls()).getWebIdentificationResult).toBe(1);
  });
});
