import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, KeyLike, SignJWT } from 'jose';
import request from 'supertest';
import { startTestServer, TestServer } from '../support/test-server';

const ISSUER = 'https://login.bank.test/';
const AUDIENCE = 'btrust-cas';
const KEY_ID = 'signing-key-1';

/** A stand-in for the identity provider: one ES256 public key at a JWKS URL. */
async function startKeySet(publicKey: KeyLike): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'ES256', use: 'sig' }] });
  let requests = 0;
  const server: Server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('Authentication with a JWKS (ES256)', () => {
  let server: TestServer;
  let keySet: Awaited<ReturnType<typeof startKeySet>>;
  let privateKey: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    keySet = await startKeySet(pair.publicKey);
    server = await startTestServer({ AUTH_JWKS_URL: keySet.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
  });
  afterAll(async () => {
    await server?.stop();
    await keySet?.close();
  });

  const api = () => request(server.url);
  const sign = (key: KeyLike, claims: Record<string, unknown> = {}, kid = KEY_ID) =>
    new SignJWT({ iss: ISSUER, aud: AUDIENCE, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('carol')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
  const webRequest = () => ({ reason: 'Opening an account', successUrl: `${server.url}/identified`, cancelUrl: `${server.url}/cancelled` });

  it('accepts a token signed by the identity provider\'s key; its subject owns what it creates', async () => {
    const token = await sign(privateKey);
    const created = await api().post('/api/v1/web-identifications').set('authorization', `Bearer ${token}`).send(webRequest()).expect(201);
    await api().get(`/api/v1/web-identifications/${created.body.id}`).set('authorization', `Bearer ${token}`).expect(200);
    expect(keySet.requests()).toBeGreaterThanOrEqual(1);
  });

  it('refuses a token signed by another key under the same key id', async () => {
    const impostor = (await generateKeyPair('ES256')).privateKey;
    const response = await api().get('/api/v1/web-identifications/7c9e6679-7425-40de-944b-e07fc1f90ae7').set('authorization', `Bearer ${await sign(impostor)}`);
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a token for another audience, and an HS256 token', async () => {
    const otherAudience = await sign(privateKey, { aud: 'another-app' });
    const symmetric = await new SignJWT({ iss: ISSUER, aud: AUDIENCE })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('carol')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    for (const token of [otherAudience, symmetric]) {
      expect((await api().post('/api/v1/web-identifications').set('authorization', `Bearer ${token}`).send(webRequest())).status).toBe(401);
    }
  });

  it('requires a token: no development user once a JWKS is configured', async () => {
    expect((await api().post('/api/v1/web-identifications').send(webRequest())).status).toBe(401);
  });
});
