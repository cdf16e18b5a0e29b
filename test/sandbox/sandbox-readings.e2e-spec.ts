import type { DevCertificateFiles } from '../../src/sandbox/pki/dev-certificates';
import { DEFAULT_READINGS } from '../../src/sandbox/sandbox-readings';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { SandboxControl } from '../support/sandbox-control';
import { SandboxWire, WebhookReceiver, WireSandbox, samplePdf, startWireSandbox } from '../support/sandbox-wire';
import { SANDBOX_RELYING_PARTY_ID, startStandaloneSandbox } from '../support/standalone-sandbox';

/**
 * Every reading of the sandbox, seen on the wire: a plain HTTPS client with
 * the development client certificate calls the API over mutual TLS, and a
 * plain HTTP server receives the webhooks. Each reading is shown in its
 * default and in each of its other values.
 */

const REJECTED = { data: null, code: 'REJECTED', message: 'The request is rejected.' };
const NOT_FOUND = { code: 'NOT_FOUND', message: 'The server has not found the signed content.' };
const OFFSET_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;
const NO_OFFSET_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/;
const COMPACT_DATE = /^\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d\.\d{3}\+0000$/;

let certificates: DevCertificateFiles;
let sandbox: RunningSandbox;
let control: SandboxControl;
let wire: SandboxWire;
let webhooks: WebhookReceiver;
let running: WireSandbox;
let tokens = 0;

beforeAll(async () => {
  running = await startWireSandbox();
  ({ sandbox, certificates, control, wire, webhooks } = running);
});

afterAll(() => running?.stop());

afterEach(() => control.reset());

