import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxiosError } from 'axios';
import { BtrustError } from './btrust.errors';
import { errorForAnswer, errorForTransportFailure } from './btrust-failure-mapping';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8')) as unknown;
}

describe(errorForAnswer.name, () => {
  const operation = 'getWebIdentificationStatus';

  it.each([
    [400, 'bad-request.400.json', 'BAD_REQUEST', 'BAD_REQUEST', false],
    [401, 'unauthorized.401.json', 'UNAUTHORIZED', 'UNAUTHORIZED', false],
    [403, 'unauthorized.401.json', 'UNAUTHORIZED', 'UNAUTHORIZED', false],
    [404, 'not-found.404.json', 'NOT_FOUND', 'NOT_FOUND', false],
    [500, 'error.500.json', 'UPSTREAM_ERROR', 'ERROR', true],
    [400, 'rejected.json', 'REJECTED', 'REJECTED', false],
    [404, 'rejected.json', 'REJECTED', 'REJECTED', false],
    [500, 'rejected.json', 'REJECTED', 'REJECTED', false],
    [503, 'rejected.json', 'UNAVAILABLE', 'REJECTED', true],
  ])('maps HTTP %i with %s to %s', (httpStatus, file, code, providerCode, retryable) => {
    const error = errorForAnswer({ operation, httpStatus, body: fixture(file) });
    expect(error).toBeInstanceOf(BtrustError);
    expect(error).toMatchObject({ code, providerCode, retryable, httpStatus, operation });
  });

  it('keeps the provider message for the caller', () => {
    const error = errorForAnswer({ operation, httpStatus: 401, body: fixture('unauthorized.401.json') });
    expect(error?.providerMessage).toBe('The request is unauthorized.');
  });

  it.each([
    [502, 'UPSTREAM_ERROR'],
    [504, 'UPSTREAM_ERROR'],
    [302, 'UPSTREAM_ERROR'],
    [409, 'UPSTREAM_ERROR'],
    [503, 'UNAVAILABLE'],
  ])('maps HTTP %i without a body to %s', (httpStatus, code) => {
    expect(errorForAnswer({ operation, httpStatus, body: undefined })?.code).toBe(code);
  });

  it('keys on the status before an unknown body code', () => {
    const error = errorForAnswer({ operation, httpStatus: 404, body: { code: 'SOMETHING_NEW', message: 'x' } });
    expect(error).toMatchObject({ code: 'NOT_FOUND', providerCode: 'SOMETHING_NEW' });
  });

  it('treats a 2xx answer carrying REJECTED as a rejection', () => {
    expect(errorForAnswer({ operation, httpStatus: 200, body: fixture('rejected.json') })?.code).toBe('REJECTED');
  });

  it.each([200, 206])('returns null for an ordinary %i answer', (httpStatus) => {
    expect(errorForAnswer({ operation, httpStatus, body: fixture('web-status.200.json') })).toBeNull();
  });
});

describe(errorForTransportFailure.name, () => {
  const operation = 'getRegistrationStatus';

  function axiosFailure(code: string, message: string, reusedSocket = false): AxiosError {
    return new AxiosError(message, code, undefined, { reusedSocket });
  }

  it.each([
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required', 'TLS'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca', 'TLS'],
    ['EPROTO', 'write EPROTO sslv3 alert handshake failure', 'TLS'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'TLS'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'TLS'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'TLS'],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'TLS'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", 'TLS'],
    ['ERR_OSSL_PEM_NO_START_LINE', 'no start line', 'TLS'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'UNAVAILABLE'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND example.invalid', 'UNAVAILABLE'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN example.invalid', 'UNAVAILABLE'],
    ['ECONNRESET', 'read ECONNRESET', 'UNAVAILABLE'],
    ['ECONNABORTED', 'timeout of 100ms exceeded', 'TIMEOUT'],
    ['ETIMEDOUT', 'connect ETIMEDOUT', 'TIMEOUT'],
    ['HPE_INVALID_CONSTANT', 'Parse Error', 'UPSTREAM_ERROR'],
  ])('maps %s to %s', (code, message, expected) => {
    const error = errorForTransportFailure(operation, axiosFailure(code, message));
    expect(error).toMatchObject({ code: expected, operation });
    expect(error.httpStatus).toBeUndefined();
  });

  it('reads a hang-up on a fresh connection as a refused client certificate', () => {
    expect(errorForTransportFailure(operation, axiosFailure('ECONNRESET', 'socket hang up', false)).code).toBe('TLS');
  });

  it('reads a hang-up on a reused keep-alive connection as the provider being unavailable', () => {
    const error = errorForTransportFailure(operation, axiosFailure('ECONNRESET', 'socket hang up', true));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
  });

  it('finds the code on the cause when the outer error has none', () => {
    const failure = new Error('wrapped', { cause: Object.assign(new Error('inner'), { code: 'ECONNREFUSED' }) });
    expect(errorForTransportFailure(operation, failure).code).toBe('UNAVAILABLE');
  });

  it('passes a BtrustError through unchanged', () => {
    const original = new BtrustError({ code: 'REJECTED', operation, message: 'x' });
    expect(errorForTransportFailure(operation, original)).toBe(original);
  });
});
