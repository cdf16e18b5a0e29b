import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { StateChangeListener } from '../../src/events/state-change-listener';
import { jsonDocument, pdf } from '../signing/signing-support';
import { eventually } from '../support/sandbox-control';
import { sameProviderAs, startTestServer, TestServer, useTestServer } from '../support/test-server';
import { openEventStream, statusesOf } from './sse-client';

const AUTH = { AUTH_JWT_SECRET: randomBytes(32).toString('base64url'), AUTH_ISSUER: 'https://login.bank.test/', AUTH_AUDIENCE: 'btrust-cas' };
const POLLING = { MOBILE_POLL_INITIAL_INTERVAL_MS: '100', MOBILE_POLL_MAX_INTERVAL_MS: '200' };
const MOBILE = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Live status' };

/**
 * Live status over Server-Sent Events with two instances on one database:
 * the browser is connected to B while A (its poll, the webhook it receives)
 * moves the record.
 */
describe('Live status (Server-Sent Events)', () => {
  const a = useTestServer({ ...AUTH, ...POLLING }, { resetSandboxBeforeEach: true });
  // The same database and the same provider as `a`, as a second instance behind a load balancer.
  const b = useTestServer({ ...AUTH, ...POLLING }, { joins: a });
  const { sandbox } = a;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    alice = await a.token('alice');
    bob = await a.token('bob');
  });

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const db = () => a.app.get(DataSource);
  const followersOn = (server: TestServer) => server.app.get(StateChangeListener).subscriberCount;
  const follow = (server: TestServer, path: string, token = alice) => openEventStream(`${server.url}${path}`, as(token));

  async function startWebIdentification(): Promise<{ id: string; webSessionId: string }> {
    const created = await request(a.url)
      .post('/api/v1/web-identifications')
      .set(as(alice))
      .send({ reason: 'Live status', successUrl: `${a.url}/identified`, cancelUrl: `${a.url}/cancelled` })
      .expect(201);
    const [row] = await db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [created.body.id]);
    return { id: created.body.id, webSessionId: row.web_session_id };
  }

  it('streams a mobile identification from instance B while instance A polls it to COMPLETED, then closes', async () => {
    const created = await request(a.url).post('/api/v1/mobile-identifications').set(as(alice)).send(MOBILE).expect(201);
    const stream = await follow(b, `/api/v1/mobile-identifications/${created.body.id}/events`);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);

    const first = await stream.next();
    expect(first).toMatchObject({ type: 'status', id: '1' });
    expect(JSON.parse(first!.data!)).toEqual({ id: created.body.id, status: expect.any(String), final: false });

    const callbackId = await eventually(
      async () => (await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [created.body.id]))[0].provider_callback_id,
      Boolean,
    );
    await sandbox.post(`/sandbox/mobile-identifications/${callbackId}/complete`, { fullName: 'Ivan Petrov Ivanov' });

    const statuses = statusesOf([first!, ...(await stream.rest())]);
    expect(statuses.at(-1)).toEqual({ status: 'COMPLETED', final: true });
    expect(statuses.slice(0, -1).every((event) => !event.final && event.status !== 'COMPLETED')).toBe(true);
    // Each status once, in the machine's order.
    const order = ['PENDING', 'ON_BOARDING', 'IN_PROGRESS', 'COMPLETED'];
    const positions = statuses.map((event) => order.indexOf(event.status));
    expect(positions).toEqual([...new Set(positions)].sort((x, y) => x - y));
    await eventually(async () => followersOn(b), (count) => count === 0);
  });

  it('delivers the webhook that instance A processes to a browser following on instance B', async () => {
    const { id, webSessionId } = await startWebIdentification();
    const stream = await follow(b, `/api/v1/web-identifications/${id}/events`);
    expect(statusesOf([(await stream.next())!])).toEqual([{ status: 'STARTED', final: false }]);

    await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`, { fullName: 'Maria Ivanova', egn: '7805166742' });
    expect(statusesOf(await stream.rest())).toEqual([{ status: 'IDENTIFIED', final: true }]);
  });

  it('streams a signing to SIGNED, and a record already final as one event', async () => {
    const { id: identificationId, webSessionId } = await startWebIdentification();
    await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`, { fullName: 'Maria Ivanova', egn: '7805166742' });
    const identified = await follow(b, `/api/v1/web-identifications/${identificationId}/events`);
    expect(statusesOf(await identified.rest()).at(-1)).toEqual({ status: 'IDENTIFIED', final: true });

    const signing = await request(a.url)
      .post(`/api/v1/web-identifications/${identificationId}/signings`)
      .set(as(alice))
      .send({
        documents: [jsonDocument(await pdf(1, 'Live status contract'), 'contract.pdf')],
        successUrl: `${a.url}/signed`,
        cancelUrl: `${a.url}/not-signed`,
      })
      .expect(201);
    const stream = await follow(b, `/api/v1/signings/${signing.body.id}/events`);
    expect(statusesOf([(await stream.next())!])).toEqual([{ status: 'PENDING', final: false }]);

    const resultId = (await sandbox.state()).signings.find((candidate) => candidate.clientDocumentUrl === signing.body.redirectUrl)!.resultId;
    await sandbox.post(`/sandbox/signings/${resultId}/sign`);
    expect(statusesOf(await stream.rest())).toEqual([{ status: 'SIGNED', final: true }]);
  });

  it('answers like the GET endpoint for a foreign, unknown or malformed id, and without a token', async () => {
    const created = await request(a.url).post('/api/v1/mobile-identifications').set(as(alice)).send(MOBILE).expect(201);
    const path = `/api/v1/mobile-identifications/${created.body.id}/events`;

    const foreign = await follow(b, path, bob);
    expect(foreign.status).toBe(404);
    expect(foreign.contentType).toMatch(/^application\/problem\+json/);
    expect(await foreign.json()).toMatchObject({ code: 'NOT_FOUND' });

    const unknown = await follow(b, `/api/v1/signings/${randomUUID()}/events`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'NOT_FOUND' });

    const malformed = await follow(b, '/api/v1/web-identifications/not-a-uuid/events');
    expect(malformed.status).toBe(400);

    const anonymous = await openEventStream(`${b.url}${path}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(followersOn(b)).toBe(0);
  });

  it('stops following a record once the client disconnects', async () => {
    const { id } = await startWebIdentification();
    const streams = await Promise.all([1, 2, 3].map(() => follow(b, `/api/v1/web-identifications/${id}/events`)));
    await Promise.all(streams.map((stream) => stream.next()));
    expect(followersOn(b)).toBe(3);

    streams.forEach((stream) => stream.close());
    await eventually(async () => followersOn(b), (count) => count === 0);
  });

  it('catches up on a change made while the LISTEN connection was down', async () => {
    const { id, webSessionId } = await startWebIdentification();
    const stream = await follow(b, `/api/v1/web-identifications/${id}/events`);
    await stream.next();

    const terminated = await db().query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'btrust-cas-live-status' AND datname = current_database()`,
    );
    expect(terminated.length).toBe(2);
    await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`, { fullName: 'Maria Ivanova', egn: '7805166742' });

    expect(statusesOf(await stream.rest())).toEqual([{ status: 'IDENTIFIED', final: true }]);
    await eventually(async () => b.app.get(StateChangeListener).listening, Boolean);
  });

  it('documents the three event streams in the OpenAPI document', async () => {
    const document = (await request(a.url).get('/docs-json').expect(200)).body;
    for (const path of [
      '/api/v1/mobile-identifications/{id}/events',
      '/api/v1/web-identifications/{id}/events',
      '/api/v1/signings/{id}/events',
    ]) {
      const operation = document.paths[path]?.get;
      expect(operation).toBeDefined();
      expect(Object.keys(operation.responses['200'].content)).toEqual(['text/event-stream']);
      expect(operation.responses['200'].content['text/event-stream'].example).toContain('"final":true');
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401', '404']));
    }
  });

  it('ends open streams when an instance shuts down, without holding the shutdown', async () => {
    const c = await startTestServer({ ...AUTH, ...sameProviderAs(a) }, { database: a.database });
    const { id } = await startWebIdentification();
    const stream = await follow(c, `/api/v1/web-identifications/${id}/events`);
    await stream.next();

    const started = Date.now();
    await c.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await stream.rest()).toEqual([]);
  });
});
