import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiProblem, HttpErrorCode } from '../common/problem/http-error';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { bearerTokenMatches } from './bearer-token';

/**
 * /metrics on the main port requires `Authorization: Bearer $METRICS_TOKEN`
 * when a token is configured. Without one it is open, which the config allows
 * only outside production (and start-up warns about).
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedAppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const { token } = this.config.metrics;
    if (token === undefined) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (bearerTokenMatches(request.headers.authorization, token)) return true;
    throw new ApiProblem(
      HttpErrorCode.UNAUTHENTICATED,
      'The metrics endpoint needs the configured bearer token.',
      {},
      { 'www-authenticate': 'Bearer realm="metrics"' },
    );
  }
}
