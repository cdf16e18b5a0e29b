import { SandboxConfigError, sandboxCertsDirFromEnv, sandboxOptionsFromEnv } from './sandbox-config';

describe(sandboxOptionsFromEnv.name, () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(sandboxOptionsFromEnv({})).toEqual({
      host: '127.0.0.1',
      apiPort: 3443,
      pagesPort: 3444,
      relyingPartyId: '24102167',
      callbackDelayMs: 200,
      mobileIdentificationValidityMs: 300000,
    });
    expect(sandboxCertsDirFromEnv({})).toBe('.data/certs');
  });

  it('reads every variable and treats blank as unset', () => {
    expect(
      sandboxOptionsFromEnv({
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_API_PORT: '0',
        SANDBOX_PAGES_PORT: '8081',
        SANDBOX_RELYING_PARTY_ID: '123456789',
        SANDBOX_CALLBACK_DELAY_MS: ' ',
        SANDBOX_MOBILE_VALIDITY_MS: '1500',
      }),
    ).toEqual({
      host: '0.0.0.0',
      apiPort: 0,
      pagesPort: 8081,
      relyingPartyId: '123456789',
      callbackDelayMs: 200,
      mobileIdentificationValidityMs: 1500,
    });
    expect(sandboxCertsDirFromEnv({ SANDBOX_CERTS_DIR: '/srv/certs' })).toBe('/srv/certs');
  });

  it.each([
    ['SANDBOX_API_PORT', 'abc'],
    ['SANDBOX_PAGES_PORT', '70000'],
    ['SANDBOX_MOBILE_VALIDITY_MS', '10'],
    ['SANDBOX_RELYING_PARTY_ID', 'rp-1'],
    ['SANDBOX_CALLBACK_DELAY_MS', '-5'],
    ['SANDBOX_HOST', 'bad host'],
  ])('throws an error naming %s when it is %p', (name, value) => {
    expect(() => sandboxOptionsFromEnv({ [name]: value })).toThrow(SandboxConfigError);
    expect(() => sandboxOptionsFromEnv({ [name]: value })).toThrow(name);
  });
});
