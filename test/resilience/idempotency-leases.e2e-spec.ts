import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { IdempotencyService } from '../../src/common/idempotency/idempotency.service';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { reportFigure } from '../support/figures';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { providerEnv, startStandaloneSandbox } from '../support/standalone-sandbox';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { startTestServer, TestServer } from '../support/test-server';

const MOBILE = VALID_MOBILE_REQUEST;
const KEY = 'killed-mid-call';
const LEASE_MS = 2_000;
/** Longer than the test needs to kill the server: the paid call is still in flight when it dies. */
const PROVIDER_DELAY_MS = 30_000;

/**
 * The server in a child process is killed with SIGKILL while the paid
 * identification call it made for an Idempotency-Key is still in flight. A
 * new server process on the same database then answers the abandoned key once
 * its lease has run out, instead of "in progress" forever: with the killed
 * attempt's unknown outcome, as that attempt had created its record and may
 * have reached B-Trust, so no second paid call is sent.
 */
describe('Idempotency keys are leases', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let control: SandboxControl;
  let env: Record<string, string>;
  let first: ServerProcess | undefined;
  let second: ServerProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    const standalone = await startStandaloneSandbox();
    sandbox = standalone.sandbox;
    control = new SandboxControl(sandbox.pagesBaseUrl);
    env = {
      DATABASE_URL: database.url,
      ...providerEnv(sandbox, standalone.certificates),
      BTRUST_TIMEOUT_MS: String(PROVIDER_DELAY_MS * 2),
      IDEMPOTENCY_LEASE_MS: String(LEASE_MS),
      MOBILE_POLL_INITIAL_INTERVAL_MS: '60000',
    };
  });

  afterAll(async () => {
    await first?.stop('SIGKILL');
    await second?.stop('SIGKILL');
    await sandbox?.close();
    await database?.drop();
  });

  const post = async (server: ServerProcess) => {
    const response = await fetch(`${server.url}/api/v1/mobile-identifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': KEY },
      body: JSON.stringify(MOBILE),
    });
    return { status: response.status, headers: response.headers, json: (await response.json()) as any };
  };

  async function onDatabase<T>(sql: string): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }

  it('answers a repeat at once with 409 and Retry-After while the first request is in its paid call', async () => {
    first = await startServerProcess(env);
    await control.fault('identification', 'delay', 1, PROVIDER_DELAY_MS);
    const original = post(first).catch((error: unknown) => error);
    await eventually(() => control.calls(), (calls) => calls.identification === 1);

    const started = performance.now();
    const repeat = await post(first);
    reportFigure('409 answer to a repeat while the first request waits on B-Trust', `${Math.round(performance.now() - started)} ms`);
    expect(repeat.status).toBe(409);
    expect(repeat.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(repeat.json).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS', status: 409 });
    const retryAfter = Number(repeat.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 5).toBe(true);
    expect(repeat.json.retryAfterSeconds).toBe(retryAfter);

    await first.stop('SIGKILL');
    // The client of the killed server got no answer at all.
    expect(String(await original)).toMatch(/fetch failed/);
    const [held] = await onDatabase<{ response_status: number | null; lease_expires_at: Date | null }>(
      'SELECT response_status, lease_expires_at FROM idempotency_keys',
    );
    expect(held.response_status).toBeNull();
    expect(held.lease_expires_at).not.toBeNull();
  }, 180_000);

  it('answers the abandoned key on a new server process with the killed attempt\'s unknown outcome, never a second paid call', async () => {
    second = await startServerProcess(env);
    // Starting a server takes longer than the lease; wait out what is left of it on a fast machine.
    await eventually(
      () => onDatabase<{ expired: boolean }>('SELECT lease_expires_at <= now() AS expired FROM idempotency_keys'),
      (rows) => rows[0]?.expired === true,
    );
    const [killedAttempt] = await onDatabase<{ id: string }>('SELECT id FROM mobile_identifications');

    const repeat = await post(second);
    expect(repeat.status).toBe(502);
    expect(repeat.json).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN', id: killedAttempt.id });
    const replayed = await post(second);
    expect([replayed.status, replayed.json.code, replayed.json.id]).toEqual([502, 'PROVIDER_OUTCOME_UNKNOWN', killedAttempt.id]);

    const [stored] = await onDatabase<{ response_status: number; lease_expires_at: Date | null; record_id: string }>(
      'SELECT response_status, lease_expires_at, record_id FROM idempotency_keys',
    );
    expect(stored).toEqual({ response_status: 502, lease_expires_at: null, record_id: killedAttempt.id });
    // B-Trust may have started the killed attempt's paid request: it stays the one record, settled by its poll loop.
    expect(await onDatabase('SELECT id FROM mobile_identifications')).toHaveLength(1);
    expect((await control.calls()).identification).toBe(1);
  }, 180_000);

  it('serves afresh a key whose holder died before it created its record: nothing can have reached B-Trust', async () => {
    await onDatabase(
      `INSERT INTO idempotency_keys (owner, key, request_hash, holder, lease_expires_at, expires_at)
       SELECT owner, 'mobile-identifications:died-early', request_hash, gen_random_uuid(), now() - interval '1 second', now() + interval '1 day'
         FROM idempotency_keys LIMIT 1`,
    );
    const response = await fetch(`${second!.url}/api/v1/mobile-identifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'died-early' },
      body: JSON.stringify(MOBILE),
    });
    expect(response.status).toBe(201);
    expect((await control.calls()).identification).toBe(2);
    const [taken] = await onDatabase<{ response_status: number; record_id: string | null }>(
      "SELECT response_status, record_id FROM idempotency_keys WHERE key = 'mobile-identifications:died-early'",
    );
    expect(taken).toEqual({ response_status: 201, record_id: ((await response.json()) as { id: string }).id });
  }, 180_000);
});

