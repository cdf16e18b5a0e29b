import { createHash } from 'node:crypto';
import {
  applyDecorators,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  SetMetadata,
} from '@nestjs/common';
import { ApiExtraModels, ApiResponse } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { CasMetrics } from '../../metrics/cas-metrics';
import { subjectOf } from '../auth/current-owner.decorator';
import { problemContent, ProblemView } from '../http/api-problem-responses.decorator';
import { statusOf } from '../problem/problem-catalogue';
import { RateLimitError, RateLimitErrorCode } from './rate-limit.errors';
import { pruneRateWindows, tryAcquireSlots } from './shared-rate-limiter';

const WINDOW_MS = 60_000;
const BUCKET_PREFIX = 'create:';
const PRUNE_EVERY_MS = 10 * 60_000;
const KEEP_WINDOWS_MS = 60 * 60_000;

export interface CreationAttempt {
  owner: string;
  ip: string;
}

/**
 * Caps paid creations (identifications, signings) per owner and per client
 * IP per minute, across all instances (counters in PostgreSQL, fixed
 * one-minute windows: a burst of up to twice a limit can straddle a window
 * boundary, which is acceptable for a cost cap). Owners and IPs are stored
 * only as hashes, so the counters hold no personal data.
 */
@Injectable()
export class CreationRateLimiter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CreationRateLimiter.name);
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: CasMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.pruneTimer = setInterval(() => {
      pruneRateWindows(this.dataSource, BUCKET_PREFIX, KEEP_WINDOWS_MS).catch((error: unknown) =>
        this.logger.warn({ err: error }, 'Could not prune old rate-limit windows'),
      );
    }, PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruneTimer);
  }

  /** Returns when the attempt may go on; throws RATE_LIMITED, with the seconds to wait, when it may not. */
  async admit(attempt: CreationAttempt): Promise<void> {
    const { createPerUserPerMinute, createPerIpPerMinute } = this.config.abuseLimits;
    const user = { bucket: `${BUCKET_PREFIX}user:${digest(attempt.owner)}`, limit: createPerUserPerMinute };
    const ip = { bucket: `${BUCKET_PREFIX}ip:${digest(attempt.ip)}`, limit: createPerIpPerMinute };
    const decision = await tryAcquireSlots(this.dataSource, [user, ip], WINDOW_MS);
    if (decision.acquired) return;

    const limit = decision.exceeded === user ? 'user' : 'ip';
    this.metrics.rateLimited.inc({ limit });
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new RateLimitError(
      RateLimitErrorCode.RATE_LIMITED,
      limit === 'user'
        ? `At most ${createPerUserPerMinute} identifications and signings may be started per user per minute.`
        : `At most ${createPerIpPerMinute} identifications and signings may be started per client address per minute.`,
      { limit, retryAfterSeconds },
      retryAfterSeconds,
    );
  }
}

const LIMITED_ROUTE = 'creationRateLimited';
const LIMITED_HANDLER = Symbol('creationRateLimitedHandler');

/**
 * Counts every request to a route marked with LimitCreationRate before its
 * body is read (Fastify's preParsing, after authentication in onRequest): a
 * user past the limit is refused with 429 without a byte of a 100 MB upload
 * being read, and a refused request writes nothing. Call before the routes
 * are registered (the application's init).
 */
export function limitCreationsBeforeTheBody(fastify: FastifyInstance, limiter: CreationRateLimiter): void {
  fastify.addHook('onRoute', (route) => {
    // Nest copies a handler's metadata onto the function it registers.
    if (Reflect.getMetadata(LIMITED_HANDLER, route.handler) === true) route.config = { ...route.config, ...{ [LIMITED_ROUTE]: true } };
  });
  fastify.addHook('preParsing', async (request: FastifyRequest, _reply, payload) => {
    if ((request.routeOptions.config as unknown as Record<string, unknown>)[LIMITED_ROUTE] !== true) return payload;
    const owner = subjectOf(request)?.sub;
    // Reachable only if the decorator is put on a route outside the authenticated API: a wiring mistake.
    if (owner === undefined) throw new Error('A rate-limited creation route must be behind bearer-token authentication');
    await limiter.admit({ owner, ip: request.ip });
    return payload;
  });
}

/**
 * Marks a route that starts a paid B-Trust operation: it counts against the
 * per-user and per-IP creation limits (see limitCreationsBeforeTheBody). Every attempt counts,
 * repeats with a known Idempotency-Key too: otherwise a client could poll a key in progress,
 * or replay a stored answer, without limit.
 */
export function LimitCreationRate() {
  return applyDecorators(
    SetMetadata(LIMITED_HANDLER, true),
    ApiExtraModels(ProblemView),
    ApiResponse({
      status: statusOf(RateLimitErrorCode.RATE_LIMITED),
      description:
        'Problem code: `RATE_LIMITED`. Too many identifications and signings started by this user or from this ' +
        'address in the current minute; nothing was started. Retry after `Retry-After` seconds.',
      headers: { 'Retry-After': { description: 'Seconds until the next window opens.', schema: { type: 'integer', example: 42 } } },
      content: problemContent([RateLimitErrorCode.RATE_LIMITED]),
    }),
  );
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32);
}
