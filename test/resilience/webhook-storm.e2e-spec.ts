import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

const IDENTIFICATIONS = 60;
const DELIVERIES_EACH = 10;

/**
 * Many distinct webhooks (new requestIds) for many identifications at once,
 * as B-Trust might retry under its own load: every identification ends
 * IDENTIFIED exactly once and every other delivery is recorded as no change.
 */
describe('A storm of webhooks', () => {
  let server: TestServer;
  let sandbox: SandboxControl;

  beforeAll(async () => {
    // Reconciliation stays out of the way: only the webhooks may move anything here.
    server = await startTestServer({ WEB_RECONCILE_QUIET_PERIOD_MS: '600000' });
    sandbox = new SandboxControl(server.sandboxPagesUrl!);
  });
  afterAll(() => server?.stop());

  it('applies one webhook per identification and records the rest as no change', async () => {
    await sandbox.post('/sandbox/callbacks/knobs', { drop: 1_000_000 });
    for (let index = 0; index < IDENTIFICATIONS; index++) {
      await request(server.url)
        .post('/api/v1/web-identifications')
        .send({ reason: 'Storm', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` })
        .expect(201);
    }
    const db = server.app.get(DataSource);
    const rows: Array<{ web_session_id: string; result_id: string }> = await db.query('SELECT web_session_id, result_id FROM web_identifications');
    const paths = new Map((await sandbox.state()).webIdentifications.map((web) => [web.webSessionId, web.requestCallbackPath]));
    await Promise.all(rows.map((row) => sandbox.post(`/sandbox/web-identifications/${row.web_session_id}/approve`)));

    let requestId = 1;
    const deliveries = rows.flatMap((row) =>
      Array.from({ length: DELIVERIES_EACH }, () =>
        request(server.url)
          .post(paths.get(row.web_session_id)!)
          .send({
            code: 'OK',
            requestId: requestId++,
            relyingPartyId: 24102167,
            data: { processState: 'CREATE_SIGN_SESSION_REQUEST', sessionId: row.web_session_id, resultId: row.result_id },
          }),
      ),
    );
    const answers = await Promise.all(deliveries);
    expect(answers.every((answer) => answer.status === 200 && answer.body.status === 'accepted')).toBe(true);

    await eventually(
      () => db.query(`SELECT count(*)::int AS n FROM callback_inbox WHERE outcome = 'PENDING'`),
      (pending: Array<{ n: number }>) => pending[0].n === 0,
      60_000,
    );
    expect(await db.query('SELECT status, count(*)::int AS n FROM web_identifications GROUP BY status')).toEqual([
      { status: 'IDENTIFIED', n: IDENTIFICATIONS },
    ]);
    expect(await db.query('SELECT outcome, count(*)::int AS n FROM callback_inbox GROUP BY outcome ORDER BY outcome')).toEqual([
      { outcome: 'APPLIED', n: IDENTIFICATIONS },
      { outcome: 'NO_CHANGE', n: IDENTIFICATIONS * (DELIVERIES_EACH - 1) },
    ]);
    const transitions = await db.query(`SELECT count(*)::int AS n FROM state_transitions WHERE to_state = 'IDENTIFIED'`);
    expect(transitions).toEqual([{ n: IDENTIFICATIONS }]);
  });
});
