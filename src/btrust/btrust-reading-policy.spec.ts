import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AxiosError } from 'axios';
import { BtrustError } from './btrust.errors';
import { errorForAnswer, errorForTransportFailure } from './btrust-failure-mapping';
import { type AnswerClass, classifyFailure, readingFamilyOf, READING_FAMILY } from './btrust-reading-policy';
import { toMobileIdentificationAccepted, toMobileIdentificationResult } from './wire/mobile-identification.wire';
import type { BtrustOperation, ProviderAnswer } from './wire/provider-answer';
import { toRegistration, toRegistrationStatus } from './wire/registration.wire';
import { toSignSessionStarted, toSignedDocuments } from './wire/sign-session.wire';
import { toWebIdentificationResult, toWebIdentificationStarted, toWebIdentificationStatus } from './wire/web-identification.wire';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8')) as unknown;
}

const POSTS = ['identification', 'startWebIdentification', 'createRegistration', 'startSignSession'] as const;
const RESULTS = ['getWebIdentificationResult', 'getSignedDocuments'] as const;
const STATUSES = ['getRegistrationStatus', 'getWebIdentificationStatus'] as const;
const MOBILE_POLL = 'getIdentificationResult';
const ALL_OPERATIONS: BtrustOperation[] = [...POSTS, MOBILE_POLL, ...RESULTS, ...STATUSES];

/** Every error body the document shows, and none at all. */
const BODIES: Array<[string, unknown]> = [
  ['REJECTED', fixture('rejected.json')],
  ['BAD_REQUEST', fixture('bad-request.400.json')],
  ['UNAUTHORIZED', fixture('unauthorized.401.json')],
  ['NOT_FOUND', fixture('not-found.404.json')],
  ['ERROR', fixture('error.500.json')],
  ['an unknown code', { code: 'SOMETHING_NEW', message: 'x' }],
  ['no body', undefined],
  ['a JSON array', []],
];

const ERROR_STATUSES = [301, 400, 401, 403, 404, 405, 408, 409, 410, 422, 429, 500, 501, 502, 503, 504];

/**
 * The table as the design states it, written out by hand (not computed from the module under
 * test): the class of each status for each kind of operation, the body's code aside.
 */
function expectedClass(operation: BtrustOperation, httpStatus: number, bodyCode: string): AnswerClass {
  const isPost = (POSTS as readonly string[]).includes(operation);
  if (httpStatus === 401 || httpStatus === 403) return 'CONFIGURATION_FAULT';
  if (httpStatus === 408 || httpStatus === 429) return 'TRANSIENT';
  if (httpStatus >= 400 && httpStatus < 500) {
    if (isPost) return 'DEFINITIVE';
    if (operation === MOBILE_POLL && httpStatus === 400 && bodyCode === 'REJECTED') return 'DEFINITIVE';
    return 'NOT_YET';
  }
  return isPost ? 'UNKNOWN_OUTCOME' : 'TRANSIENT';
}

