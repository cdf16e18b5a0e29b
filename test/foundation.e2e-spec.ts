import request from 'supertest';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../src/database/migrations';
import { JobQueue } from '../src/jobs/job-queue.service';
import { ProbeModule } from './support/probe.module';
import { freePort, startTestServer, TestServer } from './support/test-server';

const PROBLEM_JSON = /^application\/problem\+json/;

describe('Foundation', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({}, { extraModules: [ProbeModule] });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers liveness, and readiness with the database and B-Trust reachable and the certificate expiry', async () => {
    await request(server.url).get('/health').expect(200, { status: 'ok' });
    const ready = await request(server.url).get('/health/ready').expect(200);
    expect(ready.body.info.database).toEqual({ status: 'up' });
    expect(ready.body.info.btrust).toEqual({
      status: 'up',
      clientCertificateExpiresAt: expect.any(String),
      clientCertificateDaysLeft: expect.any(Number),
      refusedOperations: [],
    });
    expect(ready.body.info.btrust.clientCertificateDaysLeft).toBeGreaterThan(300);
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await request(server.url).get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger-ui');
    const document = await request(server.url).get('/docs-json').expect(200);
    expect(document.body.openapi).toMatch(/^3\./);
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready']));
  });

  it('applies migrations at start', async () => {
    const applied: Array<{ name: string }> = await server.app.get(DataSource).query('select name from migrations');
    expect(applied.map((migration) => migration.name)).toEqual(MIGRATIONS.map((migration) => migration.name));
  });

  it('builds with its migrations exactly the schema the entities describe', async () => {
    // A hand-edited or forgotten migration shows up here as the SQL TypeORM would still run.
    const pending = await server.app.get(DataSource).driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);
  });

  it('echoes an X-Request-Id it is given and generates one otherwise', async () => {
    const given = await request(server.url).get('/health').set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(given.headers['x-request-id']).toBe('trace-abc-123');
    const generated = await request(server.url).get('/health').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an invalid body with a problem listing each field', async () => {
    const response = await request(server.url)
      .post('/test-probe/echo')
      .send({ name: 'far too long a name', count: 9, extra: true })
      .expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', instance: '/test-probe/echo' });
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
    const fields = response.body.errors.map((error: { field: string }) => error.field).sort();
    expect(fields).toEqual(['count', 'extra', 'name']);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const response = await request(server.url)
      .post('/test-probe/echo')
      .set('Content-Type', 'application/json')
      .send('{"name": "x",')
      .expect(400);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('MALFORMED_JSON');
  });

  it.each([
    ['application/xml', '<name>x</name>'],
    ['text/plain', '{"name": "x", "count": 1}'],
    ['application/x-www-form-urlencoded', 'name=x&count=1'],
    ['application/merge-patch+json', '{"name": "x", "count": 1}'],
  ])('answers a %s body to a JSON route with 415 naming the accepted type', async (type, body) => {
    const response = await request(server.url).post('/test-probe/echo').set('Content-Type', type).send(body).expect(415);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.headers.accept).toBe('application/json');
    expect(response.body).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: 'Send the body as application/json.',
      acceptedMediaTypes: ['application/json'],
    });
  });

  it('answers a multipart body, or a body without a content type, to a JSON route with the same 415', async () => {
    const multipart = await request(server.url).post('/test-probe/echo').field('name', 'x').expect(415);
    expect(multipart.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', acceptedMediaTypes: ['application/json'] });
    const untyped = await request(server.url).post('/test-probe/echo').set('Content-Type', '').send('name=x').expect(415);
    expect(untyped.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', acceptedMediaTypes: ['application/json'] });
  });

  it('takes JSON whatever the case of its media type and with parameters', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
      await request(server.url).post('/test-probe/echo').set('Content-Type', type).send('{"name": "x", "count": 1}').expect(201);
    }
  });

  it('names both accepted types on the signing route, and JSON on the webhook', async () => {
    const signing = await request(server.url)
      .post('/api/v1/web-identifications/8a1d3f0e-0000-4000-8000-000000000000/signings')
      .set('Content-Type', 'text/plain')
      .send('hello')
      .expect(415);
    expect(signing.headers.accept).toBe('application/json, multipart/form-data');
    expect(signing.body).toMatchObject({
      detail: 'Send the body as application/json or multipart/form-data.',
      acceptedMediaTypes: ['application/json', 'multipart/form-data'],
    });
    const webhook = await request(server.url).post('/callbacks/btrust/some-token').set('Content-Type', 'text/plain').send('{}').expect(415);
    expect(webhook.body.acceptedMediaTypes).toEqual(['application/json']);
  });

  it('answers a body over HTTP_BODY_LIMIT_MB with 413', async () => {
    const response = await request(server.url)
      .post('/test-probe/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), count: 1 }))
      .expect(413);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await request(server.url).get('/no/such/route').expect(404);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('NOT_FOUND');
  });

  it('hides the internals of an unexpected error behind a 500 with the request id', async () => {
    const response = await request(server.url).post('/test-probe/explode').expect(500);
    expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(response.body.code).toBe('INTERNAL_ERROR');
    expect(response.body.requestId).toBe(response.headers['x-request-id']);
    expect(JSON.stringify(response.body)).not.toMatch(/hunter2|at \w+ \(/);
  });

  it('round-trips a durable job through the queue', async () => {
    const queue = server.app.get(JobQueue);
    await queue.createQueue('foundation-roundtrip');
    const received = new Promise<{ greeting: string }>((resolve) => {
      void queue.work<{ greeting: string }>('foundation-roundtrip', async (data) => resolve(data), {
        pollingIntervalSeconds: 0.5,
      });
    });
    const jobId = await queue.send('foundation-roundtrip', { greeting: 'hello' });
    expect(jobId).toEqual(expect.any(String));
    await expect(received).resolves.toEqual({ greeting: 'hello' });
  });
});

describe('Start-up against an unreachable database', () => {
  it('fails with a connection error instead of hanging', async () => {
    const closedPort = await freePort();
    const unreachable = { url: `postgres://nobody:nothing@127.0.0.1:${closedPort}/none`, drop: async () => {} };
    await expect(startTestServer({}, { database: unreachable })).rejects.toThrow(/ECONNREFUSED/);
  });
});
