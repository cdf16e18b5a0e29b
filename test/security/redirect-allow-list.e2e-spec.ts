import request from 'supertest';
import { DataSource } from 'typeorm';
import { SandboxControl } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

type Field = 'successUrl' | 'cancelUrl';
const FIELDS: Field[] = ['successUrl', 'cancelUrl'];

/**
 * Drives the open-redirect corpus through the real API: every URL must be
 * refused with 400 VALIDATION_FAILED / REDIRECT_NOT_ALLOWED (noControlCharacters
 * for one with a tab or newline) on the field that carries it, before
 * anything is stored or B-Trust is called.
 */
function describeCorpus(title: string, env: Record<string, string>, corpus: (allowed: URL) => Array<[string, string]>, accepted: (allowed: URL) => string[]) {
  describe(title, () => {
    let server: TestServer;
    let sandbox: SandboxControl;
    let allowed: URL;

    beforeAll(async () => {
      server = await startTestServer(env);
      sandbox = new SandboxControl(server.sandboxPagesUrl!);
      const origins = server.config.identification.allowedRedirectOrigins;
      expect(origins).toHaveLength(1);
      allowed = new URL(origins[0]);
    });
    afterAll(() => server?.stop());
    beforeEach(() => sandbox.reset());

    const rows = async () => Number((await server.app.get(DataSource).query('SELECT count(*) FROM web_identifications'))[0].count);
    const body = (field: Field, url: string) => ({
      reason: 'Opening an account',
      successUrl: `${allowed.origin}/identified`,
      cancelUrl: `${allowed.origin}/cancelled`,
      [field]: url,
    });

    it('refuses every URL of the corpus in successUrl and in cancelUrl, with no row and no B-Trust call', async () => {
      const cases = corpus(allowed);
      expect(cases.length).toBeGreaterThan(10);
      const before = await rows();
      for (const field of FIELDS) {
        for (const [name, url] of cases) {
          const response = await request(server.url).post('/api/v1/web-identifications').send(body(field, url));
          const outcome = { field, name, url, status: response.status, body: response.body };
          expect(outcome).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
          // A URL with a control character (tab, newline) is refused by the rule every text field has, before the allow-list is asked.
          const code = /\p{Cc}/u.test(url) ? 'noControlCharacters' : 'REDIRECT_NOT_ALLOWED';
          expect(response.body.errors).toEqual([expect.objectContaining({ field, codes: [code] })]);
        }
      }
      expect(await rows()).toBe(before);
      expect(await sandbox.totalCalls()).toBe(0);
    });

    it('lists a refused URL with the other invalid fields, all in one answer', async () => {
      const response = await request(server.url)
        .post('/api/v1/web-identifications')
        .send({ ...body('successUrl', 'https://evil.example/identified'), reason: undefined, language: 'de' });
      expect(response.status).toBe(400);
      expect(response.body.errors.map(({ field, codes }: { field: string; codes: string[] }) => ({ field, codes }))).toEqual([
        { field: 'reason', codes: ['isDefined'] },
        { field: 'language', codes: ['isIn'] },
        { field: 'successUrl', codes: ['REDIRECT_NOT_ALLOWED'] },
      ]);
      expect(await sandbox.totalCalls()).toBe(0);
    });

    it('accepts the allowed origin however its scheme and host are cased', async () => {
      for (const url of accepted(allowed)) {
        for (const field of FIELDS) {
          const response = await request(server.url).post('/api/v1/web-identifications').send(body(field, url));
          expect({ field, url, status: response.status, body: response.body }).toMatchObject({ status: 201 });
        }
      }
      expect((await sandbox.calls()).startWebIdentification).toBe(accepted(allowed).length * FIELDS.length);
    });
  });
}

/** Mixed case letter by letter: `http://127.0.0.1` → `HtTp://127.0.0.1`. */
function mixedCase(value: string): string {
  return [...value].map((character, index) => (index % 2 === 0 ? character.toUpperCase() : character.toLowerCase())).join('');
}

