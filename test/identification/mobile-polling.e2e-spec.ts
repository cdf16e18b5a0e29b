import request from 'supertest';
import { DataSource } from 'typeorm';
import { RateWindowRepository } from '../../src/common/rate-limit/rate-window.repository';
import { SharedRateLimiter } from '../../src/common/rate-limit/shared-rate-limiter';
import { JobQueue } from '../../src/jobs/job-queue.service';
import { eventually } from '../support/sandbox-control';
import { useTestServer } from '../support/test-server';
import { sampleValue } from '../metrics/prometheus-text';

const METRICS_TOKEN = 'polling-metrics-token-0123456789';

const VALID = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Polling order' };

/**
 * The identifications table is the poll schedule: these tests move
 * `next_poll_at` and `poll_claimed_until` by hand and watch what the pollers
 * do. Nothing falls due on its own (the first poll is ten minutes out), and
 * the cap is one poll per second.
 */
describe('Mobile identification polling', () => {
  const server = useTestServer({
    MOBILE_POLL_INITIAL_INTERVAL_MS: '600000',
    MOBILE_POLL_MAX_INTERVAL_MS: '600000',
    MOBILE_POLL_MAX_PER_SECOND: '1',
    METRICS_TOKEN,
  }, { resetSandboxBeforeEach: true });
  const { sandbox } = server;

  const db = () => server.app.get(DataSource);
  const create = async (): Promise<string> =>
    (await request(server.url).post('/api/v1/mobile-identifications').send(VALID).expect(201)).body.id;
  const pollState = async (ids: string[]) =>
    (await db().query('SELECT id, poll_count, last_polled_at FROM mobile_identifications WHERE id = ANY($1::uuid[])', [ids])) as Array<{
      id: string;
      poll_count: number;
      last_polled_at: Date | null;
    }>;
  const providerPolls = async () => (await sandbox.calls()).getIdentificationResult;
  /** Back to the schema before `name`: the later migrations are undone first. */
  const undoMigrationsThrough = async (name: string) => {
    for (;;) {
      const [last]: Array<{ name: string }> = await db().query('SELECT name FROM migrations ORDER BY id DESC LIMIT 1');
      await db().undoLastMigration();
      if (last.name === name) return;
    }
  };

  it('polls the most overdue identification first, one per second under a cap of one', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    await db().query(
      `UPDATE mobile_identifications SET next_poll_at = now() - make_interval(secs => CASE id WHEN $1 THEN 30 WHEN $2 THEN 20 ELSE 10 END)
        WHERE id = ANY($3::uuid[])`,
      [a, b, [a, b, c]],
    );

    const polled = await eventually(() => pollState([a, b, c]), (rows) => rows.every((row) => row.poll_count === 1));
    const order = [...polled].sort((x, y) => x.last_polled_at!.getTime() - y.last_polled_at!.getTime()).map((row) => row.id);
    expect(order).toEqual([a, b, c]);
    // Three polls under a cap of one per second fall in three different seconds.
    const times = polled.map((row) => row.last_polled_at!.getTime());
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(1_000);
    expect(await providerPolls()).toBe(3);
  });

  it('leaves an identification claimed by another instance alone until the claim lapses', async () => {
    const id = await create();
    await db().query(
      `UPDATE mobile_identifications SET next_poll_at = now() - interval '1 second', poll_claimed_until = now() + interval '3 seconds' WHERE id = $1`,
      [id],
    );
    const claimEnds = Date.now() + 3_000;

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await pollState([id]))[0].poll_count).toBe(0);
    expect(await providerPolls()).toBe(0);

    const [polled] = await eventually(() => pollState([id]), (rows) => rows[0].poll_count === 1);
    expect(polled.last_polled_at!.getTime()).toBeGreaterThanOrEqual(claimEnds - 100);
    const [{ poll_claimed_until }] = await db().query('SELECT poll_claimed_until FROM mobile_identifications WHERE id = $1', [id]);
    expect(poll_claimed_until).toBeNull();
  });

  it('keeps an identification whose B-Trust answer was never recorded as OUTCOME_UNKNOWN, without asking B-Trust', async () => {
    const id = await create();
    // As left by a process that stopped while B-Trust was answering the request.
    await db().query(`UPDATE mobile_identifications SET provider_callback_id = NULL, next_poll_at = now() - interval '1 second' WHERE id = $1`, [id]);

    const unknown = await eventually(
      async () => (await request(server.url).get(`/api/v1/mobile-identifications/${id}`).expect(200)).body,
      (body) => body.status === 'OUTCOME_UNKNOWN',
    );
    expect(unknown.failure).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN' });
    expect(await providerPolls()).toBe(0);
    const [row] = await db().query('SELECT next_poll_at FROM mobile_identifications WHERE id = $1', [id]);
    expect(row.next_poll_at).toBeNull();
  });

  it('reports the backlog of due polls and how overdue the oldest is', async () => {
    const ids = [await create(), await create(), await create(), await create()];
    await db().query(`UPDATE mobile_identifications SET next_poll_at = now() - interval '60 seconds' WHERE id = ANY($1::uuid[])`, [ids]);

    // One poll a second: all four are due until their polls are answered, at least three of them for a second more.
    const text = (await request(server.url).get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
    expect(sampleValue(text, 'btrust_cas_mobile_polls_due')).toBeGreaterThanOrEqual(3);
    expect(sampleValue(text, 'btrust_cas_mobile_poll_oldest_due_age_seconds')).toBeGreaterThanOrEqual(60);

    await eventually(() => pollState(ids), (rows) => rows.every((row) => row.poll_count === 1));
    const after = (await request(server.url).get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`).expect(200)).text;
    expect(sampleValue(after, 'btrust_cas_mobile_polls_due')).toBe(0);
    expect(sampleValue(after, 'btrust_cas_mobile_poll_oldest_due_age_seconds')).toBe(0);
  });

  it('hands out exactly the slots a window holds to batches taken at once, never more', async () => {
    const limiter = new SharedRateLimiter(new RateWindowRepository(db()), 'test-batches', 50, 60_000);
    const now = Date.now();
    const grants = await Promise.all(Array.from({ length: 20 }, () => limiter.tryAcquireUpTo(7, now)));
    const granted = grants.map((grant) => grant.granted);
    expect(granted.reduce((sum, count) => sum + count, 0)).toBe(50);
    expect(Math.max(...granted)).toBeLessThanOrEqual(7);
    expect((await limiter.tryAcquireUpTo(1, now)).granted).toBe(0);
    // The next window starts empty.
    expect((await limiter.tryAcquireUpTo(7, now + 60_000)).granted).toBe(7);
  });

  it('on upgrade, gives every open identification a place in the schedule and retires the poll queue of earlier versions', async () => {
    const id = await create();
    // As an earlier version left things: a poll job in its queue, and a row the schedule does not know.
    const jobs = server.app.get(JobQueue);
    await jobs.createQueue('mobile-identification-poll');
    await jobs.send('mobile-identification-poll', { id });
    await undoMigrationsThrough('MobilePollClaims1795824269541');
    await db().query('UPDATE mobile_identifications SET next_poll_at = NULL WHERE id = $1', [id]);

    await db().runMigrations();

    expect(await db().query(`SELECT name FROM pgboss.queue WHERE name = 'mobile-identification-poll'`)).toEqual([]);
    // Without a place in the schedule it would never be polled again.
    await eventually(() => pollState([id]), (rows) => rows[0].poll_count === 1);
  });
});
