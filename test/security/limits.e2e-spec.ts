import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { reportFigure } from '../support/figures';
import { waitForFreshWindow } from '../support/rate-windows';
import { VALID_MOBILE_REQUEST } from '../support/requests';
import { SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

const MOBILE = VALID_MOBILE_REQUEST;
const PER_USER = 4;
const PER_IP = 2;
const LIMITS = {
  // These clients come through one proxy, which names each in X-Forwarded-For (the default trusts none).
  TRUST_PROXY: '1',
  RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: String(PER_USER),
  RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: String(PER_IP),
  // Polling is not what this file is about; keep the two instances quiet.
  MOBILE_POLL_INITIAL_INTERVAL_MS: '60000',
};
describe('Rate limits on paid creations, shared by two instances on one database', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer(LIMITS);
    b = await startTestServer(LIMITS, { database: a.database });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const db = () => a.app.get(DataSource);
  const count = async (table: string) => Number((await db().query(`SELECT count(*) FROM ${table}`))[0].count);
  const providerCalls = async () => {
    const [callsA, callsB] = await Promise.all([a, b].map((server) => new SandboxControl(server.sandboxPagesUrl!).calls()));
    const sum = (operation: string) => (callsA[operation] ?? 0) + (callsB[operation] ?? 0);
    return { identification: sum('identification'), startWebIdentification: sum('startWebIdentification') };
  };
  const createMobile = (server: TestServer, ip: string, idempotencyKey?: string) => {
    const call = request(server.url).post('/api/v1/mobile-identifications').set('X-Forwarded-For', ip);
    if (idempotencyKey) void call.set('Idempotency-Key', idempotencyKey);
    return call.send(MOBILE);
  };
  const createWeb = (server: TestServer, ip: string) =>
    request(server.url)
      .post('/api/v1/web-identifications')
      .set('X-Forwarded-For', ip)
      .send({ reason: 'Opening an account', successUrl: `${server.url}/ok`, cancelUrl: `${server.url}/cancel` });
  const expectRateLimited = (response: request.Response, limit: 'user' | 'ip') => {
    expect(response.status).toBe(429);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'RATE_LIMITED', status: 429, limit });
    const retryAfter = Number(response.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.body.retryAfterSeconds).toBe(retryAfter);
  };

  it('refuses with 429 and Retry-After past the per-IP and per-user limits, whichever instance is asked, with nothing started', async () => {
    await waitForFreshWindow();

    // One address: two creations, alternating instances, then the per-IP limit.
    expect((await createMobile(a, '198.51.100.1', 'first-try')).status).toBe(201);
    expect((await createMobile(b, '198.51.100.1')).status).toBe(201);
    expectRateLimited(await createMobile(a, '198.51.100.1'), 'ip');
    expectRateLimited(await createWeb(b, '198.51.100.1'), 'ip');

    // The refusals above did not use up the user's allowance: two more creations fit, from another address.
    expect((await createMobile(b, '198.51.100.2')).status).toBe(201);
    expect((await createWeb(a, '198.51.100.2')).status).toBe(201);
    expectRateLimited(await createMobile(a, '198.51.100.3'), 'user');
    expectRateLimited(await createWeb(b, '198.51.100.4'), 'user');

    expect(await count('mobile_identifications')).toBe(3);
    expect(await count('web_identifications')).toBe(1);
    expect(await providerCalls()).toEqual({ identification: 3, startWebIdentification: 1 });
  });

  it('counts an Idempotency-Key repeat like any attempt: past the limit it is refused too; signings share the limit', async () => {
    const callsBefore = await providerCalls();

    for (const server of [b, a]) expectRateLimited(await createMobile(server, '198.51.100.5', 'first-try'), 'user');
    expectRateLimited(await createMobile(a, '198.51.100.9', 'a-new-key'), 'user');
    const signing = await request(b.url)
      .post(`/api/v1/web-identifications/${randomUUID()}/signings`)
      .set('X-Forwarded-For', '198.51.100.9')
      .send({ documents: [], successUrl: `${b.url}/signed`, cancelUrl: `${b.url}/not-signed` });
    expectRateLimited(signing, 'user');
    expect(await count('mobile_identifications')).toBe(3);
    expect(await providerCalls()).toEqual(callsBefore);
  });
});

