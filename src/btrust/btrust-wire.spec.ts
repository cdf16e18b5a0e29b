import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BtrustCallbackFormatError, BtrustError } from './btrust.errors';
import {
  parseBtrustCallback,
  toIdentificationRequestWire,
  toMobileIdentificationAccepted,
  toMobileIdentificationResult,
  toRegistration,
  toRegistrationRequestWire,
  toRegistrationStatus,
  toSignSessionStartRequestBody,
  toSignSessionStarted,
  toSignedDocuments,
  toWebIdentificationResult,
  toWebIdentificationStarted,
  toWebIdentificationStatus,
  toWebSessionStartRequestWire,
  type BtrustOperation,
  type ProviderAnswer,
} from './btrust-wire';
import type { MobileIdentificationRequest, SignSessionRequest } from './btrust.types';

type Json = Record<string, any>;

function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(__dirname, '__fixtures__', name), 'utf8')) as Json;
}

function answer(operation: BtrustOperation, body: unknown, httpStatus = 200): ProviderAnswer {
  return { operation, httpStatus, body };
}

const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog>>\nendobj\n', 'latin1');
const PDF_BASE64 = PDF.toString('base64');

/** The fixture with the value at `path` replaced (the fixtures' base64 is the document's truncated example). */
function withValue(body: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(body);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) {
    node = node[key] as Json;
  }
  node[path[path.length - 1]] = value;
  return copy;
}

function expectUnprocessable(run: () => unknown, fieldMention: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(BtrustError);
  expect((thrown as BtrustError).code).toBe('UNPROCESSABLE_RESPONSE');
  expect((thrown as BtrustError).retryable).toBe(false);
  expect((thrown as BtrustError).message).toContain(fieldMention);
}

