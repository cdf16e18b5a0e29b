import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { MobileIdentificationError, MobileIdentificationErrorCode } from '../../identification/mobile/mobile-identification.errors';
import { RateLimitError, RateLimitErrorCode } from '../rate-limit/rate-limit.errors';
import { FeatureError } from './feature-error';
import { ApiProblem, HttpErrorCode } from './http-error';
import { StoredProblem } from './problem';
import { isDatabaseUnavailable, toProblem } from './to-problem';

describe(toProblem.name, () => {
  it('answers a feature error with its code\'s status and title from the catalogue, its detail and extensions', () => {
    const problem = toProblem(new MobileIdentificationError(MobileIdentificationErrorCode.NOT_COMPLETED, 'Wait.', { hint: 1 }), {
      requestId: 'r1',
      instance: '/x',
    });
    expect(problem).toMatchObject({ status: 409, headers: {}, unexpected: false });
    expect(problem.body).toEqual({
      type: 'urn:btrust-cas:problem:NOT_COMPLETED',
      title: 'Not completed',
      status: 409,
      code: 'NOT_COMPLETED',
      detail: 'Wait.',
      hint: 1,
      requestId: 'r1',
      instance: '/x',
    });
  });

  it('sends retryAfterSeconds as Retry-After', () => {
    const problem = toProblem(new RateLimitError(RateLimitErrorCode.RATE_LIMITED, 'Slow down.', { retryAfterSeconds: 7 }, 7), {});
    expect(problem).toMatchObject({ status: 429, headers: { 'retry-after': '7' } });
  });

  it('keeps the HTTP layer\'s own headers, its status still from the catalogue', () => {
    const problem = toProblem(new ApiProblem(HttpErrorCode.UNAUTHENTICATED, 'Send a token.', {}, { 'www-authenticate': 'Bearer' }), {});
    expect(problem).toMatchObject({ status: 401, headers: { 'www-authenticate': 'Bearer' }, body: { title: 'Authentication required' } });
  });

  it('answers a code no family declares as our own bug, hiding it', () => {
    class StrayError extends FeatureError {}
    const problem = toProblem(new StrayError('NOT_IN_THE_CATALOGUE', 'internal detail'), {});
    expect(problem).toMatchObject({ status: 500, unexpected: true, body: { code: 'INTERNAL_ERROR' } });
    expect(JSON.stringify(problem.body)).not.toContain('internal detail');
  });

  it('replays a stored problem as it was, with this request\'s id', () => {
    const stored = { type: 'urn:btrust-cas:problem:OLD_CODE', title: 'Old', status: 418, code: 'OLD_CODE', detail: 'd', extra: 1, requestId: 'first' };
    const problem = toProblem(new StoredProblem(418, stored), { requestId: 'second' });
    expect(problem).toEqual({ status: 418, headers: {}, unexpected: false, body: { ...stored, requestId: 'second', instance: undefined } });
  });

  it('maps Fastify body errors to their own codes', () => {
    expect(toProblem(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }), {}).body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(toProblem(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }), {}).status).toBe(413);
  });

  it('maps framework exceptions by status and keeps health details on a 503', () => {
    expect(toProblem(new BadRequestException('Validation failed (uuid is expected)'), {}).body.code).toBe('BAD_REQUEST');
    const unhealthy = toProblem(new ServiceUnavailableException({ status: 'error', details: { database: { status: 'down' } } }), {});
    expect(unhealthy.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', checks: { database: { status: 'down' } } });
  });

  it('answers a database outage with 503 and Retry-After, not a 500', () => {
    const outage = toProblem({ name: 'QueryFailedError', message: 'x', driverError: { code: '57P01' } }, {});
    expect(outage).toMatchObject({ status: 503, headers: { 'retry-after': '5' }, unexpected: false });
    expect(outage.body.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('hides everything about an unexpected error', () => {
    const problem = toProblem(new Error('secret internals'), { requestId: 'r2' });
    expect(problem).toMatchObject({ status: 500, unexpected: true });
    expect(JSON.stringify(problem.body)).not.toContain('secret internals');
  });
});

describe(isDatabaseUnavailable.name, () => {
  it.each([
    [{ code: 'ECONNREFUSED' }],
    [{ code: '08006' }],
    [{ message: 'Connection terminated unexpectedly' }],
    [{ cause: { driverError: { code: '57P03' } } }],
  ])('recognises %j', (error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([[{ code: '23505' }], [new Error('boom')], [null], ['text']])('does not mistake %j for an outage', (error) =>
    expect(isDatabaseUnavailable(error)).toBe(false),
  );
});
