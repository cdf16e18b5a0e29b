import request from 'supertest';
import { startTestServer, TestServer } from '../support/test-server';

/**
 * The demo whatever the ports and whichever loopback name it is opened at:
 * it learns where the sandbox's pages are from the server, and in
 * development `localhost`, `127.0.0.1` and `[::1]` are one machine.
 */
describe('Demo on any port and loopback name', () => {
  let server: TestServer;
  /** The server's own address under its other loopback name (PUBLIC_BASE_URL says 127.0.0.1). */
  let atLocalhost: string;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'development' });
    atLocalhost = server.url.replace('127.0.0.1', 'localhost');
  });
  afterAll(async () => {
    await server?.stop();
  });

  function startWebIdentification(origin: string) {
    return request(server.app.getHttpServer())
      .post('/api/v1/web-identifications')
      .send({ reason: 'Demo at another loopback name', successUrl: `${origin}/demo/identified.html`, cancelUrl: `${origin}/demo/identified.html?outcome=cancelled` });
  }

  it('tells the pages where the sandbox it started serves its person-facing pages', async () => {
    expect(server.sandboxPagesUrl).toMatch(/^http:\/\/localhost:\d+$/);
    const response = await request(server.app.getHttpServer()).get('/demo/environment.json').expect(200);
    expect(response.body).toEqual({ sandboxPagesUrl: server.sandboxPagesUrl });
  });

  it.each([
    ['localhost', () => atLocalhost],
    ['[::1]', () => server.url.replace('127.0.0.1', '[::1]')],
    ['127.0.0.1', () => server.url],
  ])('starts a web identification from the demo opened at %s', async (_name, origin) => {
    const response = await startWebIdentification(origin()).expect(201);
    expect(response.body.redirectUrl).toMatch(/^http:\/\/localhost:\d+\/session\//);
  });

  it('refuses a redirect elsewhere, listing the allowed origins and naming ALLOWED_REDIRECT_ORIGINS', async () => {
    const response = await startWebIdentification('http://shop.example').expect(400);
    expect(response.body.errors).toEqual([
      { field: 'successUrl', codes: ['REDIRECT_NOT_ALLOWED'], messages: [expect.stringContaining('they are set by ALLOWED_REDIRECT_ORIGINS')] },
      { field: 'cancelUrl', codes: ['REDIRECT_NOT_ALLOWED'], messages: [expect.stringContaining(`${atLocalhost}, ${server.url}`)] },
    ]);
  });
});

describe('Redirect origins outside development', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'test' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('are the origin of PUBLIC_BASE_URL alone', async () => {
    const atLocalhost = server.url.replace('127.0.0.1', 'localhost');
    const response = await request(server.app.getHttpServer())
      .post('/api/v1/web-identifications')
      .send({ reason: 'Not development', successUrl: `${atLocalhost}/ok`, cancelUrl: `${server.url}/cancel` })
      .expect(400);
    expect(response.body.errors).toEqual([
      {
        field: 'successUrl',
        codes: ['REDIRECT_NOT_ALLOWED'],
        messages: [`successUrl must be an absolute URL on one of the allowed origins (${server.url}); they are set by ALLOWED_REDIRECT_ORIGINS`],
      },
    ]);
  });
});
