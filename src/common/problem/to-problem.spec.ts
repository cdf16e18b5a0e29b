import { BadRequestException, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiProblem } from './problem';
import { isDatabaseUnavailable, toProblem } from './to-problem';

describe(toProblem.name, () => {
  it('keeps an ApiProblem\'s status, code, extensions and headers', () => {
    const problem = toProblem(new ApiProblem(HttpStatus.CONFLICT, 'NOT_COMPLETED', 'Not completed', 'Wait.', { hint: 1 }, { 'retry-after': '3' }), {
      requestId: 'r1',
      instance: '/x',
    });
    expect(problem).toMatchObject({ status: 409, headers: { 'retry-after': '3' }, unexpected: false });
    expect(problem.body).toMatchObject({ code: 'NOT_COMPLETED', detail: 'Wait.', hint: 1, requestId: 'r1', instance: '/x' });
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
