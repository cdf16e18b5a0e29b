import { createHash } from 'node:crypto';
import { BtrustClient } from '../../src/btrust/btrust.client';
import { sampleValue } from '../metrics/prometheus-text';
import { eventually } from '../support/sandbox-control';
import { startTestServer, TestServer } from '../support/test-server';
import { jsonDocument, pdf, SigningDriver } from './signing-support';

const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

/**
 * Signing against each way the document lets B-Trust answer (sandbox readings), over mutual
 * TLS: a signing ends only on evidence. The reconciliation's quiet period is far shorter than
 * the person takes to sign, so 3.3 is asked before the signature many times.
 */
describe('Signing under every reading of B-Trust (scenario 3)', () => {
  let server: TestServer;
  let driver: SigningDriver;

  beforeAll(async () => {
    server = await startTestServer({
      SANDBOX_CALLBACK_DELAY_MS: '20',
      WEB_RECONCILE_QUIET_PERIOD_MS: '300',
      WEB_RECONCILE_INTERVAL_MS: '200',
      BTRUST_DEADLINE_GRACE_MS: '500',
      // Long enough that a web identification waiting for its approval on a loaded machine is not taken for one whose
      // start never finished; the timed-out 3.1 is in signing-failures.e2e-spec.ts, a reset after the write here.
      BTRUST_TIMEOUT_MS: '60000',
      BTRUST_BREAKER_THRESHOLD: '500',
    });
    driver = new SigningDriver(server);
  });
  afterAll(() => server?.stop());
  beforeEach(() => driver.sandbox.reset());

  const sign = async (identificationId: string, label: string, documents = 1) => {
    const originals = await Promise.all(Array.from({ length: documents }, (_, index) => pdf(1, `${label} ${index + 1}`)));
    const created = await driver
      .postJson(identificationId, { documents: originals.map((content, index) => jsonDocument(content, `${label}-${index + 1}.pdf`)), ...driver.urls() })
      .expect(201);
    return { id: created.body.id as string, redirectUrl: created.body.redirectUrl as string, originals };
  };
  /** How many times 3.3 was asked since the last reset, for any signing. */
  const asked = async () => (await driver.sandbox.calls()).getSignedDocuments ?? 0;
  /**
   * Until reconciliation has asked B-Trust about this signing `rounds` more times (it stamps
   * `last_reconciled_at` as it asks): other signings left open by earlier tests are asked too.
   */
  async function reconciledRounds(id: string, rounds: number): Promise<void> {
    const seen = new Set<string>();
    await eventually(
      async () => {
        const [row] = await driver.db().query('SELECT last_reconciled_at FROM signings WHERE id = $1', [id]);
        if (row.last_reconciled_at) seen.add(row.last_reconciled_at.toISOString());
        return seen.size;
      },
      (size) => size >= rounds,
    );
  }
  /** The signing's deadline has passed, as if its sign session had expired (the sandbox's lasts hours). */
  const pastDeadline = (id: string) => driver.db().query(`UPDATE signings SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
  const configurationFaults = async () =>
    sampleValue((await driver.api().get('/metrics').expect(200)).text, 'btrust_cas_btrust_configuration_faults_total', { operation: 'getSignedDocuments' }) ?? 0;
  const download = async (id: string, index: number) =>
    (await driver.api().get(`/api/v1/signings/${id}/documents/${index}`).buffer(true).expect(200)).body as Buffer;

  describe.each(['404-not-found', '404-rejected', '400-rejected'] as const)('3.3 answers %s before the person signs', (notYetAnswer) => {
    it('stays PENDING while the person takes longer than the quiet period, then ends SIGNED', async () => {
      await driver.sandbox.setReadings({ notYetAnswer });
      const identificationId = await driver.identify();
      const signing = await sign(identificationId, `slow-${notYetAnswer}`);
      await reconciledRounds(signing.id, 4);
      expect((await driver.signing(signing.id)).status).toBe('PENDING');

      await driver.act(signing.redirectUrl, 'sign');
      const signed = await driver.until(signing.id, 'SIGNED');
      expect(signed.documents[0].verification.valid).toBe(true);
      expect((await driver.transitions(signing.id)).map((move) => move.to_state)).toEqual(['PENDING', 'SIGNED']);
    });
  });

  describe('the deadline', () => {
    it('keeps an unsigned signing PENDING until its deadline and grace have passed, then asks once more and ends EXPIRED', async () => {
      const identificationId = await driver.identify();
      const signing = await sign(identificationId, 'lapsing');
      await driver.act(signing.redirectUrl, 'expire');
      await reconciledRounds(signing.id, 4);
      expect((await driver.signing(signing.id)).status).toBe('PENDING');

      await pastDeadline(signing.id);
      const expired = await driver.until(signing.id, 'EXPIRED');
      expect(expired.failure.code).toBe('EXPIRED');
      expect((await driver.transitions(signing.id)).at(-1)).toEqual({ from_state: 'PENDING', to_state: 'EXPIRED', cause: 'reconcile' });
    });

    it('ends SIGNED at the last ask when the person signed and the webhook never came', async () => {
      const identificationId = await driver.identify();
      const signing = await sign(identificationId, 'late');
      await driver.sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
      await driver.act(signing.redirectUrl, 'sign');
      await pastDeadline(signing.id);
      const signed = await driver.until(signing.id, 'SIGNED');
      expect(signed.documents[0].verification.valid).toBe(true);
    });

    it('reads a sign session expiry without an offset (dates=no-offset) as Sofia time, and still signs', async () => {
      await driver.sandbox.setReadings({ dates: 'no-offset' });
      const identificationId = await driver.identify();
      const signing = await sign(identificationId, 'local-time');
      const atSandbox = (await driver.sandbox.state()).signings.find((candidate) => candidate.clientDocumentUrl === signing.redirectUrl) as unknown as {
        expireDate: string;
      };
      const pending = await driver.signing(signing.id);
      expect(pending.expiresAt).toBe(new Date(atSandbox.expireDate).toISOString());
      await reconciledRounds(signing.id, 2);
      await driver.act(signing.redirectUrl, 'sign');
      await driver.until(signing.id, 'SIGNED');
    });
  });

  describe.each([401, 403, 500] as const)('3.3 answers REJECTED with HTTP %i after the person refused', (rejectedStatus) => {
    it('stays PENDING, before and after the deadline: no answer of B-Trust says what happened', async () => {
      await driver.sandbox.setReadings({ rejectedStatus });
      const identificationId = await driver.identify();
      const signing = await sign(identificationId, `refused-${rejectedStatus}`);
      const faultsBefore = await configurationFaults();
      await driver.act(signing.redirectUrl, 'reject');
      await reconciledRounds(signing.id, 3);
      expect((await driver.signing(signing.id)).status).toBe('PENDING');

      await pastDeadline(signing.id);
      await reconciledRounds(signing.id, 3);
      expect((await driver.signing(signing.id)).status).toBe('PENDING');
      expect(await asked()).toBeGreaterThanOrEqual(6);

      if (rejectedStatus !== 500) {
        const ready = await driver.api().get('/health/ready').expect(200);
        expect(ready.body.info.btrust.refusedOperations).toEqual(expect.arrayContaining([expect.objectContaining({ operation: 'getSignedDocuments' })]));
        expect((await configurationFaults()) - faultsBefore).toBeGreaterThanOrEqual(3);
      }
    });
  });

  describe('signed documents matched by content, never by name', () => {
    let identificationId: string;

    beforeAll(async () => {
      identificationId = await driver.identify({ fullName: 'Elena Petrova', egn: '0041010002' });
    });

    it.each(['renamed', 'reversed'] as const)('pairs each signed PDF with its original when B-Trust returns them %s', async (signedFileNames) => {
      await driver.sandbox.setReadings({ signedFileNames });
      const signing = await sign(identificationId, `names-${signedFileNames}`, 3);
      await driver.act(signing.redirectUrl, 'sign');
      const signed = await driver.until(signing.id, 'SIGNED');
      expect(signed.unmatchedDocuments).toBe(0);
      for (const [index, original] of signing.originals.entries()) {
        expect(signed.documents[index]).toMatchObject({ index, matchedBy: 'content', verification: { valid: true } });
        const content = await download(signing.id, index);
        expect(content.subarray(0, original.length).equals(original)).toBe(true);
      }
    });

    it('keeps a signed document that matches no original, flags it, and shows it to operators', async () => {
      await driver.sandbox.fault('getSignedDocuments', 'extra-document', 1);
      const signing = await sign(identificationId, 'with-extra');
      await driver.act(signing.redirectUrl, 'sign');
      await driver.until(signing.id, 'SIGNED');
      // The webhook and reconciliation may both ask 3.3; whichever got the extra document keeps it, also when the other ended the signing.
      const signed = await eventually(() => driver.signing(signing.id), (body) => body.unmatchedDocuments === 1);
      expect(signed).toMatchObject({ status: 'SIGNED', documents: [{ matchedBy: 'content', verification: { valid: true } }] });

      const listed = await driver.api().get(`/api/v1/admin/signings?status=SIGNED`).expect(200);
      expect(listed.body.items.find((item: { id: string }) => item.id === signing.id)).toMatchObject({ unmatchedDocuments: 1 });
      const unmatched = await driver.api().get(`/api/v1/admin/signings/${signing.id}/unmatched-documents`).expect(200);
      expect(unmatched.body).toEqual({
        signingId: signing.id,
        documents: [{ position: 1, fileName: 'receipt.pdf', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: expect.any(Number), receivedAt: expect.any(String) }],
      });
      const pdfBytes = (await driver.api().get(`/api/v1/admin/signings/${signing.id}/unmatched-documents/1`).buffer(true).expect(200)).body as Buffer;
      expect(pdfBytes.subarray(0, 5).toString()).toBe('%PDF-');
      expect(sha256(pdfBytes)).toBe(unmatched.body.documents[0].sha256);
      await driver.api().get(`/api/v1/admin/signings/${signing.id}/unmatched-documents/0`).expect(404);
      await driver.api().get(`/api/v1/admin/signings/${signing.id}/unmatched-documents/99999`).expect(404);
    });
  });

  describe('3.1 whose outcome is unknown', () => {
    const idempotent = (identificationId: string, key: string, body: object) =>
      driver.api().post(`/api/v1/web-identifications/${identificationId}/signings`).set('Idempotency-Key', key).send(body);

    async function timedOut(identificationId: string, label: string) {
      const original = await pdf(1, label);
      const body = { documents: [jsonDocument(original, `${label}.pdf`)], ...driver.urls() };
      await driver.sandbox.fault('startSignSession', 'reset', 1);
      const first = await idempotent(identificationId, `key-${label}`, body).expect(502);
      expect(first.body).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN', status: 502, id: expect.any(String) });
      return { id: first.body.id as string, body, original, key: `key-${label}` };
    }

    it('keeps it OUTCOME_UNKNOWN, answers a repeat with the same problem, never sends 3.1 twice, and an operator resolves it STARTED', async () => {
      const identificationId = await driver.identify();
      const unknown = await timedOut(identificationId, 'unknown-started');
      const repeat = await idempotent(identificationId, unknown.key, unknown.body).expect(502);
      expect(repeat.body).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN', id: unknown.id });
      expect(await driver.signing(unknown.id)).toMatchObject({ status: 'OUTCOME_UNKNOWN', failure: { code: 'PROVIDER_OUTCOME_UNKNOWN' } });
      // Another signing on the same sign session could be a second paid start of the same contract.
      const other = await driver.postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'other'), 'other.pdf')], ...driver.urls() }).expect(409);
      expect(other.body.code).toBe('SIGNING_IN_PROGRESS');
      await new Promise((wait) => setTimeout(wait, 1_000));
      expect((await driver.sandbox.calls()).startSignSession).toBe(1);

      const listed = await driver.api().get('/api/v1/admin/signings?status=OUTCOME_UNKNOWN').expect(200);
      expect(listed.body.items.find((item: { id: string }) => item.id === unknown.id)).toMatchObject({
        status: 'OUTCOME_UNKNOWN',
        resultId: null,
        failure: { code: 'PROVIDER_OUTCOME_UNKNOWN' },
      });

      // What an operator learns from B-Trust when it did start it: its resultId (the sandbox dropped the request whose client left).
      const [identification] = await driver.db().query('SELECT client_identificator, sign_session_id FROM web_identifications WHERE id = $1', [identificationId]);
      const atBtrust = await server.app.get(BtrustClient).startSignSession({
        identificator: identification.client_identificator,
        signSessionId: identification.sign_session_id,
        documents: [{ fileName: 'unknown-started.pdf', title: 'Title', content: unknown.original }],
        emailSignedDocuments: false,
        ...driver.urls(),
      });
      const resolved = await driver.api()
        .post(`/api/v1/admin/signings/${unknown.id}/resolve`)
        .send({ outcome: 'STARTED', resultId: atBtrust.resultId, note: 'B-Trust support ticket 4711' })
        .expect(200);
      expect(resolved.body).toMatchObject({ id: unknown.id, status: 'PENDING', resultId: atBtrust.resultId, failure: null });

      await driver.act(atBtrust.clientDocumentUrl, 'sign');
      const signed = await driver.until(unknown.id, 'SIGNED');
      expect(signed.documents[0].verification.valid).toBe(true);
      expect((await driver.sandbox.calls()).startSignSession).toBe(2);
      expect((await driver.transitions(unknown.id)).map((move) => [move.to_state, move.cause])).toEqual([
        ['PENDING', 'api'],
        ['OUTCOME_UNKNOWN', 'api'],
        ['PENDING', 'operator'],
        ['SIGNED', expect.any(String)],
      ]);

      const again = await driver.api().post(`/api/v1/admin/signings/${unknown.id}/resolve`).send({ outcome: 'NOT_STARTED' }).expect(409);
      expect(again.body).toMatchObject({ code: 'NOT_OUTCOME_UNKNOWN', currentStatus: 'SIGNED' });
    });

    it('resolves NOT_STARTED: FAILED with RESOLVED_NOT_STARTED, and the identification can sign again', async () => {
      const identificationId = await driver.identify();
      const unknown = await timedOut(identificationId, 'unknown-not-started');
      const refused = await driver.api().post(`/api/v1/admin/signings/${unknown.id}/resolve`).send({ outcome: 'STARTED' }).expect(400);
      expect(refused.body.code).toBe('VALIDATION_FAILED');
      const mixed = await driver.api().post(`/api/v1/admin/signings/${unknown.id}/resolve`).send({ outcome: 'NOT_STARTED', resultId: '1' }).expect(400);
      expect(mixed.body.errors).toEqual([expect.objectContaining({ field: 'resultId', codes: ['ONLY_WITH_STARTED'] })]);
      expect((await driver.signing(unknown.id)).status).toBe('OUTCOME_UNKNOWN');

      const resolved = await driver.api().post(`/api/v1/admin/signings/${unknown.id}/resolve`).send({ outcome: 'NOT_STARTED' }).expect(200);
      expect(resolved.body).toMatchObject({ status: 'FAILED', failure: { code: 'RESOLVED_NOT_STARTED' } });
      const next = await sign(identificationId, 'after-resolve');
      await driver.act(next.redirectUrl, 'sign');
      await driver.until(next.id, 'SIGNED');
    });

    it('documents the state, the problem and the resolve endpoint in the OpenAPI document', async () => {
      const document = (await driver.api().get('/docs-json').expect(200)).body;
      const create = document.paths['/api/v1/web-identifications/{id}/signings'].post;
      expect(create.responses['502'].content['application/problem+json'].examples.PROVIDER_OUTCOME_UNKNOWN.value).toMatchObject({
        code: 'PROVIDER_OUTCOME_UNKNOWN',
        status: 502,
      });
      expect(document.components.schemas.SigningView.properties.status.enum).toContain('OUTCOME_UNKNOWN');
      const resolvePath = document.paths['/api/v1/admin/signings/{id}/resolve'].post;
      expect(Object.keys(resolvePath.requestBody.content['application/json'].examples)).toEqual(['started', 'notStarted']);
      expect(resolvePath.responses['409'].description).toContain('NOT_OUTCOME_UNKNOWN');
      expect(document.paths['/api/v1/admin/signings/{id}/unmatched-documents'].get).toBeDefined();
    });
  });
});
