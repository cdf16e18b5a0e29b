import { RecordedCallbacks, instantDocuments } from '../../test/support/sandbox-flow-doubles';
import { ProviderRecords, WebIdentification, registrationStatusOf, webStatusOf } from './provider-records';
import { silentLogger } from './sandbox-logger';
import { ReadingsBoard, SandboxReadings } from './sandbox-readings';
import { WebIdentificationFlow } from './web-identification-flow';

const T0 = new Date('2024-03-01T10:00:00.000Z');
const HOUR = 3_600_000;

function setUp(readings: Partial<SandboxReadings> = {}) {
  const callbacks = new RecordedCallbacks();
  const flow = new WebIdentificationFlow(
    new ProviderRecords(),
    instantDocuments,
    callbacks.asDispatcher(),
    new ReadingsBoard(readings),
    { relyingPartyId: '24102167', webSessionValidityMs: HOUR, signSessionValidityMs: 8 * HOUR },
    silentLogger,
  );
  const registered = (): WebIdentification => {
    const record = flow.start({ requestCallbackUrl: 'https://rp.example/callbacks/t', identificationReason: 'test' }, T0);
    flow.createRegistration(
      record.webSessionId,
      { successUrl: 'https://rp.example/ok', cancelUrl: 'https://rp.example/no', userLanguage: 'en', verifyEmailAddress: true, verifyPhoneNumber: true },
      T0,
    );
    return record;
  };
  return { flow, callbacks, registered };
}

const view = (record: WebIdentification) => ({
  state: record.state,
  registration: registrationStatusOf(record),
  review: record.registration?.reviewStatus,
  ...webStatusOf(record),
});

