import { DataSource } from 'typeorm';
import { CasMetrics } from '../../src/metrics/cas-metrics';
import { eventually, type SandboxReadings } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';
import { jsonDocument, pdf, SigningDriver } from '../signing/signing-support';

interface InboxRow {
  process_state: string;
  session_id: string;
  relying_party_id: string;
  foreign_relying_party: boolean;
  session_id_match: string | null;
  outcome: string;
}

/**
 * Webhooks are tied to their flow by the callback URL and the resultId: the
 * sandbox sends them in every way the document allows (another relyingPartyId,
 * the registration's sessionId, the next sign session), and each must drive
 * its flow to the end. Reconciliation is kept out of the way, so only a
 * webhook can end a flow here.
 */
describe('Webhooks tied by callback URL and resultId', () => {
  let server: TestServer;
  let driver: SigningDriver;

  beforeAll(async () => {
    server = await startTestServer({
      SANDBOX_CALLBACK_DELAY_MS: '20',
      WEB_RECONCILE_QUIET_PERIOD_MS: '86400000',
      WEB_RECONCILE_INTERVAL_MS: '86400000',
    });
    driver = new SigningDriver(server);
  });
  afterAll(() => server?.stop());
  beforeEach(() => driver.sandbox.reset());

  const db = (): DataSource => driver.db();
  const inbox = (identificationId: string): Promise<InboxRow[]> =>
    db().query(
      `SELECT process_state, session_id, relying_party_id, foreign_relying_party, session_id_match, outcome
         FROM callback_inbox WHERE subject_id = $1 ORDER BY received_at`,
      [identificationId],
    );
  const unexpectedIds = async (field: 'relyingPartyId' | 'sessionId'): Promise<number> =>
    (await server.app.get(CasMetrics).callbacksUnexpectedIds.get()).values.find((sample) => sample.labels.field === field)?.value ?? 0;
  const providerIds = async (identificationId: string) => {
    const [row] = await db().query(
      'SELECT web_session_id, registration_session_id, result_id, sign_session_id FROM web_identifications WHERE id = $1',
      [identificationId],
    );
    const record = (await driver.sandbox.state()).webIdentifications.find((web) => web.webSessionId === row.web_session_id)!;
    return {
      webSessionId: row.web_session_id as string,
      registrationSessionId: row.registration_session_id as string,
      resultId: row.result_id as string,
      signSessionId: row.sign_session_id as string,
      callbackPath: record.requestCallbackPath,
    };
  };
  const webhook = (processState: string, sessionId: string, resultId: string) => ({
    code: 'OK',
    message: 'The request has been executed successfully.',
    requestId: Math.floor(Math.random() * 1e9),
    relyingPartyId: 24102167,
    data: { processState, sessionId, resultId, dataMessage: `The request with resultID ${resultId} completed successfully` },
  });
  const startSigning = async (identificationId: string, label: string) => {
    const created = await driver
      .postJson(identificationId, { documents: [jsonDocument(await pdf(1, label), `${label}.pdf`)], ...driver.urls() })
      .expect(201);
    return { id: created.body.id as string, redirectUrl: created.body.redirectUrl as string };
  };

  describe.each<[string, Partial<SandboxReadings>, { relyingPartyId: string; identification: string; signing: string }]>([
    ['the default readings', {}, { relyingPartyId: '24102167', identification: 'WEB_SESSION', signing: 'SIGN_SESSION_USED' }],
    ['webhookRelyingPartyId=other', { webhookRelyingPartyId: 'other' }, { relyingPartyId: '24102168', identification: 'WEB_SESSION', signing: 'SIGN_SESSION_USED' }],
    [
      'identificationWebhookSessionId=registration-session',
      { identificationWebhookSessionId: 'registration-session' },
      { relyingPartyId: '24102167', identification: 'REGISTRATION_SESSION', signing: 'SIGN_SESSION_USED' },
    ],
    [
      'signingWebhookSessionId=next-sign-session',
      { signingWebhookSessionId: 'next-sign-session' },
      { relyingPartyId: '24102167', identification: 'WEB_SESSION', signing: 'SIGN_SESSION_HANDED' },
    ],
  ])('%s', (_reading, readings, expected) => {
    it('the webhooks alone make the identification IDENTIFIED and the signing SIGNED, and the inbox says which ids they named', async () => {
      await driver.sandbox.setReadings(readings);
      const foreignBefore = await unexpectedIds('relyingPartyId');
      const sessionBefore = await unexpectedIds('sessionId');

      const identificationId = await driver.identify();
      const identified = await providerIds(identificationId);
      expect(await driver.transitions(identificationId)).toEqual(expect.arrayContaining([expect.objectContaining({ to_state: 'IDENTIFIED', cause: 'callback' })]));

      const signing = await startSigning(identificationId, 'contract');
      await driver.act(signing.redirectUrl, 'sign');
      await driver.until(signing.id, 'SIGNED');
      expect((await driver.transitions(signing.id)).at(-1)).toEqual({ from_state: 'PENDING', to_state: 'SIGNED', cause: 'callback' });

      const rows = await inbox(identificationId);
      const next = await providerIds(identificationId);
      expect(next.signSessionId).not.toBe(identified.signSessionId);
      const foreign = expected.relyingPartyId !== '24102167';
      expect(rows).toEqual([
        {
          process_state: 'CREATE_SIGN_SESSION_REQUEST',
          session_id: expected.identification === 'WEB_SESSION' ? identified.webSessionId : identified.registrationSessionId,
          relying_party_id: expected.relyingPartyId,
          foreign_relying_party: foreign,
          session_id_match: expected.identification,
          outcome: 'APPLIED',
        },
        {
          process_state: 'SIGN_SESSION',
          session_id: expected.signing === 'SIGN_SESSION_USED' ? identified.signSessionId : next.signSessionId,
          relying_party_id: expected.relyingPartyId,
          foreign_relying_party: foreign,
          session_id_match: expected.signing,
          outcome: 'APPLIED',
        },
      ]);
      expect(await unexpectedIds('relyingPartyId')).toBe(foreignBefore + (foreign ? 2 : 0));
      expect(await unexpectedIds('sessionId')).toBe(sessionBefore);
    });
  });

  it('applies a webhook whose sessionId is none of the flow\'s ids, records NONE and counts it', async () => {
    const { id, webSessionId } = await driver.startIdentification();
    const ids = await providerIds(id);
    await driver.sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
    await driver.sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`);
    const before = await unexpectedIds('sessionId');

    await driver.api().post(ids.callbackPath).send(webhook('CREATE_SIGN_SESSION_REQUEST', 'an-id-we-never-saw', ids.resultId)).expect(200, { status: 'accepted' });
    await eventually(
      async () => (await driver.api().get(`/api/v1/web-identifications/${id}`).expect(200)).body.status,
      (status) => status === 'IDENTIFIED',
    );
    expect(await driver.transitions(id)).toEqual(expect.arrayContaining([expect.objectContaining({ to_state: 'IDENTIFIED', cause: 'callback' })]));
    expect(await inbox(id)).toEqual([expect.objectContaining({ session_id: 'an-id-we-never-saw', session_id_match: 'NONE', outcome: 'APPLIED' })]);
    expect(await unexpectedIds('sessionId')).toBe(before + 1);
  });

  it('hands a webhook whose processState names the identification but whose resultId is a signing\'s to that signing', async () => {
    const identificationId = await driver.identify();
    const signing = await startSigning(identificationId, 'annex');
    const resultId = await driver.resultIdOf(signing.redirectUrl);
    await driver.sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
    await driver.act(signing.redirectUrl, 'sign');
    const ids = await providerIds(identificationId);

    // Reading: webhooks fire on every status change, with processStates the document does not name.
    await driver.api().post(ids.callbackPath).send(webhook('SIGNING_STATUS_CHANGED', ids.signSessionId, resultId)).expect(200);
    await driver.until(signing.id, 'SIGNED');
    expect((await driver.transitions(signing.id)).at(-1)).toEqual({ from_state: 'PENDING', to_state: 'SIGNED', cause: 'callback' });
    expect((await inbox(identificationId)).at(-1)).toEqual(
      expect.objectContaining({ process_state: 'SIGNING_STATUS_CHANGED', session_id_match: 'SIGN_SESSION_USED', outcome: 'APPLIED' }),
    );
  });

  it('still records a resultId that names nothing of the flow as MISMATCH and changes nothing', async () => {
    const { id } = await driver.startIdentification();
    const ids = await providerIds(id);
    await driver.api().post(ids.callbackPath).send(webhook('CREATE_SIGN_SESSION_REQUEST', ids.webSessionId, '999999999')).expect(200);
    const [row] = await eventually(() => inbox(id), (rows) => rows.length > 0 && rows.every((entry) => entry.outcome !== 'PENDING'));
    expect(row).toEqual(expect.objectContaining({ outcome: 'MISMATCH', session_id_match: null }));
    expect((await driver.api().get(`/api/v1/web-identifications/${id}`).expect(200)).body.status).toBe('STARTED');
    expect((await driver.sandbox.calls()).getWebIdentificationResult ?? 0).toBe(0);
  });
});
