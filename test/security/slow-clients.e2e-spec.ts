import request from 'supertest';
import { DataSource } from 'typeorm';
import { openEventStream, statusesOf } from '../events/sse-client';
import { reportFigure } from '../support/figures';
import { answerOf, openRawConnection, RawConnection, receivedText } from '../support/raw-connection';
import { SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

/** Small limits, so that every cut happens within seconds; the production defaults are minutes. */
const HEADERS_TIMEOUT_MS = 1_000;
const BODY_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_TIMEOUT_MS = 1_000;
const MAX_REQUESTS_PER_SOCKET = 3;
const LIMITS = {
  HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
  HTTP_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
  HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
  HTTP_MAX_REQUESTS_PER_SOCKET: String(MAX_REQUESTS_PER_SOCKET),
};
const SLOW_SOCKETS = 300;
/** Under the body timeout, so that only the whole-request timeout can cut these clients. */
const TRICKLE_EVERY_MS = 2_000;
/** Generous: the limits above plus the server's checking interval, on a shared, noisy machine. */
const CUT_WITHIN_MS = 30_000;
/**
 * Generous too: a server starved by the held sockets would not answer at
 * all; one merely on a loaded machine answers a pair of requests in a few
 * seconds (5.8 s seen during the whole suite, under 1 s alone).
 */
const RESPONSIVE_WITHIN_MS = 15_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Slow and stalled clients (HTTP timeouts and keep-alive limits)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(LIMITS);
  });
  afterAll(() => server?.stop());

  const host = () => new URL(server.url).host;
  const uploadHead = (length: number) =>
    `POST /api/v1/mobile-identifications HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;

  it(`cuts ${SLOW_SOCKETS} clients that each declare a 1 MB body and send a byte every ${TRICKLE_EVERY_MS / 1000} s, and stays responsive`, async () => {
    const connections = await Promise.all(Array.from({ length: SLOW_SOCKETS }, () => openRawConnection(server.url)));
    const startedAt = Date.now();
    for (const connection of connections) connection.write(`${uploadHead(1_000_000)}{`);
    const trickle = setInterval(() => connections.forEach((connection) => connection.write(' ')), TRICKLE_EVERY_MS);
    try {
      // Meanwhile the server answers others as usual.
      const latencies: number[] = [];
      for (let probe = 0; probe < 5; probe++) {
        const before = Date.now();
        await request(server.url).get('/health').expect(200);
        await request(server.url).get('/api/v1/admin/mobile-identifications').expect(200);
        latencies.push(Date.now() - before);
        await sleep(500);
      }
      const closedAfter = await Promise.race([
        Promise.all(connections.map((connection) => connection.closed)),
        sleep(CUT_WITHIN_MS).then(() => undefined),
      ]);
      const allClosedMs = Date.now() - startedAt;
      const open = connections.filter((connection) => !connection.socket.destroyed).length;
      reportFigure(`${SLOW_SOCKETS} slow sockets, all closed after`, `${allClosedMs} ms (HTTP_REQUEST_TIMEOUT_MS=${REQUEST_TIMEOUT_MS})`);
      reportFigure('health and admin list while they were held, slowest pair of requests', `${Math.max(...latencies)} ms`);
      expect({ open, allClosed: closedAfter !== undefined }).toEqual({ open: 0, allClosed: true });
      // Not sooner than the limit (the trickle kept every body timer from firing), and within the generous bound.
      expect(Math.min(...closedAfter!)).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(allClosedMs).toBeLessThan(CUT_WITHIN_MS);
      expect(Math.max(...latencies)).toBeLessThan(RESPONSIVE_WITHIN_MS);
      const answers = connections.map(answerOf);
      expect(answers.filter((answer) => answer.status !== 408 || answer.code !== 'REQUEST_TIMEOUT')).toEqual([]);
      expect(answers[0].headers).toContain('content-type: application/problem+json');
      expect(answers[0].headers).toContain('connection: close');
    } finally {
      clearInterval(trickle);
      connections.forEach((connection) => connection.socket.destroy());
    }
    const [row] = await server.app.get(DataSource).query('SELECT count(*)::int AS n FROM mobile_identifications');
    expect(row.n).toBe(0);
  });

  it('cuts a client whose body stops arriving after the body timeout, with a 408 problem', async () => {
    const connection = await openRawConnection(server.url);
    connection.write(`${uploadHead(100)}{"docType":`);
    const closedAfterMs = await connection.closed;
    reportFigure('a stalled body, closed after', `${closedAfterMs} ms (HTTP_BODY_TIMEOUT_MS=${BODY_TIMEOUT_MS})`);
    expect(closedAfterMs).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
    expect(closedAfterMs).toBeLessThan(CUT_WITHIN_MS);
    expect(answerOf(connection)).toMatchObject({ status: 408, code: 'BODY_TIMEOUT' });
  });

  it('cuts a client that sends its headers slowly after the headers timeout, with a 408 problem', async () => {
    const connection = await openRawConnection(server.url);
    connection.write(`GET /health HTTP/1.1\r\nHost: ${host()}\r\n`);
    const trickle = setInterval(() => connection.write('X-Slow: 1\r\n'), 200);
    try {
      const closedAfterMs = await connection.closed;
      reportFigure('headers sent slowly, closed after', `${closedAfterMs} ms (HTTP_HEADERS_TIMEOUT_MS=${HEADERS_TIMEOUT_MS})`);
      expect(closedAfterMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expect(closedAfterMs).toBeLessThan(CUT_WITHIN_MS);
      expect(answerOf(connection)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    } finally {
      clearInterval(trickle);
    }
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, and says so', async () => {
    const connection = await openRawConnection(server.url);
    connection.write(`GET /health HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    const answer = await receivedText(connection, '"status"');
    const answeredAt = Date.now();
    expect(answer.toLowerCase()).toContain(`keep-alive: timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
    await connection.closed;
    const idleMs = Date.now() - answeredAt;
    reportFigure('an idle keep-alive connection, closed after', `${idleMs} ms (HTTP_KEEP_ALIVE_TIMEOUT_MS=${KEEP_ALIVE_TIMEOUT_MS})`);
    expect(idleMs).toBeGreaterThanOrEqual(KEEP_ALIVE_TIMEOUT_MS - 100);
    expect(idleMs).toBeLessThan(CUT_WITHIN_MS);
  });

  it(`serves ${MAX_REQUESTS_PER_SOCKET} requests on one connection, says so on the last answer, refuses more and closes it`, async () => {
    const connection = await openRawConnection(server.url);
    for (let count = 1; count <= MAX_REQUESTS_PER_SOCKET; count++) {
      connection.write(`GET /health HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
      await waitForAnswers(connection, count);
    }
    // A client that ignores "Connection: close" is not served again; Node.js then closes at the keep-alive timeout.
    connection.write(`GET /health HTTP/1.1\r\nHost: ${host()}\r\n\r\n`);
    const closedAfterMs = await connection.closed;
    const answers = connection.received().split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((answer) => answer.slice(0, 12))).toEqual([...Array(MAX_REQUESTS_PER_SOCKET).fill('HTTP/1.1 200'), 'HTTP/1.1 503']);
    expect(answers.slice(0, MAX_REQUESTS_PER_SOCKET - 1).every((answer) => /connection: keep-alive/i.test(answer))).toBe(true);
    expect(answers[MAX_REQUESTS_PER_SOCKET - 1]).toMatch(/connection: close/i);
    expect(closedAfterMs).toBeLessThan(CUT_WITHIN_MS);
  });

  it('leaves a live-status stream open far past every timeout, and delivers the change that comes then', async () => {
    const sandbox = new SandboxControl(server.sandboxPagesUrl!);
    const created = await request(server.url)
      .post('/api/v1/web-identifications')
      .send({ reason: 'Slow clients', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` })
      .expect(201);
    const stream = await openEventStream(`${server.url}/api/v1/web-identifications/${created.body.id}/events`);
    expect(statusesOf([(await stream.next())!])).toEqual([{ status: 'STARTED', final: false }]);

    // Quiet for longer than the request timeout, and than every other limit, before the status changes.
    await sleep(REQUEST_TIMEOUT_MS + 1_500);
    const [row] = await server.app.get(DataSource).query('SELECT web_session_id FROM web_identifications WHERE id = $1', [created.body.id]);
    await sandbox.post(`/sandbox/web-identifications/${row.web_session_id}/approve`, { fullName: 'Maria Ivanova', egn: '7805166742' });
    expect(statusesOf(await stream.rest())).toEqual([{ status: 'IDENTIFIED', final: true }]);
  });
});

async function waitForAnswers(connection: RawConnection, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((connection.received().match(/"status":"ok"/g) ?? []).length < count) {
    if (Date.now() > deadline) throw new Error(`Fewer than ${count} answers: ${connection.received()}`);
    await sleep(20);
  }
}
