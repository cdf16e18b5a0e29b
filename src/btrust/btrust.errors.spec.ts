import { BTRUST_ERROR_CODES, BtrustError, isProviderAnswer } from './btrust.errors';

const errorWith = (code: (typeof BTRUST_ERROR_CODES)[number]) => new BtrustError({ code, operation: 'getWebIdentificationResult', message: code });

describe(isProviderAnswer.name, () => {
  it('counts only B-Trust\'s own refusals as answers', () => {
    const answers = BTRUST_ERROR_CODES.filter((code) => isProviderAnswer(errorWith(code)));
    expect(answers.sort()).toEqual(['BAD_REQUEST', 'NOT_FOUND', 'REJECTED']);
  });

  it('treats an open breaker, TLS and timeouts as not having reached B-Trust', () => {
    for (const code of ['CIRCUIT_OPEN', 'TLS', 'TIMEOUT', 'UNAVAILABLE', 'UNPROCESSABLE_RESPONSE'] as const) {
      expect(isProviderAnswer(errorWith(code))).toBe(false);
    }
  });
});
