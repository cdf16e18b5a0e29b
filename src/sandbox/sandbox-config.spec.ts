import { join } from 'node:path';
import { SandboxConfigError, sandboxCertsDirFromEnv, sandboxDataDirFromEnv, sandboxOptionsFromEnv } from './sandbox-config';

describe(sandboxOptionsFromEnv.name, () => {
  it('uses the documented defaults when nothing is set', () => {
    expect(sandboxOptionsFromEnv({})).toEqual({
      host: '127.0.0.1',
      apiPort: 3443,
      pagesPort: 3444,
      relyingPartyId: '24102167',
      callbackDelayMs: 200,
      mobileIdentificationValidityMs: 300000,
      webSessionValidityMs: 3600000,
      readings: {},
    });
    expect(sandboxCertsDirFromEnv({})).toBe('.data/certs');
    expect(sandboxDataDirFromEnv({})).toBe(join('.data', 'sandbox'));
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
        SANDBOX_WEB_SESSION_VALIDITY_MS: '2500',
        SANDBOX_READINGS: ' rejectedStatus=500, dates=no-offset ',
      }),
    ).toEqual({
      host: '0.0.0.0',
      apiPort: 0,
      pagesPort: 8081,
      relyingPartyId: '123456789',
      callbackDelayMs: 200,
      mobileIdentificationValidityMs: 1500,
      webSessionValidityMs: 2500,
      readings: { rejectedStatus: 500, dates: 'no-offset' },
    });
    expect(sandboxCertsDirFromEnv({ SANDBOX_CERTS_DIR: '/srv/certs' })).toBe('/srv/certs');
  });

  it('keeps the records in SANDBOX_DATA_DIR, else under DATA_DIR, or in memory only when told', () => {
    expect(sandboxDataDirFromEnv({ SANDBOX_DATA_DIR: '/srv/sandbox', DATA_DIR: '/srv/data' })).toBe('/srv/sandbox');
    expect(sandboxDataDirFromEnv({ DATA_DIR: '/srv/data' })).toBe(join('/srv/data', 'sandbox'));
    expect(sandboxDataDirFromEnv({ DATA_DIR: '/ignored' }, '/resolved/data')).toBe(join('/resolved/data', 'sandbox'));
    expect(sandboxDataDirFromEnv({ SANDBOX_DATA_DIR: 'memory' })).toBeUndefined();
  });

  it.each([
    ['rejectedStatus=999', 'rejectedStatus must be one of 400, 401, 403, 404, 500'],
    ['colour=blue', 'unknown reading "colour"'],
    ['review', '"review" is not name=value'],
    ['dates=compact,dates=offset', 'dates is given twice'],
  ])('refuses SANDBOX_READINGS=%p and says why', (value, why) => {
    expect(() => sandboxOptionsFromEnv({ SANDBOX_READINGS: value })).toThrow(SandboxConfigError);
    expect(() => sandboxOptionsFromEnv({ SANDBOX_READINGS: value })).toThrow(`SANDBOX_READINGS is not a list of readings: `);
    expect(() => sandboxOptionsFromEnv({ SANDBOX_READINGS: value })).toThrow(why);
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