describe('Idempotency-Key repeats under the rate limit', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ ...LIMITS, RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '3', RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: '100' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers repeats with the stored outcome while each one uses up a slot of the limit', async () => {
    await waitForFreshWindow();
    const send = () => request(server.url).post('/api/v1/mobile-identifications').set('Idempotency-Key', 'counted').send(MOBILE);
    const first = await send();
    expect(first.status).toBe(201);
    for (let repeat = 0; repeat < 2; repeat += 1) {
      const again = await send();
      expect([again.status, again.body.id]).toEqual([201, first.body.id]);
    }
    const pastTheLimit = await send();
    expect(pastTheLimit.status).toBe(429);
    expect(pastTheLimit.body).toMatchObject({ code: 'RATE_LIMITED', limit: 'user' });
    const started = await server.app.get(DataSource).query('SELECT count(*)::int AS n FROM mobile_identifications');
    expect(started[0].n).toBe(1);
  });
});

describe('The client address behind proxies (TRUST_PROXY)', () => {
  let oneHop: TestServer;
  let direct: TestServer;
  let byDefault: TestServer;
  const PROXY_LIMITS = { ...LIMITS, RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '100' };
  const DEFAULT_PER_IP = 20;

  beforeAll(async () => {
    oneHop = await startTestServer(PROXY_LIMITS);
    direct = await startTestServer({ ...PROXY_LIMITS, TRUST_PROXY: '0' });
    const { TRUST_PROXY: _trustProxy, ...withoutTrustProxy } = PROXY_LIMITS;
    byDefault = await startTestServer({ ...withoutTrustProxy, RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: String(DEFAULT_PER_IP) });
  });
  afterAll(async () => {
    await byDefault?.stop();
    await direct?.stop();
    await oneHop?.stop();
  });

  const createFrom = (server: TestServer, forwardedFor: string) =>
    request(server.url).post('/api/v1/mobile-identifications').set('X-Forwarded-For', forwardedFor).send(MOBILE);

  it('counts the address the trusted proxy added, whatever the client wrote before it', async () => {
    await waitForFreshWindow();
    // Default: one proxy in front, so the rightmost entry is the client; the entries before it are the client's own words.
    expect((await createFrom(oneHop, '203.0.113.1, 198.51.100.77')).status).toBe(201);
    expect((await createFrom(oneHop, '203.0.113.2, 198.51.100.77')).status).toBe(201);
    const refused = await createFrom(oneHop, '203.0.113.3, 198.51.100.77');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', limit: 'ip' });
    expect((await createFrom(oneHop, '203.0.113.1, 198.51.100.78')).status).toBe(201);

    // TRUST_PROXY=0: clients connect directly, so X-Forwarded-For is ignored and every request here comes from one socket address.
    expect((await createFrom(direct, '198.51.100.1')).status).toBe(201);
    expect((await createFrom(direct, '198.51.100.2')).status).toBe(201);
    const refusedDirect = await createFrom(direct, '198.51.100.3');
    expect(refusedDirect.status).toBe(429);
    expect(refusedDirect.body).toMatchObject({ code: 'RATE_LIMITED', limit: 'ip' });
  });

  it('by default trusts no proxy: 80 creates with random X-Forwarded-For from one client all count against one address', async () => {
    expect(byDefault.config.abuseLimits.trustProxy).toBe(0);
    await waitForFreshWindow();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 80; attempt++) {
      const spoofed = Array.from({ length: 4 }, () => Math.floor(Math.random() * 254) + 1).join('.');
      const response = await createFrom(byDefault, spoofed);
      statuses.push(response.status);
      if (response.status === 429) expect(response.body).toMatchObject({ code: 'RATE_LIMITED', limit: 'ip' });
    }
    reportFigure('80 creates with random X-Forwarded-For, accepted', `${statuses.filter((status) => status === 201).length} (per-IP limit ${DEFAULT_PER_IP})`);
    expect(statuses.slice(0, DEFAULT_PER_IP)).toEqual(Array(DEFAULT_PER_IP).fill(201));
    expect(statuses.slice(DEFAULT_PER_IP)).toEqual(Array(80 - DEFAULT_PER_IP).fill(429));
    const [row] = await byDefault.app.get(DataSource).query('SELECT count(*)::int AS n FROM mobile_identifications');
    expect(row.n).toBe(DEFAULT_PER_IP);
  });
});
