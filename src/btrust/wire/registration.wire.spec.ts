import { toRegistration, toRegistrationRequestWire, toRegistrationStatus } from './registration.wire';
import { answer, expectUnprocessable, fixture, withValue } from '../../../test/support/btrust-wire-answers';

describe('B-Trust wire answers', () => {
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
});

describe('B-Trust wire requests', () => {
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
});