describe('B-Trust wire answers', () => {
  describe(toMobileIdentificationAccepted.name, () => {
    it('reads identification.200.json', () => {
      expect(toMobileIdentificationAccepted(answer('identification', fixture('identification.200.json')))).toEqual({
        callbackId: 'a2c25bcd-00f0-4128-8890-fbcb26fc2f81',
        validUntil: new Date('2021-09-14T11:25:32.132Z'),
      });
    });

    it('keeps the answer when the validity date is unreadable', () => {
      const body = withValue(fixture('identification.200.json'), ['data', 'validity'], '14.09.2021');
      expect(toMobileIdentificationAccepted(answer('identification', body)).validUntil).toBeNull();
    });

    it('refuses an answer without a callbackId', () => {
      const body = withValue(fixture('identification.200.json'), ['data', 'callbackId'], undefined);
      expectUnprocessable(() => toMobileIdentificationAccepted(answer('identification', body)), 'callbackId');
    });
  });

  describe(toMobileIdentificationResult.name, () => {
    it('reads identification-result.206.json (no data wrapper) as pending', () => {
      const result = toMobileIdentificationResult(
        answer('getIdentificationResult', fixture('identification-result.206.json'), 206),
      );
      expect(result).toEqual({ state: 'PENDING', providerStatus: 'IN_PROGRESS', progress: 'IDENTIFYING' });
    });

    it('keeps an unknown progress value as it came, naming no progress', () => {
      const body = { status: 'WAITING_FOR_AGENT', code: 'OK' };
      expect(toMobileIdentificationResult(answer('getIdentificationResult', body, 206))).toEqual({
        state: 'PENDING',
        providerStatus: 'WAITING_FOR_AGENT',
        progress: null,
      });
    });

    it('reads a 200 that is still ON_BOARDING as pending', () => {
      const body = { status: 'ON_BOARDING', responseCode: 'OK', code: 'OK' };
      expect(toMobileIdentificationResult(answer('getIdentificationResult', body))).toEqual({
        state: 'PENDING',
        providerStatus: 'ON_BOARDING',
        progress: 'ENROLLING',
      });
    });

    it('refuses identification-result.200.json as-is, because its content is truncated base64', () => {
      const body = fixture('identification-result.200.json');
      expectUnprocessable(() => toMobileIdentificationResult(answer('getIdentificationResult', body)), 'data.content');
    });

    it('reads identification-result.200.json with real base64 content', () => {
      const body = withValue(fixture('identification-result.200.json'), ['data', 'content'], PDF_BASE64);
      expect(toMobileIdentificationResult(answer('getIdentificationResult', body))).toEqual({
        state: 'DONE',
        providerStatus: 'FINISHED',
        certificatePdf: PDF,
        identificationBefore: 'BORICA',
        identificationReason: 'TEST IDENTIFICATION REASON',
        identificator: 'string',
      });
    });

    it('reads a FINISHED result without content as finished with the certificate missing, never as complete', () => {
      const body = withValue(fixture('identification-result.200.json'), ['data', 'content'], undefined);
      expect(toMobileIdentificationResult(answer('getIdentificationResult', body))).toEqual({
        state: 'DONE',
        providerStatus: 'FINISHED',
        certificatePdf: null,
        identificationBefore: 'BORICA',
        identificationReason: 'TEST IDENTIFICATION REASON',
        identificator: 'string',
      });
    });

    it('reads a FINISHED result without data as finished with the certificate missing', () => {
      const body = { status: 'FINISHED', code: 'OK', data: null };
      expect(toMobileIdentificationResult(answer('getIdentificationResult', body))).toMatchObject({ state: 'DONE', certificatePdf: null, identificator: null });
    });

    it('refuses content that decodes to something other than a PDF', () => {
      const html = Buffer.from('<html>error</html>').toString('base64');
      const body = withValue(fixture('identification-result.200.json'), ['data', 'content'], html);
      expectUnprocessable(() => toMobileIdentificationResult(answer('getIdentificationResult', body)), 'not a PDF');
    });

    it('refuses a finished result without an identificator', () => {
      let body = withValue(fixture('identification-result.200.json'), ['data', 'content'], PDF_BASE64);
      body = withValue(body, ['data', 'identificator'], undefined);
      expectUnprocessable(() => toMobileIdentificationResult(answer('getIdentificationResult', body)), 'identificator');
    });
  });

  describe(toWebIdentificationStarted.name, () => {
    it('reads websession-start.200.json, turning the numeric resultId into a string', () => {
      expect(toWebIdentificationStarted(answer('startWebIdentification', fixture('websession-start.200.json')))).toEqual({
        webSessionId: '245ccb3e-5105-4930-8855-b6b46b0edc3d',
        resultId: '95',
        expiresAt: new Date('2021-09-09T13:29:41.000Z'),
      });
    });

    it('refuses an answer without a webSessionId', () => {
      const body = withValue(fixture('websession-start.200.json'), ['data', 'webSessionId'], null);
      expectUnprocessable(() => toWebIdentificationStarted(answer('startWebIdentification', body)), 'webSessionId');
    });
  });

  describe(toRegistration.name, () => {
    it('reads create-registration.200.json, which has no envelope', () => {
      expect(toRegistration(answer('createRegistration', fixture('create-registration.200.json')))).toEqual({
        sessionId: '56f6bccb-1635-444e-b983-79bc35d22743',
        registrationId: 'e9ed4675-e73e-494d-9893-602afcebe672',
        status: 'STARTED',
        createdOn: new Date('2021-09-09T12:49:54.407Z'),
        expiresOn: new Date('2021-09-09T13:49:54.406Z'),
        otcRequestId: '245ccb3e-5105-4930-8855-b6b46b0edc3d',
        serviceName: 'OTC_RELYING_PARTY_24102167',
        userLanguage: 'bg',
      });
    });

    it('reads the same answer inside an envelope', () => {
      const body = { data: fixture('create-registration.200.json'), code: 'OK', responseCode: 'OK' };
      expect(toRegistration(answer('createRegistration', body)).sessionId).toBe('56f6bccb-1635-444e-b983-79bc35d22743');
    });

    it('refuses an answer without a sessionId', () => {
      const body = withValue(fixture('create-registration.200.json'), ['sessionId'], undefined);
      expectUnprocessable(() => toRegistration(answer('createRegistration', body)), 'sessionId');
    });
  });

  describe(toWebIdentificationResult.name, () => {
    const operation = 'getWebIdentificationResult';

    it('refuses web-result.create-sign-session.200.json as-is, because its eID document is truncated base64', () => {
      const body = fixture('web-result.create-sign-session.200.json');
      expectUnprocessable(() => toWebIdentificationResult(answer(operation, body)), 'eIDDocAsBase64');
    });

    it('reads web-result.create-sign-session.200.json with real base64', () => {
      const body = withValue(fixture('web-result.create-sign-session.200.json'), ['data', 'eIDDocAsBase64'], PDF_BASE64);
      expect(toWebIdentificationResult(answer(operation, body))).toEqual({
        eidCertificatePdf: PDF,
        clientIdentificator: 'bf821d16f6e0dd070a6a0035e524285c78ab59d7c8d03622f43088ba1e5ea30c',
        signSessionId: '491d8265-c299-41b7-b8bc-9daafdce077c',
        signSessionExpiresAt: new Date('2021-09-10T20:59:59.000Z'),
      });
    });

    it('reads a metadata-only answer (no eID document) with a null certificate', () => {
      const body = withValue(fixture('web-result.create-sign-session.200.json'), ['data', 'eIDDocAsBase64'], undefined);
      expect(toWebIdentificationResult(answer(operation, body)).eidCertificatePdf).toBeNull();
    });

    it.each(['signSessionId', 'clientIdentificator'])('refuses an answer without %s', (field) => {
      let body = withValue(fixture('web-result.create-sign-session.200.json'), ['data', 'eIDDocAsBase64'], PDF_BASE64);
      body = withValue(body, ['data', field], undefined);
      expectUnprocessable(() => toWebIdentificationResult(answer(operation, body)), field);
    });
  });

  describe(toSignSessionStarted.name, () => {
    it('reads signsession-start.200.json', () => {
      expect(toSignSessionStarted(answer('startSignSession', fixture('signsession-start.200.json')))).toEqual({
        clientDocumentUrl:
          'https://mytest.borica.bg/cqes/api/web-identification/a405b47c88979b6c7e91e96e2a26a89bcdadd3ebc08520247e7fffb5392afd2a',
        expiresAt: new Date('2021-09-10T20:59:59.000Z'),
        resultId: '109',
      });
    });

    it('refuses an answer without a clientDocumentUrl', () => {
      const body = withValue(fixture('signsession-start.200.json'), ['data', 'clientDocumentUrl'], undefined);
      expectUnprocessable(() => toSignSessionStarted(answer('startSignSession', body)), 'clientDocumentUrl');
    });

    it('refuses a clientDocumentUrl that is not an http(s) URL', () => {
      const body = withValue(fixture('signsession-start.200.json'), ['data', 'clientDocumentUrl'], 'javascript:alert(1)');
      expectUnprocessable(() => toSignSessionStarted(answer('startSignSession', body)), 'clientDocumentUrl');
    });
  });

  describe(toSignedDocuments.name, () => {
    it('refuses web-result.sign-session.200.json as-is, because its document is truncated base64', () => {
      const body = fixture('web-result.sign-session.200.json');
      expectUnprocessable(() => toSignedDocuments(answer('getSignedDocuments', body)), 'contentAsBase64');
    });

    it('reads web-result.sign-session.200.json with real base64', () => {
      const body = withValue(fixture('web-result.sign-session.200.json'), ['data', 'signDocuments', '0', 'contentAsBase64'], PDF_BASE64);
      expect(toSignedDocuments(answer('getSignedDocuments', body))).toEqual({
        documents: [{ fileName: 'test.pdf', content: PDF }],
        clientIdentificator: 'bf821d16f6e0dd070a6a0035e524285c78ab59d7c8d03622f43088ba1e5ea30c',
        signSessionId: '491d8265-c299-41b7-b8bc-9daafdce077c',
        signSessionExpiresAt: new Date('2021-09-10T20:59:59.000Z'),
      });
    });

    it('refuses an answer without signed documents', () => {
      const body = withValue(fixture('web-result.sign-session.200.json'), ['data', 'signDocuments'], []);
      expectUnprocessable(() => toSignedDocuments(answer('getSignedDocuments', body)), 'signDocuments');
    });
  });

  describe(toRegistrationStatus.name, () => {
    it('reads registration-status.200.json, keeping its placeholder enum values as strings', () => {
      expect(toRegistrationStatus(answer('getRegistrationStatus', fixture('registration-status.200.json')))).toEqual({
        registrationId: 'string',
        status: 'string',
        reviewStatus: 'string',
        createdOn: new Date('2022-02-16T16:36:43.616Z'),
        processedOn: new Date('2022-02-16T16:36:43.616Z'),
        reviewedOn: new Date('2022-02-16T16:36:43.616Z'),
        userMessage: 'string',
      });
    });

    it('refuses an answer without a status', () => {
      const body = withValue(fixture('registration-status.200.json'), ['status'], undefined);
      expectUnprocessable(() => toRegistrationStatus(answer('getRegistrationStatus', body)), 'status');
    });
  });

  describe(toWebIdentificationStatus.name, () => {
    it('reads web-status.200.json', () => {
      expect(toWebIdentificationStatus(answer('getWebIdentificationStatus', fixture('web-status.200.json')))).toEqual({
        status: 'START_WEB_SESSION',
        step: 'WEB_IDV_REGISTRATION',
      });
    });

    it('refuses a body that is not JSON', () => {
      expectUnprocessable(() => toWebIdentificationStatus(answer('getWebIdentificationStatus', undefined)), 'not a JSON object');
    });
  });
});

