import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { StateChangeListener } from '../../src/events/state-change-listener';
import { CasMetrics } from '../../src/metrics/cas-metrics';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';
import { EventStream, openEventStream, statusesOf } from './sse-client';

const AUTH = { AUTH_JWT_SECRET: randomBytes(32).toString('base64url'), AUTH_ISSUER: 'https://login.bank.test/', AUTH_AUDIENCE: 'btrust-cas' };
const PER_USER = 3;
const PER_INSTANCE = 5;

describe('Caps on live-status streams', () => {
  let server: TestServer;
  let sandbox: SandboxControl;
  const tokens: Record<string, string> = {};
  const identifications: Record<string, { id: string; webSessionId: string }> = {};
  const open: EventStream[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      ...AUTH,
      LIVE_STATUS_MAX_STREAMS_PER_USER: String(PER_USER),
      LIVE_STATUS_MAX_STREAMS: String(PER_INSTANCE),
    });
    sandbox = new SandboxControl(server.sandboxPagesUrl!);
    for (const user of ['alice', 'bob', 'carol']) {
      tokens[user] = await server.token(user);
      const created = await request(server.url)
        .post('/api/v1/web-identifications')
        .set('authorization', `Bearer ${tokens[user]}`)
        .send({ reason: 'Stream caps', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` })
        .expect(201);
      const [row] = await server.app.get(DataSource).query('SELECT web_session_id FROM web_identifications WHERE id = $1', [created.body.id]);
      identifications[user] = { id: created.body.id, webSessionId: row.web_session_id };
    }
  });
  afterAll(async () => {
    open.splice(0).forEach((stream) => stream.close());
    await server?.stop();
  });

  const streamsOn = () => server.app.get(StateChangeListener).subscriberCount;

  /** Opens one stream of `user`'s identification; a stream that was accepted is read up to its first event. */
  async function follow(user: string): Promise<EventStream> {
    const stream = await openEventStream(`${server.url}/api/v1/web-identifications/${identifications[user].id}/events`, {
      authorization: `Bearer ${tokens[user]}`,
    });
    if (stream.status === 200) {
      open.push(stream);
      expect(statusesOf([(await stream.next())!])).toEqual([{ status: 'STARTED', final: false }]);
    }
    return stream;
  }

  async function expectRefused(stream: EventStream, limit: 'user' | 'instance'): Promise<void> {
    expect(stream.status).toBe(429);
    expect(stream.contentType).toMatch(/^application\/problem\+json/);
    expect(stream.headers.get('retry-after')).toBe('10');
    expect(await stream.json()).toMatchObject({ code: 'TOO_MANY_STREAMS', status: 429, limit, retryAfterSeconds: 10 });
  }

  it(`refuses a user's stream past ${PER_USER} with 429 and Retry-After, while other users still get theirs`, async () => {
    for (let count = 0; count < PER_USER; count++) expect((await follow('alice')).status).toBe(200);
    await expectRefused(await follow('alice'), 'user');
    expect((await follow('bob')).status).toBe(200);
    expect(streamsOn()).toBe(PER_USER + 1);
  });

  it(`refuses every user past ${PER_INSTANCE} streams on the instance`, async () => {
    expect((await follow('bob')).status).toBe(200);
    expect(streamsOn()).toBe(PER_INSTANCE);
    await expectRefused(await follow('carol'), 'instance');
    await expectRefused(await follow('alice'), 'user');
    const metrics = (await request(server.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^btrust_cas_live_status_streams 5$/m);
    expect(metrics).toMatch(/^btrust_cas_live_status_streams_refused_total\{limit="instance"\} 1$/m);
  });

  it('frees a slot when a client closes its stream, and when a stream ends on a final status', async () => {
    // A client leaves: carol gets the instance slot it held.
    open[0].close();
    await eventually(async () => streamsOn(), (count) => count === PER_INSTANCE - 1);
    expect((await follow('carol')).status).toBe(200);
    await expectRefused(await follow('carol'), 'instance');

    // Bob's identification ends: both his streams close after the final event, and their slots are free again.
    const bobs = open.slice(PER_USER, PER_USER + 2);
    await sandbox.post(`/sandbox/web-identifications/${identifications.bob.webSessionId}/approve`, { fullName: 'Bob Bobov', egn: '7805166742' });
    for (const stream of bobs) expect(statusesOf(await stream.rest())).toEqual([{ status: 'IDENTIFIED', final: true }]);
    await eventually(async () => streamsOn(), (count) => count === PER_INSTANCE - 2);
    expect((await follow('alice')).status).toBe(200);
    expect((await follow('carol')).status).toBe(200);
    await expectRefused(await follow('carol'), 'instance');
  });

  it('frees the slot of a client that left before its stream began', async () => {
    open.splice(0).forEach((stream) => stream.close());
    const slotsTaken = async () => (await server.app.get(CasMetrics).liveStreams.get()).values[0]?.value;
    await eventually(slotsTaken, (count) => count === 0);

    // The first read of the record waits behind a lock, long enough for the client to give up meanwhile.
    const locker = server.app.get(DataSource).createQueryRunner();
    await locker.connect();
    await locker.startTransaction();
    try {
      await locker.query('LOCK TABLE web_identifications IN ACCESS EXCLUSIVE MODE');
      const leaving = new AbortController();
      const opening = fetch(`${server.url}/api/v1/web-identifications/${identifications.alice.id}/events`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${tokens.alice}` },
        signal: leaving.signal,
      }).catch(() => undefined);
      await eventually(slotsTaken, (count) => count === 1);
      leaving.abort();
      await opening;
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await locker.commitTransaction();
      await locker.release();
    }

    await eventually(slotsTaken, (count) => count === 0);
    for (let count = 0; count < PER_USER; count++) expect((await follow('alice')).status).toBe(200);
    await expectRefused(await follow('alice'), 'user');
  });
});
