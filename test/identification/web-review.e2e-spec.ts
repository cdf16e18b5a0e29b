import { DataSource } from 'typeorm';
import { jsonDocument, pdf, SigningDriver } from '../signing/signing-support';
import { eventually, SandboxControl, WebFailureStep } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';

const SESSION_MS = 3_000;
const GRACE_MS = 500;
/** A short web session and quick reconciliation, so that deadlines pass within a test. */
const QUICK = {
  SANDBOX_WEB_SESSION_VALIDITY_MS: String(SESSION_MS),
  BTRUST_DEADLINE_GRACE_MS: String(GRACE_MS),
  WEB_RECONCILE_QUIET_PERIOD_MS: '200',
  WEB_RECONCILE_INTERVAL_MS: '300',
  // Every signing asks B-Trust first: the tests below show what that catches.
  WEB_IDENTIFICATION_REFRESH_BEFORE_SIGNING_MS: '0',
  // Generous: the machine may be busy; no test here waits for a timeout.
  BTRUST_TIMEOUT_MS: '8000',
  BTRUST_RETRY_ATTEMPTS: '1',
  BTRUST_BREAKER_THRESHOLD: '1000',
};
const OPEN = ['STARTED', 'UNDER_REVIEW'];

interface WebView {
  id: string;
  status: string;
  expiresAt: string | null;
  signingAvailableUntil: string | null;
  provider: { status: string | null; step: string | null; registrationStatus: string | null; reviewStatus: string | null };
  failure: { code: string; message: string } | null;
}

/**
 * Scenarios 2, 4 and 5 when an agent reviews the identification, denies it after approving it,
 * or B-Trust reports a failure step; and the dates, refusals and missing certificates the
 * document allows. Real server, real sandbox over mutual TLS.
 */