describe('B-Trust wire requests', () => {
  const mobileRequest: MobileIdentificationRequest = {
    docType: 'EGN',
    identifier: '7805166742',
    dateOfBirth: '1978-05-16',
    phoneNumber: '+359888133443',
    email: 'dnikolov@borica.bg',
    payer: 'RELYING_PARTY',
    reason: 'TEST IDENTIFICATION REASON',
  };

  describe(toIdentificationRequestWire.name, () => {
    it('produces identification.request.json', () => {
      expect(toIdentificationRequestWire(mobileRequest)).toEqual(fixture('identification.request.json'));
    });

    it('keeps an EGN with a leading 0 as a string', () => {
      const wire = toIdentificationRequestWire({ ...mobileRequest, identifier: '0441010010', dateOfBirth: '2004-01-01' });
      expect(JSON.stringify(wire)).toContain('"identificatorValue":"0441010010"');
      expect(wire.personIdentityData.dateOfBirth).toBe('01-01-2004');
    });

    it('leaves out absent optional fields and defaults the payer', () => {
      const wire = toIdentificationRequestWire({ docType: 'PHONE', identifier: '+359888133443', reason: 'why' });
      expect(wire).toEqual({
        personIdentityData: { docType: 'PHONE', identificatorValue: '+359888133443' },
        payer: 'RELYING_PARTY',
        identificationReason: 'why',
      });
    });

    it('refuses, without echoing it, a date of birth that is not YYYY-MM-DD', () => {
      const run = () => toIdentificationRequestWire({ ...mobileRequest, dateOfBirth: '16.05.1978' });
      expect(run).toThrow(BtrustError);
      expect(run).toThrow(/dateOfBirth/);
      expect(run).not.toThrow(/16\.05\.1978/);
    });
  });

  describe(toWebSessionStartRequestWire.name, () => {
    it('produces websession-start.request.json', () => {
      expect(
        toWebSessionStartRequestWire({
          callbackUrl: 'https://webhook.site/441bf812-f4dc-481b-93d6-2684b63eaacb',
          reason: 'TEST IDENTIFICATION',
        }),
      ).toEqual(fixture('websession-start.request.json'));
    });
  });

  describe(toRegistrationRequestWire.name, () => {
    it('produces create-registration.request.json', () => {
      expect(
        toRegistrationRequestWire({
          cancelUrl: 'https://google.com',
          successUrl: 'https://borica.bg',
          externalRef: '1',
          language: 'bg',
          verifyEmail: true,
          verifyPhone: true,
          showGtcGdp: true,
          showMainInfo: true,
        }),
      ).toEqual(fixture('create-registration.request.json'));
    });

    it('passes showGtcGdp and showMainInfo through unchanged', () => {
      const wire = toRegistrationRequestWire({
        cancelUrl: 'https://rp.example/cancel',
        successUrl: 'https://rp.example/ok',
        externalRef: 'abc',
        language: 'en',
        verifyEmail: false,
        verifyPhone: true,
        showGtcGdp: false,
        showMainInfo: true,
        deviceFingerprint: { userAgent: 'x' },
      });
      expect(wire).toMatchObject({ showGtcGdp: false, showMainInfo: true, verifyEmailAddress: false, userLanguage: 'en' });
      expect(wire.deviceFingerprint).toEqual({ userAgent: 'x' });
    });
  });

  describe(toSignSessionStartRequestBody.name, () => {
    const bodyText = (body: ReturnType<typeof toSignSessionStartRequestBody>) => Buffer.concat([...body.pieces()]).toString('utf8');
    const wireOf = (input: SignSessionRequest) => JSON.parse(bodyText(toSignSessionStartRequestBody(input))) as Record<string, unknown>;

    const request: SignSessionRequest = {
      identificator: 'bf821d16f6e0dd070a6a0035e524285c78ab59d7c8d03622f43088ba1e5ea30c',
      signSessionId: '43c1cd77-a2bc-42c7-9c6d-96e3dc2ebd71',
      documents: [
        {
          content: PDF,
          fileName: 'test.pdf',
          title: 'TEST DOCUMENT',
          visibleSignature: { page: 1, x: 100, y: 100, width: 100, height: 100 },
          archive: false,
        },
      ],
      emailSignedDocuments: true,
      cancelUrl: 'https://google.com',
      successUrl: 'https://borica.bg',
    };

    it('produces signsession-start.request.json (with our document as base64)', () => {
      const expected = withValue(fixture('signsession-start.request.json'), ['documentsForSign', '0', 'contentAsBase64'], PDF_BASE64);
      expect(wireOf(request)).toEqual(expected);
    });

    it('spells the archive flag as configured: the document\'s toBeArhieved on request', () => {
      const json = bodyText(toSignSessionStartRequestBody(request, { localTimeZone: 'Europe/Sofia', archiveFlagName: 'toBeArhieved' }));
      expect(json).toContain('"toBeArhieved":false');
      expect(json).not.toContain('toBeArchived');
    });

    it('spells the archive flag toBeArchived by default, and the position fields as the provider does', () => {
      const json = bodyText(toSignSessionStartRequestBody(request));
      expect(json).toContain('"toBeArchived":false');
      expect(json).not.toContain('toBeArhieved');
      expect(json).toContain(
        '"signaturePosition":{"imageHeight":100,"imageWidth":100,"imageXAxis":100,"imageYAxis":100,"pageNumber":1}',
      );
    });

    it('sends an invisible signature without a position, and no archive flag unless asked', () => {
      const wire = wireOf({
        ...request,
        documents: [{ content: PDF, fileName: 'a.pdf', title: 'A' }],
      }) as { documentsForSign: unknown[] };
      expect(wire.documentsForSign[0]).toEqual({
        contentAsBase64: PDF_BASE64,
        fileName: 'a.pdf',
        legalFileName: 'A',
        padesVisualSignature: false,
      });
    });

    it.each([
      ['page 0', { page: 0, x: 1, y: 1, width: 10, height: 10 }],
      ['a fractional width', { page: 1, x: 1, y: 1, width: 10.5, height: 10 }],
      ['a negative x', { page: 1, x: -1, y: 1, width: 10, height: 10 }],
    ])('refuses a visible signature with %s', (_label, visibleSignature) => {
      const run = () =>
        toSignSessionStartRequestBody({
          ...request,
          documents: [{ content: PDF, fileName: 'a.pdf', title: 'A', visibleSignature }],
        });
      expect(run).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    });

    it('is the JSON of the wire object, byte for byte, and says its length', () => {
      const large = Buffer.concat([PDF, Buffer.alloc(200_001, 7)]);
      const input: SignSessionRequest = {
        ...request,
        documents: [
          { content: large, fileName: 'договор.pdf', title: 'Договор "4711"' },
          { content: PDF, fileName: 'b.pdf', title: 'B' },
        ],
      };
      const body = toSignSessionStartRequestBody(input);
      const text = bodyText(body);
      expect(Buffer.byteLength(text)).toBe(body.length);
      expect(text).toBe(
        JSON.stringify({
          identificator: request.identificator,
          signSessionId: request.signSessionId,
          documentsForSign: [
            { contentAsBase64: large.toString('base64'), fileName: 'договор.pdf', legalFileName: 'Договор "4711"', padesVisualSignature: false },
            { contentAsBase64: PDF_BASE64, fileName: 'b.pdf', legalFileName: 'B', padesVisualSignature: false },
          ],
          sendSignedDocumentsByEmail: true,
          cancelUrl: request.cancelUrl,
          successUrl: request.successUrl,
        }),
      );
    });

    it('refuses a request without documents', () => {
      expect(() => toSignSessionStartRequestBody({ ...request, documents: [] })).toThrow(
        expect.objectContaining({ code: 'BAD_REQUEST' }),
      );
    });
  });
});