describe('Idempotency keys expire', () => {
  const TTL_MS = 1_500;
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ IDEMPOTENCY_LEASE_MS: '1000', IDEMPOTENCY_KEY_TTL_MS: String(TTL_MS), MOBILE_POLL_INITIAL_INTERVAL_MS: '60000' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const send = (key: string, body: object) => request(server.url).post('/api/v1/mobile-identifications').set('Idempotency-Key', key).send(body);
  const keys = async () => Number((await server.app.get(DataSource).query('SELECT count(*)::int AS n FROM idempotency_keys'))[0].n);
  const pastTheTtl = () => new Promise((resolve) => setTimeout(resolve, TTL_MS + 200));

  it('starts a new request for a key used longer ago than IDEMPOTENCY_KEY_TTL_MS, whatever its body', async () => {
    const first = await send('expiring', MOBILE);
    expect(first.status).toBe(201);
    expect((await send('expiring', { ...MOBILE, reason: 'Another body' })).status).toBe(422);
    await pastTheTtl();
    const afterTtl = await send('expiring', { ...MOBILE, reason: 'Another body' });
    expect(afterTtl.status).toBe(201);
    expect(afterTtl.body.id).not.toBe(first.body.id);
    const replayed = await send('expiring', { ...MOBILE, reason: 'Another body' });
    expect(replayed.body.id).toBe(afterTtl.body.id);
  });

  it('prunes expired keys and keeps the others', async () => {
    expect((await send('pruned', MOBILE)).status).toBe(201);
    await pastTheTtl();
    expect((await send('kept', MOBILE)).status).toBe(201);
    const before = await keys();
    expect(await server.app.get(IdempotencyService).pruneExpired()).toBe(before - 1);
    const left: Array<{ key: string }> = await server.app.get(DataSource).query('SELECT key FROM idempotency_keys');
    expect(left.map((row) => row.key)).toEqual(['mobile-identifications:kept']);
  });
});
