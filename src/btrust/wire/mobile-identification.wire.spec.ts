import { BtrustError } from '../btrust.errors';
import type { MobileIdentificationRequest } from '../btrust.types';
import { toIdentificationRequestWire, toMobileIdentificationAccepted, toMobileIdentificationResult } from './mobile-identification.wire';
import { answer, expectUnprocessable, fixture, PDF, PDF_BASE64, withValue } from '../../../test/support/btrust-wire-answers';

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
});