describe('B-Trust reading policy', () => {
  it('gives every documented operation a reading', () => {
    expect(Object.keys(READING_FAMILY).sort()).toEqual([...ALL_OPERATIONS].sort());
    expect(readingFamilyOf('checkReachable')).toBe('STATUS');
  });

  describe('answers with an HTTP status, for every operation × status × body', () => {
    const cases = ALL_OPERATIONS.flatMap((operation) =>
      ERROR_STATUSES.flatMap((httpStatus) => BODIES.map(([label, body]) => [operation, httpStatus, label, body] as const)),
    );

    it.each(cases)('%s: HTTP %i with %s', (operation, httpStatus, label, body) => {
      const error = errorForAnswer({ operation, httpStatus, body });
      expect(error).toBeInstanceOf(BtrustError);
      expect(error?.answerClass).toBe(expectedClass(operation, httpStatus, label));
    });
  });

  describe('1.2 getIdentificationResult', () => {
    const poll = (httpStatus: number, body: unknown) => errorForAnswer({ operation: MOBILE_POLL, httpStatus, body })?.answerClass;

    it('ends a flow only on 400 REJECTED', () => {
      expect(poll(400, fixture('rejected.json'))).toBe('DEFINITIVE');
      expect(poll(400, { data: null, code: ' REJECTED ', message: 'x' })).toBe('DEFINITIVE');
    });

    it('reads the same REJECTED body on other statuses as what the status says', () => {
      expect(poll(401, fixture('rejected.json'))).toBe('CONFIGURATION_FAULT');
      expect(poll(403, fixture('rejected.json'))).toBe('CONFIGURATION_FAULT');
      expect(poll(404, fixture('rejected.json'))).toBe('NOT_YET');
      expect(poll(500, fixture('rejected.json'))).toBe('TRANSIENT');
      expect(poll(503, fixture('rejected.json'))).toBe('TRANSIENT');
    });

    it('does not read a 2xx carrying REJECTED as a refusal', () => {
      expect(poll(200, fixture('rejected.json'))).toBe('TRANSIENT');
    });

    it('reads 206, and a 200 whose status is not FINISHED, as pending', () => {
      expect(toMobileIdentificationResult({ operation: MOBILE_POLL, httpStatus: 206, body: fixture('identification-result.206.json') })).toEqual({
        state: 'PENDING',
        providerStatus: 'IN_PROGRESS',
        progress: 'IDENTIFYING',
      });
      expect(toMobileIdentificationResult({ operation: MOBILE_POLL, httpStatus: 206, body: { status: 'FINISHED' } })).toMatchObject({ state: 'PENDING' });
      expect(toMobileIdentificationResult({ operation: MOBILE_POLL, httpStatus: 200, body: { status: 'ON_BOARDING' } })).toMatchObject({ state: 'PENDING' });
    });

    it.each([
      ['without content', { status: 'FINISHED', code: 'OK', data: { identificator: 'eid-1' } }, 'eid-1'],
      ['without data', { status: 'FINISHED', code: 'OK', data: null }, null],
      ['without a status or data', { code: 'OK' }, null],
    ])('reads a 200 FINISHED %s as finished with the certificate missing', (_label, body, identificator) => {
      expect(toMobileIdentificationResult({ operation: MOBILE_POLL, httpStatus: 200, body })).toEqual({
        state: 'DONE',
        providerStatus: 'FINISHED',
        certificatePdf: null,
        identificationBefore: null,
        identificationReason: null,
        identificator,
      });
    });
  });

  describe('2xx answers that cannot be used', () => {
    const unusable: Array<[BtrustOperation, (answer: ProviderAnswer) => unknown, unknown]> = [
      ['identification', toMobileIdentificationAccepted, { data: { validity: '2021-09-14T11:25:32.132+00:00' } }],
      ['startWebIdentification', toWebIdentificationStarted, { data: { resultId: 95 } }],
      ['createRegistration', toRegistration, { sessionId: 's' }],
      ['startSignSession', toSignSessionStarted, { data: { clientDocumentUrl: 'not a url' } }],
      ['getIdentificationResult', toMobileIdentificationResult, { status: 'FINISHED', data: { content: 'JVBERi0xLjUN...' } }],
      ['getWebIdentificationResult', toWebIdentificationResult, { data: { signSessionId: 's' } }],
      ['getSignedDocuments', toSignedDocuments, { data: { signDocuments: [] } }],
      ['getRegistrationStatus', toRegistrationStatus, { registrationId: 'r' }],
      ['getWebIdentificationStatus', toWebIdentificationStatus, { data: {} }],
    ];

    it.each(unusable)('%s: a body without what the flow needs', (operation, read, body) => {
      const error = caught(() => read({ operation, httpStatus: 200, body }));
      expect(error.code).toBe('UNPROCESSABLE_RESPONSE');
      expect(error.answerClass).toBe((POSTS as readonly string[]).includes(operation) ? 'UNKNOWN_OUTCOME' : 'TRANSIENT');
    });

    it.each(unusable)('%s: a body that is not JSON', (operation, read) => {
      const error = caught(() => read({ operation, httpStatus: 200, body: undefined }));
      expect(error.answerClass).toBe((POSTS as readonly string[]).includes(operation) ? 'UNKNOWN_OUTCOME' : 'TRANSIENT');
    });
  });

  describe('transport failures', () => {
    const axiosFailure = (code: string, message: string, extra: { syscall?: string; reusedSocket?: boolean } = {}) =>
      Object.assign(new AxiosError(message, code, undefined, { reusedSocket: extra.reusedSocket ?? false }), extra.syscall ? { syscall: extra.syscall } : {});

    const notSent: Array<[string, unknown, { connected: boolean } | undefined]> = [
      ['a refused connection', axiosFailure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', { syscall: 'connect' }), undefined],
      ['an unknown host', axiosFailure('ENOTFOUND', 'getaddrinfo ENOTFOUND example.invalid'), undefined],
      ['a DNS failure', axiosFailure('EAI_AGAIN', 'getaddrinfo EAI_AGAIN example.invalid'), undefined],
      ['an unreachable network', axiosFailure('ENETUNREACH', 'connect ENETUNREACH'), undefined],
      ['a connect timeout', axiosFailure('ETIMEDOUT', 'connect ETIMEDOUT', { syscall: 'connect' }), undefined],
      ['a TLS alert refusing our certificate', axiosFailure('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'alert'), { connected: true }],
      ["the provider's certificate failing verification", axiosFailure('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed'), undefined],
      ['a reset before the TLS handshake completed', axiosFailure('ECONNRESET', 'socket hang up'), { connected: false }],
    ];

    const mayHaveArrived: Array<[string, unknown, { connected: boolean } | undefined]> = [
      ['a reset after the channel was up', axiosFailure('ECONNRESET', 'read ECONNRESET'), { connected: true }],
      ['a hang-up on a fresh, established connection', axiosFailure('ECONNRESET', 'socket hang up'), { connected: true }],
      ['a hang-up on a reused connection', axiosFailure('ECONNRESET', 'socket hang up', { reusedSocket: true }), { connected: true }],
      ['a broken pipe while writing', axiosFailure('EPIPE', 'write EPIPE'), { connected: true }],
      ['an answer cut short', axiosFailure('ERR_STREAM_PREMATURE_CLOSE', 'Premature close'), { connected: true }],
      ['an unparsable answer', axiosFailure('HPE_INVALID_CONSTANT', 'Parse Error'), { connected: true }],
      ['a read timeout', axiosFailure('ETIMEDOUT', 'read ETIMEDOUT', { syscall: 'read' }), undefined],
    ];

    describe.each(POSTS)('%s (a POST)', (operation) => {
      it.each(notSent)('reads %s as TRANSIENT: nothing was sent', (_label, failure, progress) => {
        const error = errorForTransportFailure(operation, failure, progress);
        expect(error).toMatchObject({ notSent: true, answerClass: 'TRANSIENT' });
      });

      it.each(mayHaveArrived)('reads %s as UNKNOWN_OUTCOME', (_label, failure, progress) => {
        const error = errorForTransportFailure(operation, failure, progress);
        expect(error).toMatchObject({ notSent: false, answerClass: 'UNKNOWN_OUTCOME' });
      });

      it('reads a timeout after the request went out as UNKNOWN_OUTCOME, and one before as TRANSIENT', () => {
        expect(new BtrustError({ code: 'TIMEOUT', operation, message: 'x' }).answerClass).toBe('UNKNOWN_OUTCOME');
        expect(new BtrustError({ code: 'TIMEOUT', operation, message: 'x', notSent: true }).answerClass).toBe('TRANSIENT');
      });

      it('reads an open circuit and a request refused locally as TRANSIENT', () => {
        expect(new BtrustError({ code: 'CIRCUIT_OPEN', operation, message: 'x', notSent: true }).answerClass).toBe('TRANSIENT');
        expect(new BtrustError({ code: 'BAD_REQUEST', operation, message: 'not sent', notSent: true }).answerClass).toBe('TRANSIENT');
      });
    });

    describe.each<BtrustOperation>([MOBILE_POLL, ...RESULTS, ...STATUSES])('%s (a GET)', (operation) => {
      it.each([...notSent, ...mayHaveArrived])('reads %s as TRANSIENT', (_label, failure, progress) => {
        expect(errorForTransportFailure(operation, failure, progress).answerClass).toBe('TRANSIENT');
      });
    });
  });

  it('classifies a call by the policy alone, too', () => {
    expect(classifyFailure({ operation: 'startSignSession', httpStatus: 503 })).toBe('UNKNOWN_OUTCOME');
    expect(classifyFailure({ operation: 'startSignSession' })).toBe('UNKNOWN_OUTCOME');
    expect(classifyFailure({ operation: 'startSignSession', notSent: true })).toBe('TRANSIENT');
    expect(classifyFailure({ operation: 'getSignedDocuments', httpStatus: 400, providerCode: 'REJECTED' })).toBe('NOT_YET');
  });
});

function caught(run: () => unknown): BtrustError {
  try {
    run();
  } catch (error) {
    if (error instanceof BtrustError) return error;
    throw error;
  }
  throw new Error('expected a BtrustError');
}