describe('Web identification follows the agent\'s review', () => {
  let server: TestServer;
  let sandbox: SandboxControl;
  let driver: SigningDriver;

  beforeAll(async () => {
    server = await startTestServer(QUICK);
    sandbox = new SandboxControl(server.sandboxPagesUrl!);
    driver = new SigningDriver(server);
  });
  afterAll(() => server?.stop());
  beforeEach(() => sandbox.reset());

  const view = async (id: string): Promise<WebView> => (await driver.api().get(`/api/v1/web-identifications/${id}`).expect(200)).body;
  const until = (id: string, status: string, timeoutMs = 20_000) => eventually(() => view(id), (body) => body.status === status, timeoutMs);
  const ended = (id: string) => eventually(() => view(id), (body) => !OPEN.includes(body.status));
  const trail = async (id: string): Promise<Array<{ to_state: string; cause: string; at: Date }>> =>
    server.app.get(DataSource).query('SELECT to_state, cause, at FROM state_transitions WHERE entity_id = $1 ORDER BY id', [id]);
  const sign = async (identificationId: string) =>
    driver.postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'Contract'), 'contract.pdf')], ...driver.urls() });
  const pastDeadline = async (body: WebView) => {
    const wait = new Date(body.expiresAt!).getTime() + GRACE_MS + 1_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };

  describe('review=manual: an agent\'s review outlasts the web session', () => {
    it('stays UNDER_REVIEW past the web session\'s date and becomes IDENTIFIED when the agent approves', async () => {
      await sandbox.setReadings({ review: 'manual' });
      const { id, webSessionId } = await driver.startIdentification();
      await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`);
      const reviewing = await until(id, 'UNDER_REVIEW');
      expect(reviewing.provider).toMatchObject({ registrationStatus: 'COMPLETED', reviewStatus: 'FINALIZE_REJECT' });

      await pastDeadline(reviewing);
      const asksBefore = (await sandbox.calls()).getRegistrationStatus ?? 0;
      await eventually(
        async () => (await sandbox.calls()).getRegistrationStatus ?? 0,
        (asks) => asks >= asksBefore + 2,
      );
      // Asked again past the date, and still waiting for the agent.
      expect((await view(id)).status).toBe('UNDER_REVIEW');

      await sandbox.review(webSessionId, 'ALLOWED');
      const identified = await until(id, 'IDENTIFIED');
      expect(identified).toMatchObject({ failure: null, signingAvailableUntil: expect.any(String) });
      const refreshed = (await driver.api().get(`/api/v1/web-identifications/${id}?refresh=true`).expect(200)).body as WebView;
      expect(refreshed.provider.reviewStatus).toBe('ALLOWED');
      expect((await trail(id)).map((move) => move.to_state)).toEqual(['STARTED', 'UNDER_REVIEW', 'IDENTIFIED']);
      await driver.api().get(`/api/v1/web-identifications/${id}/certificate`).expect(200);
    });

    it('ends REJECTED when the agent rejects it after the web session\'s date', async () => {
      await sandbox.setReadings({ review: 'manual' });
      const { id, webSessionId } = await driver.startIdentification();
      await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`);
      await pastDeadline(await until(id, 'UNDER_REVIEW'));
      await sandbox.review(webSessionId, 'DENIED');
      const rejected = await ended(id);
      expect(rejected).toMatchObject({ status: 'REJECTED', failure: { code: 'REJECTED' } });
    });
  });

  describe('a DENIED after ALLOW_DENY', () => {
    it('moves IDENTIFIED to DENIED on the webhook, and refuses new signings with 409 IDENTIFICATION_DENIED', async () => {
      const id = await driver.identify();
      // The approval's webhook may move it to IDENTIFIED on 2.5 alone; scenario 4 is asked on refresh.
      const refreshed = (await driver.api().get(`/api/v1/web-identifications/${id}?refresh=true`).expect(200)).body as WebView;
      expect(refreshed.provider.reviewStatus).toBe('ALLOW_DENY');
      const { webSessionId } = (await server.app.get(DataSource).query('SELECT web_session_id AS "webSessionId" FROM web_identifications WHERE id = $1', [id]))[0];
      await sandbox.deny(webSessionId);

      const denied = await until(id, 'DENIED');
      expect(denied).toMatchObject({ failure: { code: 'IDENTIFICATION_DENIED' }, signingAvailableUntil: null });
      expect(denied.provider.reviewStatus).toBe('DENIED');

      const before = (await sandbox.calls()).startSignSession ?? 0;
      const refused = await sign(id);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'IDENTIFICATION_DENIED', detail: expect.stringContaining('denied') });
      expect((await sandbox.calls()).startSignSession ?? 0).toBe(before);
      await driver.api().get(`/api/v1/web-identifications/${id}/certificate`).expect(409);
    });

    it('sees a denial whose webhook was lost when a signing starts, before the paid call', async () => {
      const id = await driver.identify();
      const [{ webSessionId }] = await server.app.get(DataSource).query('SELECT web_session_id AS "webSessionId" FROM web_identifications WHERE id = $1', [id]);
      // The approval's webhooks may still be on their way: each would make the server ask B-Trust and see the denial.
      // Drop every webhook from here on, and let those already received be processed before the agent denies.
      await sandbox.post('/sandbox/callbacks/knobs', { drop: 100 });
      await eventually(
        async () => Number((await server.app.get(DataSource).query("SELECT count(*) FROM callback_inbox WHERE subject_id = $1 AND outcome = 'PENDING'", [id]))[0].count),
        (pending) => pending === 0,
      );
      await sandbox.deny(webSessionId);
      await eventually(
        () => sandbox.get<{ deliveries: Array<{ outcome: string }> }>('/sandbox/callbacks/deliveries'),
        (body) => body.deliveries.some((delivery) => delivery.outcome === 'dropped'),
      );
      expect((await view(id)).status).toBe('IDENTIFIED');

      const refused = await sign(id);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('IDENTIFICATION_DENIED');
      expect((await sandbox.calls()).startSignSession ?? 0).toBe(0);
      expect((await trail(id)).at(-1)).toMatchObject({ to_state: 'DENIED', cause: 'before-signing' });
    });

    it('refuses a signing as retryable (503) when B-Trust cannot be asked first, and sends nothing', async () => {
      const id = await driver.identify();
      // Armed for every ask, not one: the reconciliation loop or a late webhook may ask first and use it up.
      await sandbox.fault('getWebIdentificationStatus', 'http500', 1_000);
      const refused = await sign(id);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('30');
      expect(refused.body.code).toBe('IDENTIFICATION_STATUS_UNAVAILABLE');
      expect((await sandbox.calls()).startSignSession ?? 0).toBe(0);
      expect((await view(id)).status).toBe('IDENTIFIED');

      // Once B-Trust answers again the same signing goes through.
      await sandbox.delete('/sandbox/faults');
      const started = await sign(id);
      expect(started.status).toBe(201);
      expect((await sandbox.calls()).startSignSession).toBe(1);
    });
  });

  describe('failure steps (scenario 5) end FAILED or REJECTED with the step, never EXPIRED', () => {
    it.each<[WebFailureStep, 'REJECTED' | 'EXPIRED' | 'STARTED' | undefined, string]>([
      ['WEB_IDV_REGISTRATION_FAILED', undefined, 'FAILED'],
      ['WEB_IDV_REGISTRATION_FAILED', 'EXPIRED', 'FAILED'],
      ['UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED', 'STARTED', 'FAILED'],
      ['WEB_IDV_REGISTRATION_FAILED', 'REJECTED', 'REJECTED'],
    ])('%s with the registration %s → %s', async (step, registrationStatus, expected) => {
      const { id, webSessionId } = await driver.startIdentification();
      await sandbox.fail(webSessionId, step, registrationStatus);
      const failed = await ended(id);
      expect(failed.status).toBe(expected);
      expect(failed.provider.step).toBe(step);
      expect(failed.failure!.code).toBe(expected === 'FAILED' ? step : 'REJECTED');
    });

    it('keeps an agent-reviewed identification that fails FAILED, past the web session\'s date', async () => {
      await sandbox.setReadings({ review: 'manual' });
      const { id, webSessionId } = await driver.startIdentification();
      await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`);
      const reviewing = await until(id, 'UNDER_REVIEW');
      await sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
      await sandbox.fail(webSessionId, 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED');
      await pastDeadline(reviewing);
      const failed = await ended(id);
      expect(failed).toMatchObject({ status: 'FAILED', failure: { code: 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED' } });
    });
  });

  describe.each(['no-offset', 'compact'] as const)('dates=%s', (dates) => {
    it('reads the web session\'s deadline and the sign session\'s expiry', async () => {
      await sandbox.setReadings({ dates });
      const { id, webSessionId } = await driver.startIdentification();
      const record = (await sandbox.state()).webIdentifications.find((web) => web.webSessionId === webSessionId)!;
      const started = await view(id);
      expect(Math.abs(new Date(started.expiresAt!).getTime() - (new Date(record.createdAt).getTime() + SESSION_MS))).toBeLessThan(1_000);

      await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`);
      const identified = await until(id, 'IDENTIFIED');
      const signSession = (await sandbox.state()).webIdentifications.find((web) => web.webSessionId === webSessionId) as { signSessionExpireDate?: string };
      expect(Math.abs(new Date(identified.signingAvailableUntil!).getTime() - new Date(signSession.signSessionExpireDate!).getTime())).toBeLessThan(1_000);
    });

    it('ends a session the person never finished EXPIRED once its deadline has passed, not before', async () => {
      await sandbox.setReadings({ dates });
      const { id } = await driver.startIdentification();
      const started = await view(id);
      const expired = await ended(id);
      expect(expired).toMatchObject({ status: 'EXPIRED', failure: { code: 'EXPIRED' } });
      const [move] = (await trail(id)).filter((entry) => entry.to_state === 'EXPIRED');
      expect(move.cause).toBe('reconcile');
      // B-Trust's own EXPIRED (4.1) or our last ask: either way not before the date B-Trust gave.
      expect(move.at.getTime()).toBeGreaterThanOrEqual(new Date(started.expiresAt!).getTime());
    });
  });

  describe('with reconciliation out of the way, so that the webhook alone asks 2.5', () => {
    let webhookServer: TestServer;
    let webhookSandbox: SandboxControl;
    let webhookDriver: SigningDriver;

    beforeAll(async () => {
      webhookServer = await startTestServer({ ...QUICK, WEB_RECONCILE_QUIET_PERIOD_MS: '86400000' });
      webhookSandbox = new SandboxControl(webhookServer.sandboxPagesUrl!);
      webhookDriver = new SigningDriver(webhookServer);
    });
    afterAll(() => webhookServer?.stop());
    beforeEach(() => webhookSandbox.reset());

    it.each([400, 401, 403, 404, 500] as const)(
      'ends a refused identification REJECTED from scenarios 5 and 4 when 2.5 refuses with %s',
      async (rejectedStatus) => {
        await webhookSandbox.setReadings({ rejectedStatus });
        const { id, webSessionId } = await webhookDriver.startIdentification();
        await webhookSandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
        await webhookSandbox.post(`/sandbox/web-identifications/${webSessionId}/reject`);
        // A webhook that claims success: 2.5 answers REJECTED with this status, and that is no verdict.
        await webhookSandbox.sendWebhook({ webSessionId }, { code: 'OK' });
        const viewOf = async () => (await webhookDriver.api().get(`/api/v1/web-identifications/${id}`).expect(200)).body as WebView;
        const rejected = await eventually(viewOf, (body) => !OPEN.includes(body.status));
        expect(rejected.status).toBe('REJECTED');
        expect((await webhookSandbox.calls()).getWebIdentificationResult).toBeGreaterThanOrEqual(1);
      },
    );
  });

  describe.each([400, 401, 403, 404, 500] as const)('rejectedStatus=%s on 2.5', (rejectedStatus) => {

    it('still identifies an approved one', async () => {
      await sandbox.setReadings({ rejectedStatus });
      const id = await driver.identify();
      expect((await view(id)).status).toBe('IDENTIFIED');
    });
  });

  describe.each([
    [400, 422, 'PROVIDER_REJECTED'],
    [404, 422, 'PROVIDER_REJECTED'],
    [401, 502, 'PROVIDER_ACCESS_REFUSED'],
    [403, 502, 'PROVIDER_ACCESS_REFUSED'],
    [500, 502, 'UPSTREAM_ERROR'],
  ] as const)('rejectedStatus=%s on 2.2', (rejectedStatus, status, code) => {
    it(`answers ${status} ${code} and leaves the identification FAILED with the reason, sent once`, async () => {
      await sandbox.setReadings({ rejectedStatus });
      // The web session expires while 2.2 is on its way, so the sandbox refuses the registration.
      await sandbox.fault('createRegistration', 'delay', 1, SESSION_MS + 500);
      const response = await driver.api().post('/api/v1/web-identifications').send({ reason: 'Late', ...driver.urls() });
      expect(response.status).toBe(status);
      expect(response.body.code).toBe(code);
      const [row] = await server.app.get(DataSource).query('SELECT status, failure_message FROM web_identifications ORDER BY created_at DESC LIMIT 1');
      expect(row.status).toBe('FAILED');
      expect(row.failure_message).toContain('createRegistration');
      expect((await sandbox.calls()).createRegistration).toBe(1);
    });
  });

  it('eidCertificate=missing-first: asks 2.5 again and is IDENTIFIED only with the certificate', async () => {
    await sandbox.setReadings({ eidCertificate: 'missing-first' });
    const { id, webSessionId } = await driver.startIdentification();
    await sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`);
    await until(id, 'IDENTIFIED');
    const [row] = await server.app.get(DataSource).query('SELECT eid_certificate_misses FROM web_identifications WHERE id = $1', [id]);
    expect(row.eid_certificate_misses).toBe(1);
    expect((await sandbox.calls()).getWebIdentificationResult).toBeGreaterThanOrEqual(2);
    const certificate = await driver.api().get(`/api/v1/web-identifications/${id}/certificate`).buffer(true).expect(200);
    expect(Buffer.from(certificate.body).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('Web identification whose eID certificate never comes', () => {
  let server: TestServer;
  let driver: SigningDriver;

  beforeAll(async () => {
    server = await startTestServer({ ...QUICK, EID_CERTIFICATE_FETCH_ATTEMPTS: '1' });
    driver = new SigningDriver(server);
  });
  afterAll(() => server?.stop());

  it('ends FAILED with EID_CERTIFICATE_MISSING once the answers without it reach EID_CERTIFICATE_FETCH_ATTEMPTS', async () => {
    await driver.sandbox.setReadings({ eidCertificate: 'missing-first' });
    const { id, webSessionId } = await driver.startIdentification();
    await driver.sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`);
    const failed = await eventually(
      async () => (await driver.api().get(`/api/v1/web-identifications/${id}`).expect(200)).body,
      (body) => !OPEN.includes(body.status),
    );
    expect(failed).toMatchObject({ status: 'FAILED', failure: { code: 'EID_CERTIFICATE_MISSING' } });
    await driver.api().get(`/api/v1/web-identifications/${id}/certificate`).expect(409);
  });
});
