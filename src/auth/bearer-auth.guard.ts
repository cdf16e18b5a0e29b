import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuthenticatedSubject, attachSubject, DEVELOPMENT_OWNER, subjectOf } from '../common/auth/current-owner.decorator';
import { isOperatorRoute, isProtectedRoute } from '../common/auth/protected-routes';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { AccessTokenVerifier } from './access-token-verifier';
import { forbidden, unauthenticated } from './auth-problems';

/**
 * Global guard: every route under /api/v1 needs a valid bearer token, whose
 * subject it attaches to the request for `CurrentOwner`; routes under
 * /api/v1/admin also need the operator role. Decided by the route's
 * registered path, not the raw URL, so no spelling of a URL slips by and no
 * new controller can forget it. The same check runs first as a Fastify
 * `onRequest` hook (see create-app), before the body is read: an anonymous
 * upload is refused without being buffered or parsed. The guard then finds
 * the subject attached and stays as the second line for any request the hook
 * did not see.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly logger = new Logger(BearerAuthGuard.name);

  constructor(
    private readonly verifier: AccessTokenVerifier,
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (subjectOf(request) === undefined) await this.authenticateRequest(request);
    return true;
  }

  /** Attaches the subject of a request to a protected route, or throws 401/403; other routes pass untouched. */
  async authenticateRequest(request: FastifyRequest): Promise<void> {
    const route = request.routeOptions.url;
    if (!isProtectedRoute(route)) return;

    const subject = await this.authenticate(request.headers.authorization);
    if (isOperatorRoute(route) && !subject.roles.includes(this.config.auth.operatorRole)) {
      this.logger.warn({ sub: subject.sub, route }, 'Refused a subject without the operator role on the operator API');
      throw forbidden(`The operator API needs the "${this.config.auth.operatorRole}" role in the token's roles claim.`);
    }
    attachSubject(request, subject);
  }

  private async authenticate(authorization: string | undefined): Promise<AuthenticatedSubject> {
    const token = bearerToken(authorization);
    if (token !== undefined) return this.verifier.verify(token);
    if (!this.verifier.configured) {
      // Development without authentication: everything acts as one user, who may also operate.
      return { sub: DEVELOPMENT_OWNER, roles: [this.config.auth.operatorRole], development: true };
    }
    throw unauthenticated('Send the access token as "Authorization: Bearer <token>".', false);
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header (scheme
 * case-insensitive, RFC 7235); undefined when the header is absent. Another
 * scheme, or an empty token, is refused rather than ignored.
 */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".', true);
  return match[1];
}