/** A control call whose refusal is the point: its status and the sandbox's `error` text. */
async function refusedControl(path: string, body?: object): Promise<{ status: number; error: string }> {
  const response = await fetch(`${sandbox.pagesBaseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  return { status: response.status, error: ((await response.json()) as { error: string }).error };
}

function token(): string {
  tokens += 1;
  return `readings-${tokens}`;
}

async function rejectedMobile(): Promise<string> {
  const { callbackId } = (await wire.startMobile()).json.data;
  await control.post(`/sandbox/mobile-identifications/${callbackId}/reject`);
  return callbackId;
}

async function identified(callbackToken = token()) {
  const flow = await wire.startWeb(webhooks.url(callbackToken));
  await control.post(`/sandbox/web-identifications/${flow.webSessionId}/approve`);
  const result = await wire.webResult(flow.resultId, flow.webSessionId, true);
  return {
    ...flow,
    token: callbackToken,
    clientIdentificator: result.json.data.clientIdentificator as string,
    signSessionId: result.json.data.signSessionId as string,
  };
}

async function startedSigning(fileNames = ['contract.pdf']) {
  const person = await identified();
  const documents = await Promise.all(fileNames.map(async (fileName) => ({ fileName, content: await samplePdf(`Document ${fileName}`) })));
  const started = await wire.startSigning(person.clientIdentificator, person.signSessionId, documents);
  expect(started.status).toBe(200);
  return { person, documents, resultId: started.json.data.resultId as number, started };
}

describe('sandbox readings', () => {
  describe('the control API', () => {
    it('lists every reading with its values on the index page', async () => {
      const page = await (await fetch(`${sandbox.pagesBaseUrl}/`)).text();
      for (const key of Object.keys(DEFAULT_READINGS)) expect(page).toContain(`<code>${key}</code>`);
      expect(page).toContain('404-not-found | 404-rejected | 400-rejected');
      expect(page).toContain('/sandbox/callbacks/repeat');
    });

    it('shows the defaults, merges a change, refuses an unknown reading or value by name, and resets', async () => {
      expect(await control.readings()).toEqual(DEFAULT_READINGS);
      expect(await control.setReadings({ rejectedStatus: 500 })).toMatchObject({ rejectedStatus: 500, dates: 'offset' });
      expect(await control.setReadings({ dates: 'compact' })).toMatchObject({ rejectedStatus: 500, dates: 'compact' });

      const unknown = await refusedControl('/sandbox/readings', { colour: 'blue' });
      expect(unknown.status).toBe(400);
      expect(unknown.error).toContain('unknown reading "colour"');
      expect(await refusedControl('/sandbox/readings', { rejectedStatus: 418 })).toEqual({
        status: 400,
        error: 'reading rejectedStatus must be one of 400, 401, 403, 404, 500, got 418',
      });
      expect(await control.readings()).toMatchObject({ rejectedStatus: 500, dates: 'compact' });

      expect(await control.resetReadings()).toMatchObject({ rejectedStatus: 400, dates: 'offset' });
    });

    it('gives a record the sandbox-wide readings when it is created, and its own when told', async () => {
      const before = (await wire.startMobile()).json.data.callbackId;
      await control.setReadings({ rejectedStatus: 403 });
      const after = (await wire.startMobile()).json.data.callbackId;
      expect((await control.recordReadings({ mobileIdentification: before })).rejectedStatus).toBe(400);
      expect((await control.recordReadings({ mobileIdentification: after })).rejectedStatus).toBe(403);

      expect((await control.setRecordReadings({ mobileIdentification: before }, { rejectedStatus: 500 })).rejectedStatus).toBe(500);
      expect((await refusedControl('/sandbox/mobile-identifications/no-such-id/readings', { rejectedStatus: 500 })).status).toBe(404);
    });
  });

  describe('rejectedStatus', () => {
    it.each([400, 401, 403, 404, 500] as const)('answers a refused mobile identification (1.2) with %i and the REJECTED body', async (status) => {
      await control.setReadings({ rejectedStatus: status });
      const answer = await wire.pollMobile(await rejectedMobile());
      expect(answer.status).toBe(status);
      expect(answer.json).toEqual(REJECTED);
    });

    it('answers an unknown callbackId 404 REJECTED whatever the reading', async () => {
      await control.setReadings({ rejectedStatus: 500 });
      const answer = await wire.pollMobile('a2c25bcd-00f0-4128-8890-fbcb26fc2f81');
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual(REJECTED);
    });

    it('applies to an expired mobile identification, per record, from the moment it is set', async () => {
      const { callbackId } = (await wire.startMobile()).json.data;
      await control.post(`/sandbox/mobile-identifications/${callbackId}/expire`);
      expect((await wire.pollMobile(callbackId)).status).toBe(400);
      await control.setRecordReadings({ mobileIdentification: callbackId }, { rejectedStatus: 401 });
      const answer = await wire.pollMobile(callbackId);
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(REJECTED);
    });

    it('applies to 2.5 of a refused web identification, 3.3 of an ended signing and 3.1 refusals', async () => {
      await control.setReadings({ rejectedStatus: 500 });
      const refused = await wire.startWeb(webhooks.url(token()));
      await control.post(`/sandbox/web-identifications/${refused.webSessionId}/reject`);
      const result = await wire.webResult(refused.resultId, refused.webSessionId);
      expect([result.status, result.json]).toEqual([500, REJECTED]);

      const { person, resultId } = await startedSigning();
      await control.post(`/sandbox/signings/${resultId}/reject`);
      const signed = await wire.signedDocuments(resultId, person.signSessionId);
      expect([signed.status, signed.json]).toEqual([500, REJECTED]);

      const unknownSession = await wire.startSigning(person.clientIdentificator, '43c1cd77-a2bc-42c7-9c6d-96e3dc2ebd71', [
        { fileName: 'a.pdf', content: await samplePdf('a') },
      ]);
      expect([unknownSession.status, unknownSession.json]).toEqual([500, REJECTED]);
    });

    it('is 400 for 3.3 of an expired signing by default', async () => {
      const { person, resultId } = await startedSigning();
      await control.post(`/sandbox/signings/${resultId}/expire`);
      const answer = await wire.signedDocuments(resultId, person.signSessionId);
      expect([answer.status, answer.json]).toEqual([400, REJECTED]);
    });
  });

  describe('notYetAnswer', () => {
    it.each([
      ['404-not-found', 404, NOT_FOUND],
      ['404-rejected', 404, REJECTED],
      ['400-rejected', 400, REJECTED],
    ] as const)('%s: 2.5 and 3.3 answer %i before the person has finished', async (reading, status, body) => {
      await control.setReadings({ notYetAnswer: reading });
      const web = await wire.startWeb(webhooks.url(token()));
      const early = await wire.webResult(web.resultId, web.webSessionId);
      expect([early.status, early.json]).toEqual([status, body]);

      const { person, resultId } = await startedSigning();
      const unsigned = await wire.signedDocuments(resultId, person.signSessionId);
      expect([unsigned.status, unsigned.json]).toEqual([status, body]);

      await control.post(`/sandbox/signings/${resultId}/sign`);
      expect((await wire.signedDocuments(resultId, person.signSessionId)).status).toBe(200);
    });
  });

  describe('review', () => {
    it('automatic (default): an approval is FINALIZED with ALLOW_DENY at once', async () => {
      const person = await identified();
      const status = await wire.registrationStatus(person.registrationId);
      expect(status.json).toMatchObject({ status: 'FINALIZED', reviewStatus: 'ALLOW_DENY' });
    });

    it('manual: an approval waits for an agent (COMPLETED, FINALIZE_REJECT) and the agent ALLOWS it', async () => {
      await control.setReadings({ review: 'manual' });
      const callbackToken = token();
      const web = await wire.startWeb(webhooks.url(callbackToken));
      await control.post(`/sandbox/web-identifications/${web.webSessionId}/approve`);

      expect((await wire.registrationStatus(web.registrationId)).json).toMatchObject({ status: 'COMPLETED', reviewStatus: 'FINALIZE_REJECT' });
      expect((await wire.webStatus(web.resultId)).json.data).toEqual({ status: 'IN_PROGRESS', step: 'WEB_IDV_REGISTRATION' });
      const waiting = await wire.webResult(web.resultId, web.webSessionId);
      expect([waiting.status, waiting.json]).toEqual([404, NOT_FOUND]);

      await control.review(web.webSessionId, 'ALLOWED');
      expect((await wire.registrationStatus(web.registrationId)).json).toMatchObject({ status: 'FINALIZED', reviewStatus: 'ALLOWED' });
      const [webhook] = await webhooks.waitFor(callbackToken);
      expect(webhook).toMatchObject({ code: 'OK', data: { processState: 'CREATE_SIGN_SESSION_REQUEST', resultId: String(web.resultId) } });
      const result = await wire.webResult(web.resultId, web.webSessionId);
      expect(result.status).toBe(200);
      expect(result.json.data.eIDDocAsBase64).toEqual(expect.any(String));
    });

    it('manual: an agent DENIES it: registration REJECTED, review DENIED, a REJECTED webhook, 2.5 REJECTED', async () => {
      const callbackToken = token();
      const web = await wire.startWeb(webhooks.url(callbackToken));
      await control.setRecordReadings({ webIdentification: web.webSessionId }, { review: 'manual' });
      await control.post(`/sandbox/web-identifications/${web.webSessionId}/approve`);
      await control.review(web.webSessionId, 'DENIED');

      expect((await wire.registrationStatus(web.registrationId)).json).toMatchObject({ status: 'REJECTED', reviewStatus: 'DENIED' });
      const [webhook] = await webhooks.waitFor(callbackToken);
      expect(webhook.code).toBe('REJECTED');
      expect((await wire.webResult(web.resultId, web.webSessionId)).json).toEqual(REJECTED);
    });

    it('refuses a review of an identification that waits for none', async () => {
      const web = await wire.startWeb(webhooks.url(token()));
      expect((await refusedControl(`/sandbox/web-identifications/${web.webSessionId}/review`, { decision: 'ALLOWED' })).status).toBe(409);
      expect(await refusedControl(`/sandbox/web-identifications/${web.webSessionId}/review`, { decision: 'MAYBE' })).toEqual({
        status: 400,
        error: 'decision must be one of ALLOWED, DENIED',
      });
    });
  });

  describe('deny (an agent after the automatic approval)', () => {
    it('makes the registration REJECTED with review DENIED, sends a webhook and refuses the sign session', async () => {
      const person = await identified();
      await control.deny(person.webSessionId);

      expect((await wire.registrationStatus(person.registrationId)).json).toMatchObject({ status: 'REJECTED', reviewStatus: 'DENIED' });
      const [, denial] = await webhooks.waitFor(person.token, 2);
      expect(denial).toMatchObject({ code: 'REJECTED', data: { processState: 'CREATE_SIGN_SESSION_REQUEST', resultId: String(person.resultId) } });
      expect((await wire.webResult(person.resultId, person.webSessionId)).json).toEqual(REJECTED);
      const signing = await wire.startSigning(person.clientIdentificator, person.signSessionId, [
        { fileName: 'a.pdf', content: await samplePdf('denied') },
      ]);
      expect([signing.status, signing.json]).toEqual([400, REJECTED]);
    });

    it('an agent may ALLOW instead, and cannot deny what is not under ALLOW_DENY', async () => {
      const person = await identified();
      await control.review(person.webSessionId, 'ALLOWED');
      expect((await wire.registrationStatus(person.registrationId)).json).toMatchObject({ status: 'FINALIZED', reviewStatus: 'ALLOWED' });
      expect((await refusedControl(`/sandbox/web-identifications/${person.webSessionId}/deny`)).status).toBe(409);
    });
  });

  describe('fail (failure steps of scenario 5)', () => {
    it.each([
      ['WEB_IDV_REGISTRATION_FAILED', undefined, 'START_WEB_SESSION', 'STARTED'],
      ['WEB_IDV_REGISTRATION_FAILED', 'REJECTED', 'START_WEB_SESSION', 'REJECTED'],
      ['UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED', 'EXPIRED', 'AUTOMATIC_AGENT_COMPOSE_CLIENT_DOCUMENT', 'EXPIRED'],
    ] as const)('%s with registrationStatus %s: 5.1 shows the step under %s, 4.1 says %s', async (step, registrationStatus, status, shownRegistration) => {
      const callbackToken = token();
      const web = await wire.startWeb(webhooks.url(callbackToken));
      await control.fail(web.webSessionId, step, registrationStatus);

      expect((await wire.webStatus(web.resultId)).json.data).toEqual({ status, step });
      expect((await wire.registrationStatus(web.registrationId)).json.status).toBe(shownRegistration);
      const [webhook] = await webhooks.waitFor(callbackToken);
      expect(webhook.code).toBe('REJECTED');
      expect((await wire.webResult(web.resultId, web.webSessionId)).json).toEqual(REJECTED);
    });

    it('refuses an unknown step', async () => {
      const web = await wire.startWeb(webhooks.url(token()));
      expect(await refusedControl(`/sandbox/web-identifications/${web.webSessionId}/fail`, { step: 'OTP' })).toEqual({
        status: 400,
        error: 'step must be one of WEB_IDV_REGISTRATION_FAILED, UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED',
      });
    });

    it('shows no failure step for a rejection, a cancel or an expiry', async () => {
      for (const action of ['reject', 'cancel', 'expire']) {
        const web = await wire.startWeb(webhooks.url(token()));
        await control.post(`/sandbox/web-identifications/${web.webSessionId}/${action}`);
        expect((await wire.webStatus(web.resultId)).json.data.step).toBe('WEB_IDV_REGISTRATION');
      }
    });
  });

  describe('the clock', () => {
    let shortLived: RunningSandbox;
    let shortWire: SandboxWire;
    let shortControl: SandboxControl;

    beforeAll(async () => {
      ({ sandbox: shortLived } = await startStandaloneSandbox({ certificates, webSessionValidityMs: 1500 }));
      shortWire = new SandboxWire(shortLived.apiBaseUrl, certificates);
      shortControl = new SandboxControl(shortLived.pagesBaseUrl);
    });

    afterAll(async () => {
      shortWire?.close();
      await shortLived?.close();
    });

    it('expires a registration past its date with registration EXPIRED and the step WEB_IDV_REGISTRATION', async () => {
      const web = await shortWire.startWeb(webhooks.url(token()));
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect((await shortWire.registrationStatus(web.registrationId)).json.status).toBe('EXPIRED');
      expect((await shortWire.webStatus(web.resultId)).json.data).toEqual({ status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION' });
    });

    it('does not expire an agent review however long past the web session date (review=manual)', async () => {
      await shortControl.setReadings({ review: 'manual' });
      const web = await shortWire.startWeb(webhooks.url(token()));
      await shortControl.post(`/sandbox/web-identifications/${web.webSessionId}/approve`);
      await new Promise((resolve) => setTimeout(resolve, 1600));
      expect((await shortWire.registrationStatus(web.registrationId)).json).toMatchObject({ status: 'COMPLETED', reviewStatus: 'FINALIZE_REJECT' });
      await shortControl.review(web.webSessionId, 'ALLOWED');
      expect((await shortWire.webResult(web.resultId, web.webSessionId)).status).toBe(200);
    });
  });

  describe('signedFileNames', () => {
    async function signedWith(reading: 'same' | 'renamed' | 'reversed') {
      await control.setReadings({ signedFileNames: reading });
      const { person, documents, resultId } = await startedSigning(['first.pdf', 'second.pdf']);
      await control.post(`/sandbox/signings/${resultId}/sign`);
      const answer = await wire.signedDocuments(resultId, person.signSessionId);
      expect(answer.status).toBe(200);
      const returned = answer.json.data.signDocuments as Array<{ filename: string; contentAsBase64: string }>;
      // Which original each returned PDF extends (a signature is an incremental update).
      const origins = returned.map(({ contentAsBase64 }) => {
        const bytes = Buffer.from(contentAsBase64, 'base64');
        return documents.findIndex((document) => bytes.subarray(0, document.content.length).equals(document.content));
      });
      return { names: returned.map((document) => document.filename), origins, resultId };
    }

    it('same (default): the names sent, in order', async () => {
      expect(await signedWith('same')).toMatchObject({ names: ['first.pdf', 'second.pdf'], origins: [0, 1] });
    });

    it('renamed: other names, in order', async () => {
      const { names, origins, resultId } = await signedWith('renamed');
      expect(names).toEqual([`signed-${resultId}-1.pdf`, `signed-${resultId}-2.pdf`]);
      expect(origins).toEqual([0, 1]);
    });

    it('reversed: other names, in reverse order', async () => {
      const { names, origins, resultId } = await signedWith('reversed');
      expect(names).toEqual([`signed-${resultId}-2.pdf`, `signed-${resultId}-1.pdf`]);
      expect(origins).toEqual([1, 0]);
    });
  });

  describe('webhookRelyingPartyId', () => {
    it.each([
      ['same', Number(SANDBOX_RELYING_PARTY_ID)],
      ['other', Number(SANDBOX_RELYING_PARTY_ID) + 1],
    ] as const)('%s: the webhooks carry relyingPartyId %i', async (reading, relyingPartyId) => {
      await control.setReadings({ webhookRelyingPartyId: reading });
      const { person, resultId } = await startedSigning();
      await control.post(`/sandbox/signings/${resultId}/sign`);
      const [identification, signing] = await webhooks.waitFor(person.token, 2);
      expect(identification.relyingPartyId).toBe(relyingPartyId);
      expect(signing.relyingPartyId).toBe(relyingPartyId);
    });
  });

  describe('identificationWebhookSessionId', () => {
    it.each(['web-session', 'registration-session'] as const)('%s: the 2.4 webhook names that session', async (reading) => {
      await control.setReadings({ identificationWebhookSessionId: reading });
      const person = await identified();
      const [webhook] = await webhooks.waitFor(person.token);
      expect(webhook.data.sessionId).toBe(reading === 'web-session' ? person.webSessionId : person.sessionId);
      expect(webhook.data.resultId).toBe(String(person.resultId));
    });
  });

  describe('signingWebhookSessionId', () => {
    it.each(['used-sign-session', 'next-sign-session'] as const)('%s: the 3.2 webhook names that sign session', async (reading) => {
      await control.setReadings({ signingWebhookSessionId: reading });
      const { person, resultId } = await startedSigning();
      await control.post(`/sandbox/signings/${resultId}/sign`);
      const [, webhook] = await webhooks.waitFor(person.token, 2);
      const answer = await wire.signedDocuments(resultId, person.signSessionId);
      const next = answer.json.data.signSessionId as string;
      expect(next).not.toBe(person.signSessionId);
      expect(webhook.data).toMatchObject({ processState: 'SIGN_SESSION', resultId, sessionId: reading === 'used-sign-session' ? person.signSessionId : next });
    });
  });

  describe('dates', () => {
    async function everyDate() {
      const mobile = await wire.startMobile();
      const { person, started, resultId } = await startedSigning();
      const status = await wire.registrationStatus(person.registrationId);
      const web = await wire.webResult(person.resultId, person.webSessionId, true);
      await control.post(`/sandbox/signings/${resultId}/sign`);
      const signed = await wire.signedDocuments(resultId, person.signSessionId);
      return {
        // 1.1, 2.1, 2.5, 3.1 and 3.3 print UTC with an offset; 2.2 Sofia time with microseconds; 4.1 UTC with Z.
        utc: [
          mobile.json.data.validity,
          person.start.json.data.webSessionExpireDate,
          web.json.data.signSessionIdExpireDate,
          started.json.data.expireDate,
          signed.json.data.signSessionIdExpireDate,
        ],
        registration: [person.registration.json.createdOn, person.registration.json.expiredOn],
        status: [status.json.createdOn, status.json.processedOn, status.json.reviewedOn],
      };
    }

    it('offset (default): the document forms', async () => {
      const dates = await everyDate();
      for (const date of dates.utc) expect(date).toMatch(OFFSET_DATE);
      for (const date of dates.registration) expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0[23]:00$/);
      for (const date of dates.status) expect(date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    });

    it('no-offset: every date in Sofia local time without an offset', async () => {
      await control.setReadings({ dates: 'no-offset' });
      const dates = await everyDate();
      for (const date of [...dates.utc, ...dates.registration, ...dates.status]) expect(date).toMatch(NO_OFFSET_DATE);
      // Sofia is two or three hours ahead of UTC.
      const validity = dates.utc[0] as string;
      const hoursAhead = (Date.parse(`${validity}Z`) - Date.now()) / 3_600_000;
      expect(Math.round(hoursAhead)).toBeGreaterThanOrEqual(2);
      expect(Math.round(hoursAhead)).toBeLessThanOrEqual(3);
    });

    it('compact: every date like 2019-01-23T23.59.57.000+0000', async () => {
      await control.setReadings({ dates: 'compact' });
      const dates = await everyDate();
      for (const date of [...dates.utc, ...dates.registration, ...dates.status]) expect(date).toMatch(COMPACT_DATE);
    });
  });

  describe('eidCertificate', () => {
    it('always (default): 1.2 FINISHED and 2.5 carry the certificate the first time', async () => {
      const { callbackId } = (await wire.startMobile()).json.data;
      await control.post(`/sandbox/mobile-identifications/${callbackId}/complete`);
      expect((await wire.pollMobile(callbackId)).json.data.content).toEqual(expect.any(String));
      const person = await identified();
      expect((await wire.webResult(person.resultId, person.webSessionId)).json.data.eIDDocAsBase64).toEqual(expect.any(String));
    });

    it('missing-first: the first FINISHED 1.2 and the first full 2.5 leave it out, the next carry it', async () => {
      await control.setReadings({ eidCertificate: 'missing-first' });
      const { callbackId } = (await wire.startMobile()).json.data;
      await control.post(`/sandbox/mobile-identifications/${callbackId}/complete`);
      const first = await wire.pollMobile(callbackId);
      expect(first.status).toBe(200);
      expect(first.json).toMatchObject({ status: 'FINISHED', code: 'OK' });
      expect(first.json.data).not.toHaveProperty('content');
      expect(first.json.data.identificator).toEqual(expect.any(String));
      expect((await wire.pollMobile(callbackId)).json.data.content).toEqual(expect.any(String));

      // identified() asked with onlyMetadata=true, which never carries it and does not count.
      const person = await identified();
      const withheld = await wire.webResult(person.resultId, person.webSessionId);
      expect(withheld.status).toBe(200);
      expect(withheld.json.data).not.toHaveProperty('eIDDocAsBase64');
      expect(withheld.json.data.clientIdentificator).toBe(person.clientIdentificator);
      expect((await wire.webResult(person.resultId, person.webSessionId)).json.data.eIDDocAsBase64).toEqual(expect.any(String));
    });
  });

  describe('archiveFlag', () => {
    it.each([
      ['any', { toBeArchived: 200, toBeArhieved: 200 }],
      ['toBeArchived', { toBeArchived: 200, toBeArhieved: 400 }],
      ['toBeArhieved', { toBeArchived: 400, toBeArhieved: 200 }],
    ] as const)('%s: 3.1 answers each spelling %j', async (reading, expected) => {
      await control.setReadings({ archiveFlag: reading });
      for (const flag of ['toBeArchived', 'toBeArhieved'] as const) {
        const person = await identified();
        const answer = await wire.startSigning(person.clientIdentificator, person.signSessionId, [
          { fileName: 'a.pdf', content: await samplePdf(flag), archiveFlag: { [flag]: false } },
        ]);
        expect([flag, answer.status, answer.json.code]).toEqual([flag, expected[flag], expected[flag] === 200 ? 'OK' : 'BAD_REQUEST']);
      }
    });

    it('accepts a document without the flag whatever the reading', async () => {
      await control.setReadings({ archiveFlag: 'toBeArhieved' });
      const person = await identified();
      const answer = await wire.startSigning(person.clientIdentificator, person.signSessionId, [{ fileName: 'a.pdf', content: await samplePdf('no flag') }]);
      expect(answer.status).toBe(200);
    });
  });

  describe('webhooks on demand', () => {
    it('sends the webhook a record implies, with a forced processState, and repeats one with its requestId', async () => {
      const callbackToken = token();
      const web = await wire.startWeb(webhooks.url(callbackToken));
      const open = await control.sendWebhook({ webSessionId: web.webSessionId });
      expect(open).toMatchObject({ code: 'OK', data: { processState: 'START_WEB_SESSION', sessionId: web.webSessionId, resultId: String(web.resultId) } });
      const forced = await control.sendWebhook({ resultId: web.resultId }, { processState: 'REGIX' });
      expect(forced.data.processState).toBe('REGIX');
      const repeated = await control.repeatWebhook({ requestId: open.requestId });
      expect(repeated).toEqual(open);

      const received = await webhooks.waitFor(callbackToken, 3);
      expect(received.map((body) => body.requestId)).toEqual([open.requestId, forced.requestId, open.requestId]);
    });

    it('sends a signing webhook by its resultId and repeats the last one about it', async () => {
      const { person, resultId } = await startedSigning();
      await control.post(`/sandbox/signings/${resultId}/sign`);
      await webhooks.waitFor(person.token, 2);
      const sent = await control.sendWebhook({ resultId });
      expect(sent).toMatchObject({ code: 'OK', data: { processState: 'SIGN_SESSION', resultId, sessionId: person.signSessionId } });
      const repeated = await control.repeatWebhook({ resultId });
      expect(repeated.requestId).toBe(sent.requestId);
      const received = await webhooks.waitFor(person.token, 4);
      expect(received.slice(2).map((body) => body.requestId)).toEqual([sent.requestId, sent.requestId]);
    });

    it('refuses a send naming no record or an unknown one, and a repeat of nothing sent', async () => {
      expect((await refusedControl('/sandbox/callbacks/send', {})).status).toBe(400);
      expect((await refusedControl('/sandbox/callbacks/send', { resultId: 999999 })).status).toBe(404);
      expect((await refusedControl('/sandbox/callbacks/send', { webSessionId: 'nope' })).status).toBe(404);
      expect((await refusedControl('/sandbox/callbacks/send', { resultId: 1, code: 'not a word' })).status).toBe(400);
      expect((await refusedControl('/sandbox/callbacks/repeat', { requestId: 1 })).status).toBe(404);
    });
  });
});