describe('Redirect allow-list (successUrl, cancelUrl) against an open-redirect corpus', () => {
  describeCorpus(
    "the server's own origin (the default: PUBLIC_BASE_URL's origin)",
    {},
    (allowed) => {
      const { host, hostname, port, protocol } = allowed;
      const otherScheme = protocol === 'http:' ? 'https:' : 'http:';
      return [
        ['protocol-relative', '//evil.example'],
        ['protocol-relative with a path', '//evil.example/identified'],
        ['protocol-relative with the allowed host as user', `//${host}@evil.example/`],
        ['relative path', '/identified'],
        ['another origin', 'https://evil.example/identified'],
        ['the allowed origin as user info', `${protocol}//${host}@evil.example/`],
        ['the allowed host as user info, port after', `${protocol}//${hostname}@evil.example:${port}/`],
        ['empty user info', `${protocol}//@${host}/identified`],
        ['user and password', `${protocol}//user:pass@${host}/identified`],
        ['the allowed host as a subdomain', `${protocol}//${hostname}.evil.example:${port}/`],
        ['the allowed origin in the path', `https://evil.example/${host}`],
        ['the allowed origin in the query', `https://evil.example/?next=${allowed.origin}`],
        ['backslash before the host', `${protocol}\\\\evil.example`],
        ['slash and backslash', '/\\evil.example'],
        ['two backslashes', '\\\\evil.example'],
        ['backslash before @', `${protocol}//${host}\\@evil.example/`],
        ['backslash hiding the real host', `${protocol}//evil.example\\@${host}/`],
        ['encoded backslash', `${protocol}//${host}%5c@evil.example/`],
        ['scheme without slashes', `${protocol}evil.example`],
        ['three slashes', `${protocol}///evil.example`],
        ['tab inside the scheme', `ht\ttp://${host}/identified`],
        ['newline inside the host', `${protocol}//evil.exa\nmple@${host}/`],
        ['javascript:', 'javascript:alert(document.cookie)'],
        ['JavaScript: in mixed case', 'JaVaScRiPt:alert(1)'],
        ['javascript: with slashes and the host', `javascript://${host}/%0aalert(1)`],
        ['javascript: after leading spaces', '  javascript:alert(1)'],
        ['data: HTML', 'data:text/html,<script>alert(1)</script>'],
        ['data: base64', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='],
        ['vbscript:', 'vbscript:msgbox(1)'],
        ['file:', 'file:///etc/passwd'],
        ['the other scheme', `${otherScheme}//${host}/identified`],
        ['another port', `${protocol}//${hostname}:${Number(port) + 1}/identified`],
        ['no port', `${protocol}//${hostname}/identified`],
        ['port 0-padded into another', `${protocol}//${hostname}:${port}0/identified`],
        ['percent-encoded host', `${protocol}//%31%32%37.0.0.1:${port}/identified`],
        ['an IPv6 literal', `${protocol}//[::1]:${port}/identified`],
      ];
    },
    (allowed) => [`${mixedCase(allowed.protocol)}//${allowed.host}/Identified`],
  );

  describeCorpus(
    'a configured host name (ALLOWED_REDIRECT_ORIGINS=https://bank.example)',
    { ALLOWED_REDIRECT_ORIGINS: 'https://bank.example' },
    () => [
      ['protocol-relative', '//evil.example'],
      ['the allowed origin as user info', 'https://bank.example@evil.example/'],
      ['the allowed origin as user info, mixed case', 'HTTPS://BANK.EXAMPLE@evil.example/'],
      ['the allowed host as a subdomain', 'https://bank.example.evil.example/'],
      ['a look-alike suffix', 'https://bank.example-evil.example/'],
      ['a trailing dot', 'https://bank.example./identified'],
      ['IDN look-alike: Cyrillic а', 'https://b\u0430nk.example/identified'],
      ['IDN look-alike: Cyrillic а, punycode', 'https://xn--bnk-6cd.example/identified'],
      ['IDN look-alike: Greek κ', 'https://ban\u03ba.example/identified'],
      ['IDN look-alike: dotless ı', 'https://bank.examp\u0131e/identified'],
      ['ideographic full stop', 'https://bank.example\u3002evil.example/'],
      ['fullwidth full stop', 'https://bank.example\uff0eevil.example/'],
      ['percent-encoded dot', 'https://bank.example%2eevil.example/'],
      ['soft hyphen inside the host', 'https://bank.exam\u00adple/identified'],
      ['zero-width space inside the host', 'https://bank\u200b.example/identified'],
      ['right-to-left override', 'https://\u202eelpmaxe.knab/identified'],
      ['backslash before @', 'https://bank.example\\@evil.example/'],
      ['javascript:', 'javascript:alert(1)'],
      ['data:', 'data:text/html,<script>alert(1)</script>'],
      ['plain http', 'http://bank.example/identified'],
      ['another port', 'https://bank.example:8443/identified'],
      ['port 80 on https', 'https://bank.example:80/identified'],
    ],
    () => ['HTTPS://BANK.EXAMPLE/identified', 'https://Bank.Example:443/identified', 'hTtPs://bAnK.eXaMpLe/Identified?step=2#top'],
  );
});