describe(WebIdentificationFlow.name, () => {
  describe('review', () => {
    it('automatic: an approval is identified at once, FINALIZED under ALLOW_DENY, with a webhook', async () => {
      const { flow, callbacks, registered } = setUp();
      const record = await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
      expect(view(record)).toEqual({
        state: 'IDENTIFIED',
        registration: 'FINALIZED',
        review: 'ALLOW_DENY',
        status: 'CREATE_SIGN_SESSION_REQUEST',
        step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED',
      });
      expect(callbacks.sent.map((sent) => [sent.data.processState, sent.outcome.ok])).toEqual([['CREATE_SIGN_SESSION_REQUEST', true]]);
    });

    it('manual: an approval waits for an agent past every date, then the agent allows it', async () => {
      const { flow, callbacks, registered } = setUp({ review: 'manual' });
      const record = await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
      const waiting = { state: 'UNDER_REVIEW', registration: 'COMPLETED', review: 'FINALIZE_REJECT', status: 'IN_PROGRESS', step: 'WEB_IDV_REGISTRATION' };
      expect(view(record)).toEqual(waiting);
      expect(callbacks.sent).toHaveLength(0);
      expect(() => flow.result(record.resultId, 'CREATE_SIGN_SESSION_REQUEST', record.webSessionId, false, T0)).toThrow(
        expect.objectContaining({ httpStatus: 404, code: 'NOT_FOUND' }),
      );

      flow.expireIfDue(record, new Date(T0.getTime() + 72 * HOUR));
      expect(view(record)).toEqual(waiting);

      flow.review(record, 'ALLOWED', new Date(T0.getTime() + 72 * HOUR));
      expect(view(record)).toMatchObject({ state: 'IDENTIFIED', registration: 'FINALIZED', review: 'ALLOWED' });
      expect(callbacks.sent.map((sent) => sent.outcome.ok)).toEqual([true]);
    });

    it('manual: an agent rejects it: REJECTED, DENIED, a REJECTED webhook', async () => {
      const { flow, callbacks, registered } = setUp({ review: 'manual' });
      const record = await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
      flow.review(record, 'DENIED', T0);
      expect(view(record)).toMatchObject({ state: 'REJECTED', registration: 'REJECTED', review: 'DENIED', step: 'WEB_IDV_REGISTRATION' });
      expect(callbacks.sent.map((sent) => sent.outcome.ok)).toEqual([false]);
    });
  });

  describe('deny', () => {
    it('denies an automatic approval: registration REJECTED, review DENIED, scenario 5 unchanged, a webhook', async () => {
      const { flow, callbacks, registered } = setUp();
      const record = await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
      flow.deny(record, T0);
      expect(view(record)).toEqual({
        state: 'DENIED',
        registration: 'REJECTED',
        review: 'DENIED',
        status: 'CREATE_SIGN_SESSION_REQUEST',
        step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED',
      });
      expect(callbacks.sent.map((sent) => sent.outcome.ok)).toEqual([true, false]);
      expect(() => flow.result(record.resultId, 'CREATE_SIGN_SESSION_REQUEST', record.webSessionId, true, T0)).toThrow(
        expect.objectContaining({ httpStatus: 400, code: 'REJECTED' }),
      );
    });

    it('refuses to deny what an agent already allowed, or what is not identified', async () => {
      const { flow, registered } = setUp();
      expect(() => flow.deny(registered(), T0)).toThrow('Cannot move');
      const allowed = await flow.approve(registered(), {}, 'ALLOWED', T0);
      expect(() => flow.deny(allowed, T0)).toThrow('Cannot move');
    });
  });

  describe('fail', () => {
    it('shows the failure step and keeps the registration status unless told', () => {
      const { flow, callbacks, registered } = setUp();
      const kept = flow.fail(registered(), { step: 'WEB_IDV_REGISTRATION_FAILED' }, T0);
      expect(view(kept)).toMatchObject({ state: 'FAILED', registration: 'STARTED', status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION_FAILED' });
      const told = flow.fail(registered(), { step: 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED', registrationStatus: 'REJECTED' }, T0);
      expect(view(told)).toMatchObject({
        registration: 'REJECTED',
        status: 'AUTOMATIC_AGENT_COMPOSE_CLIENT_DOCUMENT',
        step: 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED',
      });
      expect(callbacks.sent.map((sent) => sent.outcome.ok)).toEqual([false, false]);
    });

    it('fails an agent review in progress, which keeps COMPLETED', async () => {
      const { flow, registered } = setUp({ review: 'manual' });
      const record = await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
      expect(view(flow.fail(record, { step: 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED' }, T0)).registration).toBe('COMPLETED');
    });
  });

  it('expires a registration by the clock with EXPIRED and a step that is no failure', () => {
    const { flow, registered } = setUp();
    const record = registered();
    flow.expireIfDue(record, new Date(T0.getTime() + HOUR));
    expect(view(record)).toMatchObject({ state: 'EXPIRED', registration: 'EXPIRED', step: 'WEB_IDV_REGISTRATION' });
  });

  it.each([
    ['web-session', 'webSessionId'],
    ['registration-session', 'registration'],
  ] as const)('identificationWebhookSessionId=%s: the webhook names that session', async (reading, which) => {
    const { flow, callbacks, registered } = setUp({ identificationWebhookSessionId: reading });
    const record = await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
    expect(callbacks.sent[0].data.sessionId).toBe(which === 'webSessionId' ? record.webSessionId : record.registration?.sessionId);
  });

  it.each([
    ['same', false],
    ['other', true],
  ] as const)('webhookRelyingPartyId=%s: the dispatcher is told foreignRelyingPartyId=%s', async (reading, foreign) => {
    const { flow, callbacks, registered } = setUp({ webhookRelyingPartyId: reading });
    await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
    expect(callbacks.sent[0].outcome.foreignRelyingPartyId).toBe(foreign);
  });

  it.each([
    ['always', [true, true]],
    ['missing-first', [false, true]],
  ] as const)('eidCertificate=%s: the first two full 2.5 answers carry the certificate %j', async (reading, carried) => {
    const { flow, registered } = setUp({ eidCertificate: reading });
    const record = await flow.approve(registered(), {}, 'ALLOW_DENY', T0);
    expect([flow.certificateToSend(record) !== undefined, flow.certificateToSend(record) !== undefined]).toEqual(carried);
  });
});
