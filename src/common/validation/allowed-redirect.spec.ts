import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../problem/validation-pipe';
import { checkingRedirectsAgainst, IsAllowedRedirect } from './allowed-redirect';

class ReturnUrls {
  @IsAllowedRedirect()
  successUrl: unknown;

  @IsAllowedRedirect()
  cancelUrl: unknown;
}

async function problemsOf(urls: { successUrl: unknown; cancelUrl: unknown }, origins = ['http://localhost:3000']) {
  return flattenValidationErrors(await checkingRedirectsAgainst(origins, () => validate(plainToInstance(ReturnUrls, urls))));
}

describe(IsAllowedRedirect.name, () => {
  it('lists each refused URL with the allowed origins and the variable that sets them', async () => {
    expect(await problemsOf({ successUrl: 'http://127.0.0.1:3000/ok', cancelUrl: 'http://localhost:3000/no' })).toEqual([
      {
        field: 'successUrl',
        codes: ['REDIRECT_NOT_ALLOWED'],
        messages: ['successUrl must be an absolute URL on one of the allowed origins (http://localhost:3000); they are set by ALLOWED_REDIRECT_ORIGINS'],
      },
    ]);
  });

  it('reports a URL that breaks the rules of every text field by those rules alone', async () => {
    const problems = await problemsOf({ successUrl: 'http://localhost:3000/\tok', cancelUrl: 42 });
    expect(problems.map(({ field, codes }) => ({ field, codes }))).toEqual([
      { field: 'successUrl', codes: ['noControlCharacters'] },
      { field: 'cancelUrl', codes: ['maxLength', 'isString'] },
    ]);
  });

  it('checks each validation against its own allow-list, when two run at once', async () => {
    const urls = { successUrl: 'https://bank.example/ok', cancelUrl: 'https://bank.example/no' };
    const [bank, local] = await Promise.all([problemsOf(urls, ['https://bank.example']), problemsOf(urls)]);
    expect(bank).toEqual([]);
    expect(local.map(({ field }) => field)).toEqual(['successUrl', 'cancelUrl']);
  });

  it('refuses to validate a return URL with no allow-list', async () => {
    await expect((async () => validate(plainToInstance(ReturnUrls, { successUrl: 'https://bank.example/ok', cancelUrl: 'x' })))()).rejects.toThrow(
      'outside checkingRedirectsAgainst',
    );
  });
});
