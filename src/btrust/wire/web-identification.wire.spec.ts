import {
  toWebIdentificationResult,
  toWebIdentificationStarted,
  toWebIdentificationStatus,
  toWebSessionStartRequestWire,
} from './web-identification.wire';
import { answer, expectUnprocessable, fixture, PDF, PDF_BASE64, withValue } from '../../../test/support/btrust-wire-answers';

describe('B-Trust wire answers', () => {
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
});
