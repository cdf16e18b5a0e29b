import { createSecretKey, KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors, JWTPayload, JWTVerifyGetKey, jwtVerify, JWTVerifyOptions } from 'jose';
import type { AuthenticatedSubject } from '../common/auth/current-owner.decorator';
import type { AuthConfig } from '../config/app-config';
import { authUnavailable, unauthenticated } from './auth-problems';

/** Clocks of the identity provider and of this server may differ by this much. */
const CLOCK_TOLERANCE_SECONDS = 30;
const JWKS_TIMEOUT_MS = 5_000;

/** Asymmetric algorithms only with a JWKS; `none` and HS* can never pass as a JWKS-signed token. */
const JWKS_ALGORITHMS = ['RS256', 'ES256'];
const SECRET_ALGORITHMS = ['HS256'];

type VerificationKey = { kind: 'jwks'; getKey: JWTVerifyGetKey } | { kind: 'secret'; secret: KeyObject };

/**
 * Verifies the bearer tokens of frontend calls (signature, algorithm,
 * expiry, issuer, audience) and turns them into the subject the request acts
 * as. Every refusal is a 401 problem; an unreachable identity provider is a
 * 503, because the token itself may be perfectly good.
 */
export class AccessTokenVerifier {
  private readonly logger = new Logger(AccessTokenVerifier.name);
  private readonly key: VerificationKey | undefined;
  private readonly options: JWTVerifyOptions;

  constructor(config: AuthConfig) {
    if (config.jwksUrl) {
      this.key = { kind: 'jwks', getKey: createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS }) };
    } else if (config.jwtSecret) {
      // A key object made once: given raw bytes, jose would make one on every verification.
      this.key = { kind: 'secret', secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')) };
    }
    this.options = {
      algorithms: this.key?.kind === 'jwks' ? JWKS_ALGORITHMS : SECRET_ALGORITHMS,
      issuer: config.issuer,
      audience: config.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // A token without expiry would be a credential that never dies.
      requiredClaims: ['sub', 'exp'],
    };
  }

  /** False in development without AUTH_JWKS_URL or AUTH_JWT_SECRET. */
  get configured(): boolean {
    return this.key !== undefined;
  }

  async verify(token: string): Promise<AuthenticatedSubject> {
    if (!this.key) {
      throw unauthenticated(
        'This server is not configured to verify bearer tokens (AUTH_JWKS_URL or AUTH_JWT_SECRET); ' +
          'send no Authorization header to act as the development user.',
        true,
      );
    }
    let payload: JWTPayload;
    try {
      payload =
        this.key.kind === 'jwks'
          ? (await jwtVerify(token, this.key.getKey, this.options)).payload
          : (await jwtVerify(token, this.key.secret, this.options)).payload;
    } catch (error) {
      throw this.refusal(error);
    }
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') {
      throw unauthenticated('The bearer token has no subject (sub).', true);
    }
    return { sub: payload.sub, roles: rolesOf(payload), development: false };
  }

  private refusal(error: unknown): Error {
    if (error instanceof errors.JWTExpired) return unauthenticated('The bearer token has expired.', true);
    if (error instanceof errors.JWTClaimValidationFailed) {
      return unauthenticated(`The bearer token's "${error.claim}" claim is not acceptable.`, true);
    }
    if (isKeySetUnavailable(error)) {
      this.logger.warn({ err: error }, 'Could not fetch the JSON Web Key Set to verify a bearer token');
      return authUnavailable();
    }
    return unauthenticated('The bearer token is not valid.', true);
  }
}

/**
 * jose reports a key set it could not fetch as JWKSTimeout, a bare
 * JOSEError (non-200 answer or a body that is not JSON), JWKSInvalid (no
 * `keys` array) or a network error that is no JOSEError at all; every other
 * failure is about the token.
 */
function isKeySetUnavailable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    error.code === errors.JOSEError.code
  );
}

/** Only an array of strings counts: anything else grants no role. */
function rolesOf(payload: JWTPayload): string[] {
  const roles = payload.roles;
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}
