import request from 'supertest';
import { startTestServer, TestServer } from '../support/test-server';

const FRONTEND = 'https://shop.example';
const OTHER_FRONTEND = 'http://localhost:5173';
const STRANGER = 'https://evil.example';
const MISSING = '/api/v1/mobile-identifications/6f1c1a52-3c55-4a4b-9d0e-3b7f7e0f1a11';

const preflight = (server: TestServer, origin: string) =>
  request(server.url)
    .options('/api/v1/mobile-identifications')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type,idempotency-key');

describe('Browser-facing protections: CORS allow-list and security headers', () => {
  describe(`with CORS_ORIGINS=${FRONTEND},${OTHER_FRONTEND}`, () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer({ CORS_ORIGINS: `${FRONTEND}, ${OTHER_FRONTEND}` });
    });
    afterAll(() => server?.stop());

    it.each([FRONTEND, OTHER_FRONTEND])('answers a preflight from the allowed origin %s', async (origin) => {
      const response = await preflight(server, origin);
      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(response.headers['access-control-allow-methods']).toBe('GET, POST');
      expect(response.headers['access-control-allow-headers']?.toLowerCase()).toBe(
        'authorization, content-type, idempotency-key, accept-language',
      );
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      expect(response.headers.vary).toMatch(/Origin/);
    });

    it('lets the allowed origin read answers, including Retry-After and the request id', async () => {
      const response = await request(server.url).get(MISSING).set('Origin', FRONTEND).expect(404);
      expect(response.headers['access-control-allow-origin']).toBe(FRONTEND);
      expect(response.headers['access-control-expose-headers']).toBe('Retry-After, Content-Disposition, x-request-id');
    });

    it.each([STRANGER, 'https://shop.example.evil.example', 'http://shop.example', 'null'])(
      'gives the origin %s no CORS permission at all',
      async (origin) => {
        const answered = await preflight(server, origin);
        expect(answered.headers['access-control-allow-origin']).toBeUndefined();
        const read = await request(server.url).get(MISSING).set('Origin', origin).expect(404);
        expect(read.headers['access-control-allow-origin']).toBeUndefined();
      },
    );
  });

  describe('with CORS_ORIGINS unset', () => {
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server?.stop());

    it('sends no CORS header, even to the server\'s own origin', async () => {
      for (const origin of [FRONTEND, server.url]) {
        const answered = await preflight(server, origin);
        expect(answered.headers['access-control-allow-origin']).toBeUndefined();
        const read = await request(server.url).get(MISSING).set('Origin', origin).expect(404);
        expect(read.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it.each([
      ['an API error', MISSING, 404],
      ['an API answer', '/health', 200],
      ['a webhook refusal', '/callbacks/btrust/not-a-real-token', 404],
    ])('puts the security headers on %s', async (_case, path, status) => {
      const response = path.startsWith('/callbacks')
        ? await request(server.url).post(path).send({}).expect(status)
        : await request(server.url).get(path).expect(status);
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
      });
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers['x-powered-by']).toBeUndefined();
    });

    it('still renders Swagger UI at /docs: its scripts are all same-origin files the policy allows', async () => {
      const page = await request(server.url).get('/docs').redirects(1).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('swagger-ui');
      const csp = page.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');

      const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        expect(inline.trim()).toBe('');
        const source = /src="([^"]+)"/.exec(attributes)?.[1];
        expect(source).toBeDefined();
        const url = new URL(source!, `${server.url}/docs`);
        expect(url.origin).toBe(server.url);
        await request(server.url).get(url.pathname).expect(200);
      }
      const stylesheets = [...page.text.matchAll(/<link[^>]+href="([^"]+\.css)"/g)].map(([, href]) => new URL(href, `${server.url}/docs`));
      for (const stylesheet of stylesheets) {
        expect(stylesheet.origin).toBe(server.url);
        await request(server.url).get(stylesheet.pathname).expect(200);
      }
      const document = await request(server.url).get('/docs-json').expect(200);
      expect(document.body.openapi).toMatch(/^3\./);
    });

    it('documents the 429 RATE_LIMITED answer and its Retry-After header on every paid creation', async () => {
      const { paths } = (await request(server.url).get('/docs-json').expect(200)).body;
      for (const path of ['/api/v1/mobile-identifications', '/api/v1/web-identifications', '/api/v1/web-identifications/{id}/signings']) {
        const tooMany = paths[path].post.responses['429'];
        expect(tooMany.description).toContain('RATE_LIMITED');
        expect(tooMany.headers['Retry-After']).toBeDefined();
        expect(tooMany.content['application/problem+json']).toBeDefined();
      }
    });
  });
});
