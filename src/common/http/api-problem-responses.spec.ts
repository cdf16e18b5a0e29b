import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { SigningErrorCode } from '../../signing/signing.errors';
import { IdempotencyErrorCode } from '../idempotency/idempotency.errors';
import { HttpErrorCode } from '../problem/http-error';
import { RequestErrorCode } from '../problem/request-error';
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
      @ApiProblemResponses([IdempotencyErrorCode.INVALID_IDEMPOTENCY_KEY, IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS])
      @ApiProblemResponses([RequestErrorCode.VALIDATION_FAILED, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE])
      routeFirst(): void {}

      @ApiProblemResponses([RequestErrorCode.VALIDATION_FAILED, HttpErrorCode.UNSUPPORTED_MEDIA_TYPE])
      @ApiProblemResponses([IdempotencyErrorCode.INVALID_IDEMPOTENCY_KEY, IdempotencyErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS])
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
      @ApiProblemResponses([RequestErrorCode.NOT_FOUND])
      one(): void {}

      @ApiProblemResponses([SigningErrorCode.NOT_SIGNED])
      other(): void {}
    }
    expect(Object.keys(responsesOf(Routes.prototype.one))).toEqual(['404']);
    expect(Object.keys(responsesOf(Routes.prototype.other))).toEqual(['409']);
  });
});
