import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { ApiProblemResponses } from './api-problem-responses.decorator';

type DocumentedResponses = Record<string, { description: string; content: Record<string, { examples: Record<string, unknown> }> }>;

function responsesOf(handler: () => void): DocumentedResponses {
  return Reflect.getMetadata(DECORATORS.API_RESPONSE, handler);
}

function codesOf(response: DocumentedResponses[string]): string[] {
  return Object.keys(response.content['application/problem+json'].examples);
}

describe(ApiProblemResponses.name, () => {
  it('adds up the codes of several decorators on one route, status by status, whichever is applied first', () => {
    class Routes {
      @ApiProblemResponses({ 400: ['INVALID_IDEMPOTENCY_KEY'], 409: ['IDEMPOTENCY_KEY_IN_PROGRESS'] })
      @ApiProblemResponses({ 400: ['VALIDATION_FAILED'], 415: ['UNSUPPORTED_MEDIA_TYPE'] })
      routeFirst(): void {}

      @ApiProblemResponses({ 400: ['VALIDATION_FAILED'], 415: ['UNSUPPORTED_MEDIA_TYPE'] })
      @ApiProblemResponses({ 400: ['INVALID_IDEMPOTENCY_KEY'], 409: ['IDEMPOTENCY_KEY_IN_PROGRESS'] })
      routeLast(): void {}
    }
    for (const handler of [Routes.prototype.routeFirst, Routes.prototype.routeLast]) {
      const responses = responsesOf(handler);
      expect(Object.keys(responses).sort()).toEqual(['400', '409', '415']);
      expect(codesOf(responses['400']).sort()).toEqual(['INVALID_IDEMPOTENCY_KEY', 'VALIDATION_FAILED']);
      expect(responses['400'].description).toMatch(/^Problem codes: `[A-Z_]+`, `[A-Z_]+`$/);
      expect(codesOf(responses['409'])).toEqual(['IDEMPOTENCY_KEY_IN_PROGRESS']);
    }
  });

  it('keeps each route its own codes', () => {
    class Routes {
      @ApiProblemResponses({ 404: ['NOT_FOUND'] })
      one(): void {}

      @ApiProblemResponses({ 409: ['NOT_SIGNED'] })
      other(): void {}
    }
    expect(Object.keys(responsesOf(Routes.prototype.one))).toEqual(['404']);
    expect(Object.keys(responsesOf(Routes.prototype.other))).toEqual(['409']);
  });
});
