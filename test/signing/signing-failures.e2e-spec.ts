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

  it.each([
    ['http503', 503, 'UPSTREAM_UNAVAILABLE', 'UNAVAILABLE'],
    ['http500', 502, 'UPSTREAM_ERROR', 'UPSTREAM_ERROR'],
  ])('answers a startSignSession %s with %i %s and ends the signing FAILED', async (kind, status, code, failureCode) => {
    await driver.sandbox.fault('startSignSession', kind, 1);
    const response = await sign(`fault-${kind}`, status);
    expect(response.body.code).toBe(code);
    const [row] = await driver.db().query(
      'SELECT id FROM signings WHERE web_identification_id = $1 ORDER BY created_at DESC LIMIT 1',
      [identificationId],
    );
    const failed = await driver.signing(row.id);
    expect(failed).toMatchObject({ status: 'FAILED', failure: { code: failureCode } });
    // The failed signing holds no sign session: the next one starts.
    const next = (await sign(`retry-${kind}`)).body;
    await driver.act(next.redirectUrl, 'reject');
    await driver.until(next.id, 'REJECTED');
  });

  it('answers 504 UPSTREAM_TIMEOUT when B-Trust does not answer startSignSession in time', async () => {
    await driver.sandbox.fault('startSignSession', 'delay', 1, 3000);
    const response = await sign('slow', 504);
    expect(response.body.code).toBe('UPSTREAM_TIMEOUT');
  });
});