describe(parseBtrustCallback.name, () => {
  it('reads callback.identification.json (resultId a string, ids numbers)', () => {
    expect(parseBtrustCallback(fixture('callback.identification.json'))).toEqual({
      requestId: '315',
      relyingPartyId: '24102167',
      processState: 'CREATE_SIGN_SESSION_REQUEST',
      sessionId: '245ccb3e-5105-4930-8855-b6b46b0edc3d',
      resultId: '95',
      providerCode: 'OK',
      message: 'The request has been executed successfully.',
      dataMessage: 'The request with resultID 95 completed successfully',
    });
  });

  it('reads callback.signing.json (resultId a number)', () => {
    expect(parseBtrustCallback(fixture('callback.signing.json'))).toMatchObject({
      requestId: '327',
      relyingPartyId: '24102167',
      processState: 'SIGN_SESSION',
      sessionId: '491d8265-c299-41b7-b8bc-9daafdce077c',
      resultId: '109',
    });
  });

  it('accepts a callback without the informative fields', () => {
    const body = fixture('callback.signing.json');
    delete body.code;
    delete body.message;
    delete body.data.dataMessage;
    expect(parseBtrustCallback(body)).toMatchObject({ providerCode: null, message: null, dataMessage: null });
  });

  function problemsOf(body: unknown): readonly string[] {
    try {
      parseBtrustCallback(body);
    } catch (error) {
      expect(error).toBeInstanceOf(BtrustCallbackFormatError);
      return (error as BtrustCallbackFormatError).problems;
    }
    throw new Error('expected the callback to be refused');
  }

  it.each([null, 'text', [], 42])('refuses a body that is not an object: %p', (body) => {
    expect(problemsOf(body)).toEqual(['the body is not a JSON object']);
  });

  it('lists every problem of a malformed callback', () => {
    const body = { code: 'OK', requestId: 1.5, data: { processState: 7, sessionId: '', resultId: { id: 1 } } };
    const problems = problemsOf(body);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('requestId'),
        expect.stringContaining('relyingPartyId'),
        expect.stringContaining('data.processState'),
        expect.stringContaining('data.sessionId'),
        expect.stringContaining('data.resultId'),
      ]),
    );
  });

  it('refuses a callback without data', () => {
    const body = fixture('callback.identification.json');
    delete body.data;
    expect(problemsOf(body)).toEqual(expect.arrayContaining(['data is missing or is not an object']));
  });

  it('refuses ids with control characters or of unreasonable length', () => {
    const body = withValue(fixture('callback.identification.json'), ['data', 'sessionId'], 'a\nb');
    expect(problemsOf(body)).toEqual([expect.stringContaining('data.sessionId')]);
    const long = withValue(fixture('callback.identification.json'), ['data', 'resultId'], '9'.repeat(201));
    expect(problemsOf(long)).toEqual([expect.stringContaining('data.resultId')]);
  });

  it.each([
    [['requestId'], '315\u0000'],
    [['relyingPartyId'], '24102167\u0085'],
    [['data', 'processState'], 'SIGN_SESSION\u0000'],
    [['data', 'sessionId'], '245ccb3e\u007f'],
    [['data', 'resultId'], '95\u0000'],
    [['code'], 'OK\u0000'],
    [['code'], 'OK\n'],
    [['message'], 'executed\u0000successfully'],
    [['message'], 'executed\u009bsuccessfully'],
    [['data', 'dataMessage'], 'completed\u0000'],
  ])('refuses %j holding a control character', (path, value) => {
    const body = withValue(fixture('callback.identification.json'), path, value);
    expect(problemsOf(body)).toEqual([expect.stringContaining(path.join('.'))]);
  });

  it('keeps tabs and line breaks in the provider\'s free-text messages', () => {
    const body = withValue(withValue(fixture('callback.identification.json'), ['message'], 'line one\r\nline two'), ['data', 'dataMessage'], 'a\tb\nc');
    expect(parseBtrustCallback(body)).toMatchObject({ message: 'line one\r\nline two', dataMessage: 'a\tb\nc' });
  });
});
