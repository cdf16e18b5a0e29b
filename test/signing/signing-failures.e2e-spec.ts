import { startTestServer, TestServer } from '../support/test-server';
import { jsonDocument, pdf, SigningDriver } from './signing-support';

describe('Signing failures (SIGNING_REJECT_INVALID=true, provider errors)', () => {
  let server: TestServer;
  let driver: SigningDriver;
  let identificationId: string;

  beforeAll(async () => {
    server = await startTestServer({
      SANDBOX_CALLBACK_DELAY_MS: '20',
      WEB_RECONCILE_QUIET_PERIOD_MS: '3000',
      WEB_RECONCILE_INTERVAL_MS: '250',
      SIGNING_REJECT_INVALID: 'true',
      // Short, for the timeout test; the tampering used below answers well within it.
      BTRUST_TIMEOUT_MS: '2500',
    });
    driver = new SigningDriver(server);
    identificationId = await driver.identify();
  });
  afterAll(() => server?.stop());
  beforeEach(() => driver.sandbox.reset());

  const sign = async (label: string, status = 201) =>
    driver.postJson(identificationId, { documents: [jsonDocument(await pdf(1, label), `${label}.pdf`)], ...driver.urls() }).expect(status);

  it('ends FAILED when a signed PDF fails verification, keeps the evidence, and the next signing still works', async () => {
    await driver.sandbox.fault('getSignedDocuments', 'tamper-other-document', 1);
    const created = (await sign('replaced')).body;
    await driver.act(created.redirectUrl, 'sign');
    const failed = await driver.until(created.id, 'FAILED');
    expect(failed.failure).toEqual({ code: 'VERIFICATION_FAILED', message: expect.any(String) });
    expect(failed.documents[0]).toMatchObject({
      signedSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      verification: { valid: false, problems: ['ORIGINAL_MODIFIED'] },
    });
    const download = await driver.api().get(`/api/v1/signings/${created.id}/documents/0`).expect(409);
    expect(download.body.code).toBe('NOT_SIGNED');

    const next = (await sign('after-failure')).body;
    await driver.act(next.redirectUrl, 'sign');
    const signed = await driver.until(next.id, 'SIGNED');
    expect(signed.documents[0].verification.valid).toBe(true);
  });

  it.each(['http503', 'http500', 'reset'])(
    'answers a startSignSession %s with 502 PROVIDER_OUTCOME_UNKNOWN and keeps the signing OUTCOME_UNKNOWN, never FAILED',
    async (kind) => {
      await driver.sandbox.fault('startSignSession', kind, 1);
      const response = await sign(`fault-${kind}`, 502);
      expect(response.body).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN', id: expect.any(String) });
      expect(await driver.signing(response.body.id)).toMatchObject({ status: 'OUTCOME_UNKNOWN', failure: { code: 'PROVIDER_OUTCOME_UNKNOWN' } });
      // It may hold the sign session at B-Trust: no second paid start until an operator settles it.
      expect((await sign(`retry-${kind}`, 409)).body.code).toBe('SIGNING_IN_PROGRESS');
      await driver.api().post(`/api/v1/admin/signings/${response.body.id}/resolve`).send({ outcome: 'NOT_STARTED' }).expect(200);
      const next = (await sign(`after-${kind}`)).body;
      await driver.act(next.redirectUrl, 'reject');
      await driver.until(next.id, 'REJECTED');
    },
  );

  it('answers 502 PROVIDER_OUTCOME_UNKNOWN when B-Trust does not answer startSignSession in time', async () => {
    await driver.sandbox.fault('startSignSession', 'delay', 1, 3000);
    const response = await sign('slow', 502);
    expect(response.body.code).toBe('PROVIDER_OUTCOME_UNKNOWN');
    await driver.api().post(`/api/v1/admin/signings/${response.body.id}/resolve`).send({ outcome: 'NOT_STARTED' }).expect(200);
  });
});
