import { applyDecorators, CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, mergeMap, Observable } from 'rxjs';
import { subjectOf } from '../auth/current-owner.decorator';
import { ApiProblemResponses } from '../http/api-problem-responses.decorator';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_PROBLEMS } from '../http/idempotency-header';
import { IdempotencyService } from './idempotency.service';

const IDEMPOTENCY_SCOPE = Symbol('idempotencyScope');

/**
 * What an idempotent handler returns: the request as it was validated (what a
 * repeat must match) and the work that serves it, which runs only if no answer
 * for the key is stored. Returned rather than run so that the request is
 * validated (and refused) before the key is claimed.
 */
export class IdempotentWork<T> {
  constructor(
    readonly request: unknown,
    readonly serve: () => Promise<T>,
  ) {}
}

/** What an @Idempotent handler returns; the client gets `serve()`'s answer, or the one stored for its key. */
export function idempotent<T>(request: unknown, serve: () => Promise<T>): IdempotentWork<T> {
  return new IdempotentWork(request, serve);
}

/** Runs an idempotent handler's work inside IdempotencyService.run, and answers with the stored status and body. */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const scope = this.reflector.get<string>(IDEMPOTENCY_SCOPE, context.getHandler());
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const owner = subjectOf(request)?.sub;
    // Both reachable only by a wiring mistake: an idempotent route outside the authenticated API, or a handler that does its work itself.
    if (owner === undefined) throw new Error('An idempotent route must be behind bearer-token authentication');
    const key = request.headers['idempotency-key'];
    return next.handle().pipe(
      mergeMap((work: unknown) => {
        if (!(work instanceof IdempotentWork)) throw new Error(`The handler of an @Idempotent('${scope}') route must return idempotent(…)`);
        return from(
          this.idempotency.run(owner, scope, typeof key === 'string' ? key : undefined, work.request, async () => ({
            status: http.getResponse<FastifyReply>().statusCode,
            body: await work.serve(),
          })),
        );
      }),
      mergeMap(async (response) => {
        void http.getResponse<FastifyReply>().status(response.status);
        return response.body;
      }),
    );
  }
}

/**
 * The `Idempotency-Key` header on a POST (see IdempotencyService): its
 * handler returns idempotent(request, work), and a repeat of the key in this
 * `scope` is answered from the stored response without running the work.
 */
export function Idempotent(scope: string) {
  return applyDecorators(
    SetMetadata(IDEMPOTENCY_SCOPE, scope),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader(IDEMPOTENCY_HEADER),
    ApiProblemResponses(IDEMPOTENCY_PROBLEMS),
  );
}
