import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { DEVELOPMENT_OWNER } from '../../src/common/auth/current-owner.decorator';
import { startTestServer, TestServer } from '../support/test-server';

describe('Development mode (no authentication configured, Swagger UI off)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SWAGGER_ENABLED: 'false' });
  });
  afterAll(() => server?.stop());

  const api = () => request(server.url);
  const webRequest = () => ({ reason: 'Opening an account', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` });

  it('acts as the development user for requests without a token', async () => {
    const created = await api().post('/api/v1/web-identifications').send(webRequest()).expect(201);
    const [row] = await server.app.get(DataSource).query('SELECT owner FROM web_identifications WHERE id = $1', [created.body.id]);
    expect(row.owner).toBe(DEVELOPMENT_OWNER);
    await api().get(`/api/v1/web-identifications/${created.body.id}`).expect(200);
  });

  it('lets the development user use the operator API, audited under its name', async () => {
    await api().get('/api/v1/admin/web-identifications').expect(200);
    const [row] = await server.app.get(DataSource).query(`SELECT actor FROM operator_actions ORDER BY id DESC LIMIT 1`);
    expect(row.actor).toBe(DEVELOPMENT_OWNER);
  });

  it('serves no Swagger UI or OpenAPI document when SWAGGER_ENABLED=false', async () => {
    await api().get('/docs').expect(404);
    await api().get('/docs-json').expect(404);
  });

  it('still refuses a token it cannot verify, instead of ignoring it', async () => {
    const response = await api().get(`/api/v1/web-identifications/${randomUUID()}`).set('authorization', 'Bearer a.b.c');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });
});
