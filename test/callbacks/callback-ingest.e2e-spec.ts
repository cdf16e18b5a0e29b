import request from 'supertest';
import { DataSource } from 'typeorm';
import { CALLBACK_QUEUE } from '../../src/callbacks/callback-inbox.service';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

/** The job settings that come from the queue (keep_until as its distance from start_after). */
const JOB_SETTINGS = `SELECT name, priority, state IN ('created', 'active', 'completed') AS live, retry_limit, retry_delay, retry_backoff,
         expire_in::text AS expire_in, (keep_until - start_after)::text AS kept_for, dead_letter, policy, singleton_key
    FROM pgboss.job WHERE name = $1 AND data->>'inboxId' = $2`;

/**
 * The webhook's request path stores the delivery and enqueues its job in one
 * statement of its own making: it must enqueue exactly what pg-boss would,
 * once per delivery, and nothing for an address that is not live.
 */
describe('Webhook ingest', () => {
  let server: TestServer;
  let sandbox: SandboxControl;

  beforeAll(async () => {
    // Only the webhooks posted here may move anything.
    server = await startTestServer({ WEB_RECONCILE_QUIET_PERIOD_MS: '600000' });
    sandbox = new SandboxControl(server.sandboxPagesUrl!);
    await sandbox.post('/sandbox/callbacks/knobs', { drop: 1_000_000 });
  });
  afterAll(() => server?.stop());

  const db = () => server.app.get(DataSource);
  const start = async () => {
    const created = await request(server.url)
      .post('/api/v1/web-identifications')
      .send({ reason: 'Ingest', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` })
      .expect(201);
    const [row] = await db().query('SELECT web_session_id, result_id FROM web_identifications WHERE id = $1', [created.body.id]);
    const record = (await sandbox.state()).webIdentifications.find((web) => web.webSessionId === row.web_session_id)!;
    return { id: created.body.id as string, sessionId: row.web_session_id as string, resultId: row.result_id as string, path: record.requestCallbackPath };
  };
  const body = (ids: { sessionId: string; resultId: string }, requestId: number) => ({
    code: 'OK',
    requestId,
    relyingPartyId: 24102167,
    data: { processState: 'CREATE_SIGN_SESSION_REQUEST', sessionId: ids.sessionId, resultId: ids.resultId },
  });

  it('enqueues one job per delivery, with the settings pg-boss itself gives a job of that queue', async () => {
    const ids = await start();
    expect((await request(server.url).post(ids.path).send(body(ids, 1)).expect(200)).body).toEqual({ status: 'accepted' });
    expect((await request(server.url).post(ids.path).send(body(ids, 1)).expect(200)).body).toEqual({ status: 'duplicate' });

    const [entry] = await db().query('SELECT id FROM callback_inbox WHERE subject_id = $1', [ids.id]);
    const enqueued = await db().query(JOB_SETTINGS, [CALLBACK_QUEUE, entry.id]);
    expect(enqueued).toHaveLength(1);
    // The queue's own settings (callback-inbox.service), not pg-boss's defaults.
    expect(enqueued[0]).toMatchObject({ retry_limit: 10, retry_backoff: true, expire_in: '00:02:00' });

    // For an inbox entry that does not exist the worker has nothing to do.
    const unknownEntry = '00000000-0000-4000-8000-000000000000';
    await server.app.get(JobQueue).send(CALLBACK_QUEUE, { inboxId: unknownEntry });
    expect(await db().query(JOB_SETTINGS, [CALLBACK_QUEUE, unknownEntry])).toEqual(enqueued);

    const [processed] = await eventually(
      () => db().query('SELECT outcome FROM callback_inbox WHERE id = $1', [entry.id]),
      (rows: Array<{ outcome: string }>) => rows[0].outcome !== 'PENDING',
    );
    expect(processed.outcome).toBe('NO_CHANGE');
  });

  it('answers 404 to an address that is not live, whatever was posted, and stores nothing', async () => {
    const ids = await start();
    const callbackJobs = async () => (await db().query('SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1', [CALLBACK_QUEUE]))[0].n;
    const jobsBefore = await callbackJobs();
    const notFound = async (path: string, posted: unknown) => {
      const response = await request(server.url).post(path).send(posted as object).expect(404);
      expect(response.body.code).toBe('CALLBACK_NOT_FOUND');
    };
    await notFound('/callbacks/btrust/not-a-real-token', { code: 'OK' });
    await db().query(`UPDATE callback_endpoints SET expires_at = now() - interval '1 minute' WHERE subject_id = $1`, [ids.id]);
    await notFound(ids.path, body(ids, 2));
    await notFound(ids.path, { code: 'OK' });
    expect(await db().query('SELECT 1 FROM callback_inbox WHERE subject_id = $1', [ids.id])).toHaveLength(0);
    expect(await callbackJobs()).toBe(jobsBefore);
  });
});
