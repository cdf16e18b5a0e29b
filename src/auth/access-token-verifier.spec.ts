import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT } from 'jose';
import { FeatureError } from '../common/problem/feature-error';
import type { ProblemDocument } from '../common/problem/problem';
import { toProblem } from '../common/problem/to-problem';
import type { AuthConfig } from '../config/app-config';
import { AccessTokenVerifier } from './access-token-verifier';

const SECRET = 'unit-test-secret-that-is-long-enough-for-hs256';
const NONE: AuthConfig = { jwksUrl: undefined, issuer: undefined, audience: undefined, jwtSecret: undefined, operatorRole: 'operator' };
const WITH_SECRET: AuthConfig = { ...NONE, jwtSecret: SECRET, issuer: 'https://login.bank.example/', audience: 'btrust-cas' };

const nowSeconds = () => Math.floor(Date.now() / 1000);

function token(claims: Record<string, unknown> = {}, options: { secret?: string; expiresAt?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT({ sub: 'customer-42', iss: 'https://login.bank.example/', aud: 'btrust-cas', roles: ['operator'], ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt();
  if (options.expiresAt !== null) jwt.setExpirationTime(options.expiresAt ?? nowSeconds() + 300);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** The problem a refused token answers with, as the wire shows it, and its headers. */
async function refusal(verifier: AccessTokenVerifier, value: string): Promise<ProblemDocument & { headers: Record<string, string> }> {
  try {
    await verifier.verify(value);
  } catch (error) {
    if (error instanceof FeatureError) {
      const { body, headers } = toProblem(error, {});
      return { ...body, headers };
    }
    throw error;
  }
  throw new Error('the token was accepted');
}

describe(AccessTokenVerifier.name, () => {
  const verifier = new AccessTokenVerifier(WITH_SECRET);

  it('accepts a valid HS256 token and returns its subject and string roles', async () => {
    const subject = await verifier.verify(await token({ roles: ['operator', 7, 'auditor'] }));
    expect(subject).toEqual({ sub: 'customer-42', roles: ['operator', 'auditor'], development: false });
  });

  it('grants no role when the roles claim is not an array', async () => {
    expect((await verifier.verify(await token({ roles: 'operator' }))).roles).toEqual([]);
  });

  it('tolerates 30 seconds of clock skew, and no more', async () => {
    await expect(verifier.verify(await token({}, { expiresAt: nowSeconds() - 20 }))).resolves.toMatchObject({ sub: 'customer-42' });
    const expired = await refusal(verifier, await token({}, { expiresAt: nowSeconds() - 60 }));
    expect(expired).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', detail: 'The bearer token has expired.' });
    expect(expired.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('refuses another issuer or audience, naming the claim', async () => {
    expect((await refusal(verifier, await token({ iss: 'https://evil.example/' }))).detail).toContain('"iss"');
    expect((await refusal(verifier, await token({ aud: 'another-app' }))).detail).toContain('"aud"');
  });

  it('refuses a token signed with another secret', async () => {
    const problem = await refusal(verifier, await token({}, { secret: 'another-secret-that-is-also-long-enough!!' }));
    expect(problem).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', detail: 'The bearer token is not valid.' });
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const unsigned = new UnsecuredJWT({ roles: ['operator'] })
      .setSubject('customer-42')
      .setIssuer('https://login.bank.example/')
      .setAudience('btrust-cas')
      .setExpirationTime('5m')
      .encode();
    expect(await refusal(verifier, unsigned)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('refuses a token without expiry or without subject', async () => {
    expect((await refusal(verifier, await token({}, { expiresAt: null }))).detail).toContain('"exp"');
    const withoutSubject = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://login.bank.example/')
      .setAudience('btrust-cas')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expect((await refusal(verifier, withoutSubject)).status).toBe(401);
  });

  it('refuses garbage as a 401, never a server error', async () => {
    for (const garbage of ['x', 'a.b.c', `${Buffer.from('{"alg":"HS256"}').toString('base64url')}..`, '....']) {
      expect((await refusal(verifier, garbage)).status).toBe(401);
    }
  });

  it('refuses every token when no verification is configured', async () => {
    const unconfigured = new AccessTokenVerifier(NONE);
    expect(unconfigured.configured).toBe(false);
    expect((await refusal(unconfigured, await token())).status).toBe(401);
  });

  describe('with a JWKS', () => {
    let server: Server;
    let status = 200;
    let url: string;

    beforeAll(async () => {
      server = createServer((_request, response) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end('{"keys":[]}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const asymmetricLooking = async () => {
      const [, payload, signature] = (await token()).split('.');
      return `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: 'k1' })).toString('base64url')}.${payload}.${signature}`;
    };

    it('answers 503 AUTH_UNAVAILABLE when the key set cannot be fetched', async () => {
      status = 500;
      const jwks = new AccessTokenVerifier({ ...WITH_SECRET, jwtSecret: undefined, jwksUrl: url });
      expect(await refusal(jwks, await asymmetricLooking())).toMatchObject({ status: 503, code: 'AUTH_UNAVAILABLE' });
    });

    it('answers 401 when the key set has no key for the token', async () => {
      status = 200;
      const jwks = new AccessTokenVerifier({ ...WITH_SECRET, jwtSecret: undefined, jwksUrl: url });
      expect(await refusal(jwks, await asymmetricLooking())).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    });

    it('refuses an HS256 token even before fetching the key set', async () => {
      const jwks = new AccessTokenVerifier({ ...WITH_SECRET, jwtSecret: undefined, jwksUrl: url });
      expect(await refusal(jwks, await token())).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    });
  });
});
