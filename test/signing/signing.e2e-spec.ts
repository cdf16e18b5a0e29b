import { createHash } from 'node:crypto';
import { startTestServer, TestServer } from '../support/test-server';
import { eventually } from '../support/sandbox-control';
import { encryptedPdf, jsonDocument, pdf, pdfOfSize, SigningDriver } from './signing-support';

const PROBLEM_JSON = /^application\/problem\+json/;
const MEGABYTE = 1024 * 1024;
const sha256 = (content: Buffer) => createHash('sha256').update(content).digest('hex');

describe('Signing PDFs after web identification (scenario 3)', () => {
  let server: TestServer;
  let driver: SigningDriver;

  beforeAll(async () => {
    server = await startTestServer({
      SANDBOX_CALLBACK_DELAY_MS: '20',
      // Long enough that reconciliation never races a delivered webhook; short enough for the missed-webhook tests.
      WEB_RECONCILE_QUIET_PERIOD_MS: '3000',
      WEB_RECONCILE_INTERVAL_MS: '250',
      SIGNING_MAX_DOCUMENT_MB: '3',
      SIGNING_MAX_DOCUMENTS: '4',
    });
    driver = new SigningDriver(server);
  });
  afterAll(() => server?.stop());
  beforeEach(() => driver.sandbox.reset());

  async function download(signingId: string, index: number) {
    return driver.api().get(`/api/v1/signings/${signingId}/documents/${index}`).buffer(true).expect(200);
  }

  describe('signing and verifying', () => {
    let identificationId: string;

    beforeAll(async () => {
      identificationId = await driver.identify();
    });

    it('signs one document sent as JSON; the signed PDF is the original plus a valid signature of the identified person', async () => {
      const original = await pdf(1, 'Loan agreement');
      const created = await driver
        .postJson(identificationId, { documents: [jsonDocument(original, 'loan-agreement.pdf')], ...driver.urls() })
        .expect(201);
      expect(created.body).toEqual({ id: expect.any(String), status: 'PENDING', redirectUrl: expect.any(String), expiresAt: expect.any(String) });
      expect(created.body.redirectUrl.startsWith(`${server.sandboxPagesUrl}/cqes/api/web-identification/`)).toBe(true);
      expect((await driver.sandbox.calls()).startSignSession).toBe(1);
      await driver.api().get(`/api/v1/signings/${created.body.id}/documents/0`).expect(409);

      await driver.act(created.body.redirectUrl, 'sign');
      const signed = await driver.until(created.body.id, 'SIGNED');
      expect(signed).toMatchObject({
        id: created.body.id,
        identificationId,
        status: 'SIGNED',
        signedAt: expect.any(String),
        failure: null,
        documents: [
          {
            index: 0,
            fileName: 'loan-agreement.pdf',
            title: 'Title of loan-agreement.pdf',
            originalSha256: sha256(original),
            signedSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
            verification: {
              valid: true,
              signer: { commonName: 'Maria Ivanova', serialNumber: 'PNOBG-******6742' },
              signedAt: expect.any(String),
              problems: [],
            },
          },
        ],
      });

      const file = await download(created.body.id, 0);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(file.headers['content-disposition']).toContain('filename="loan-agreement.pdf"');
      const content = Buffer.from(file.body);
      expect(sha256(content)).toBe(signed.documents[0].signedSha256);
      expect(content.subarray(0, original.length).equals(original)).toBe(true);
      expect(content.length).toBeGreaterThan(original.length);
      expect(await driver.transitions(created.body.id)).toEqual([
        { from_state: null, to_state: 'PENDING', cause: 'api' },
        { from_state: 'PENDING', to_state: 'SIGNED', cause: 'callback' },
      ]);
    });

    it('signs again with the rotated sign session: three documents uploaded as multipart, two with visible signatures', async () => {
      const [before] = await driver.db().query('SELECT sign_session_id FROM web_identifications WHERE id = $1', [identificationId]);
      const contents = [await pdf(2, 'Contract'), await pdf(1, 'Terms'), await pdf(3, 'Annex')];
      const metadata = {
        documents: [
          { title: 'Contract', visibleSignature: { page: 2, x: 56, y: 700, width: 200, height: 60 } },
          { title: 'General terms' },
          { fileName: 'annex-b.pdf', title: 'Annex B', visibleSignature: { page: 3, x: 300.5, y: 40, width: 180, height: 50 }, archive: false },
        ],
        ...driver.urls(),
      };
      const created = await driver
        .api()
        .post(`/api/v1/web-identifications/${identificationId}/signings`)
        .field('metadata', JSON.stringify(metadata))
        .attach('files', contents[0], { filename: 'contract.pdf', contentType: 'application/pdf' })
        .attach('files', contents[1], { filename: 'terms.pdf', contentType: 'application/pdf' })
        .attach('files', contents[2], { filename: 'annex.pdf', contentType: 'application/pdf' })
        .expect(201);
      const [used] = await driver.db().query('SELECT sign_session_id FROM signings WHERE id = $1', [created.body.id]);
      expect(used.sign_session_id).toBe(before.sign_session_id);

      await driver.act(created.body.redirectUrl, 'sign');
      const signed = await driver.until(created.body.id, 'SIGNED');
      expect(signed.documents.map((document: { fileName: string }) => document.fileName)).toEqual(['contract.pdf', 'terms.pdf', 'annex-b.pdf']);
      for (const [index, document] of signed.documents.entries()) {
        expect(document.originalSha256).toBe(sha256(contents[index]));
        expect(document.verification).toMatchObject({ valid: true, problems: [], signer: { serialNumber: 'PNOBG-******6742' } });
        const content = Buffer.from((await download(created.body.id, index)).body);
        expect(content.subarray(0, contents[index].length).equals(contents[index])).toBe(true);
      }
      const visible = Buffer.from((await download(created.body.id, 0)).body).toString('latin1');
      expect(visible).toMatch(/\/Rect \[/);

      const [after] = await driver.db().query('SELECT sign_session_id FROM web_identifications WHERE id = $1', [identificationId]);
      expect(after.sign_session_id).not.toBe(before.sign_session_id);
      const state = await driver.sandbox.state();
      expect(state.webIdentifications.some((web) => web.signSessionId === after.sign_session_id)).toBe(true);
    });

    it.each([
      ['tamper-flip-byte', 'DIGEST_MISMATCH'],
      ['tamper-append', 'BYTE_RANGE_NOT_WHOLE_FILE'],
      ['tamper-foreign-ca', 'UNTRUSTED_SIGNER'],
      ['tamper-other-document', 'ORIGINAL_MODIFIED'],
    ])('keeps a signing SIGNED but marks it valid:false when B-Trust returns %s', async (fault, problem) => {
      await driver.sandbox.fault('getSignedDocuments', fault, 1);
      const original = await pdf(1, `Tampered by ${fault}`);
      const created = await driver
        .postJson(identificationId, { documents: [jsonDocument(original, 'tampered.pdf')], ...driver.urls() })
        .expect(201);
      await driver.act(created.body.redirectUrl, 'sign');
      const signed = await driver.until(created.body.id, 'SIGNED');
      expect(signed.documents[0].verification.valid).toBe(false);
      expect(signed.documents[0].verification.problems).toContain(problem);
    });

    it('applies the same webhook delivered twice once', async () => {
      await driver.sandbox.post('/sandbox/callbacks/knobs', { duplicate: 1 });
      const created = await driver
        .postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'Twice'), 'twice.pdf')], ...driver.urls() })
        .expect(201);
      await driver.act(created.body.redirectUrl, 'sign');
      await driver.until(created.body.id, 'SIGNED');
      const { deliveries } = await driver.sandbox.get<{ deliveries: Array<{ outcome: string; status: number }> }>('/sandbox/callbacks/deliveries');
      expect(deliveries.filter((delivery) => delivery.outcome === 'delivered')).toHaveLength(2);
      await eventually(
        () => driver.db().query(`SELECT outcome, duplicates FROM callback_inbox WHERE process_state = 'SIGN_SESSION' ORDER BY received_at DESC LIMIT 1`),
        (rows: Array<{ outcome: string; duplicates: number }>) => rows[0]?.duplicates === 1,
      );
      const transitions = await driver.transitions(created.body.id);
      expect(transitions.filter((transition) => transition.to_state === 'SIGNED')).toHaveLength(1);
      expect((await driver.sandbox.calls()).getSignedDocuments).toBe(1);
    });

    it('recovers a signed signing whose webhook never came, by reconciliation', async () => {
      await driver.sandbox.post('/sandbox/callbacks/knobs', { drop: 1 });
      const created = await driver
        .postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'Dropped'), 'dropped.pdf')], ...driver.urls() })
        .expect(201);
      await driver.act(created.body.redirectUrl, 'sign');
      const signed = await driver.until(created.body.id, 'SIGNED');
      expect(signed.documents[0].verification.valid).toBe(true);
      expect((await driver.transitions(created.body.id)).at(-1)).toEqual({ from_state: 'PENDING', to_state: 'SIGNED', cause: 'reconcile' });
    });
  });

  describe('signings that end unsigned', () => {
    let identificationId: string;

    beforeAll(async () => {
      identificationId = await driver.identify({ fullName: 'Georgi Dimitrov', egn: '0041010002' });
    });

    it('ends REJECTED when the person refuses, and the sign session can be used again', async () => {
      const created = await driver
        .postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'Refused'), 'refused.pdf')], ...driver.urls() })
        .expect(201);
      await driver.act(created.body.redirectUrl, 'reject');
      const rejected = await driver.until(created.body.id, 'REJECTED');
      expect(rejected.failure).toEqual({ code: 'REJECTED', message: expect.any(String) });
      expect(rejected.documents[0].verification).toBeNull();
      await driver.api().get(`/api/v1/signings/${created.body.id}/documents/0`).expect(409);

      const again = await driver
        .postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'Second try'), 'second.pdf')], ...driver.urls() })
        .expect(201);
      await driver.act(again.body.redirectUrl, 'sign');
      await driver.until(again.body.id, 'SIGNED');
    });

    it('ends EXPIRED once the signing page has expired and its deadline has passed (no webhook: found by reconciliation)', async () => {
      const created = await driver
        .postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'Lapsed'), 'lapsed.pdf')], ...driver.urls() })
        .expect(201);
      await driver.act(created.body.redirectUrl, 'expire');
      // The sandbox's sign session lasts hours: the server's deadline is moved instead of waiting for it.
      await driver.db().query(`UPDATE signings SET expires_at = now() - interval '1 hour' WHERE id = $1`, [created.body.id]);
      const expired = await driver.until(created.body.id, 'EXPIRED');
      expect(expired.failure.code).toBe('EXPIRED');
      expect((await driver.transitions(created.body.id)).at(-1)?.cause).toBe('reconcile');
    });
  });

  describe('refusals before any call to B-Trust', () => {
    let identificationId: string;
    let valid: Buffer;

    beforeAll(async () => {
      identificationId = await driver.identify({ fullName: 'Petar Petrov', egn: '7501020018' });
      valid = await pdf(2, 'Valid');
    });

    async function expectRefused(send: () => Promise<{ status: number; headers: Record<string, string>; body: Record<string, unknown> }>, status: number, code: string) {
      const before = await driver.sandbox.totalCalls();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(response.body.code).toBe(code);
      expect(await driver.sandbox.totalCalls()).toBe(before);
      return response.body as { errors?: Array<{ field: string; codes: string[] }> };
    }

    const documents = (...items: object[]) => ({ documents: items, ...driver.urls() });

    it.each([
      ['not a PDF', () => jsonDocument(Buffer.from('just some text, not a PDF at all'), 'a.pdf'), 'documents.0.content', 'NOT_A_PDF'],
      ['a truncated PDF', () => jsonDocument(valid.subarray(0, valid.length - 200), 'a.pdf'), 'documents.0.content', 'BROKEN_PDF'],
      ['a file name with a path', () => jsonDocument(valid, '../etc/contract.pdf'), 'documents.0.fileName', 'isSafeFileName'],
      ['a file name over 120 characters', () => jsonDocument(valid, `${'x'.repeat(117)}.pdf`), 'documents.0.fileName', 'isSafeFileName'],
      ['a page that does not exist', () => jsonDocument(valid, 'a.pdf', { visibleSignature: { page: 3, x: 10, y: 10, width: 100, height: 50 } }), 'documents.0.visibleSignature.page', 'PAGE_NOT_FOUND'],
      ['a box outside the page', () => jsonDocument(valid, 'a.pdf', { visibleSignature: { page: 2, x: 500, y: 10, width: 200, height: 50 } }), 'documents.0.visibleSignature', 'OUTSIDE_PAGE'],
      ['a box below the page', () => jsonDocument(valid, 'a.pdf', { visibleSignature: { page: 1, x: 10, y: 800, width: 100, height: 50 } }), 'documents.0.visibleSignature', 'OUTSIDE_PAGE'],
    ])('refuses %s with 400', async (_name, document, field, rule) => {
      const body = await expectRefused(() => driver.postJson(identificationId, documents(document())), 400, 'VALIDATION_FAILED');
      expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, codes: expect.arrayContaining([rule]) })]));
    });

    it('refuses an encrypted PDF with 400 ENCRYPTED_PDF', async () => {
      const body = await expectRefused(
        async () => driver.postJson(identificationId, documents(jsonDocument(await encryptedPdf(), 'secret.pdf'))),
        400,
        'VALIDATION_FAILED',
      );
      expect(body.errors).toEqual([expect.objectContaining({ field: 'documents.0.content', codes: ['ENCRYPTED_PDF'] })]);
    });

    it('refuses two documents with the same file name', async () => {
      const body = await expectRefused(
        () => driver.postJson(identificationId, documents(jsonDocument(valid, 'same.pdf'), jsonDocument(valid, 'SAME.pdf'))),
        400,
        'VALIDATION_FAILED',
      );
      expect(body.errors).toEqual([expect.objectContaining({ field: 'documents.1.fileName', codes: ['DUPLICATE_FILE_NAME'] })]);
    });

    it('refuses redirect URLs outside the allow-list', async () => {
      const body = await expectRefused(
        () => driver.postJson(identificationId, { documents: [jsonDocument(valid, 'a.pdf')], successUrl: 'https://evil.example/ok', cancelUrl: driver.urls().cancelUrl }),
        400,
        'VALIDATION_FAILED',
      );
      expect(body.errors).toEqual([expect.objectContaining({ field: 'successUrl', codes: ['REDIRECT_NOT_ALLOWED'] })]);
    });

    it('refuses redirect URLs outside the allow-list in multipart metadata, with the other invalid fields', async () => {
      const metadata = { documents: [{ title: '' }], successUrl: driver.urls().successUrl, cancelUrl: '//evil.example' };
      const body = await expectRefused(
        () =>
          driver
            .api()
            .post(`/api/v1/web-identifications/${identificationId}/signings`)
            .field('metadata', JSON.stringify(metadata))
            .attach('files', valid, { filename: 'a.pdf', contentType: 'application/pdf' }),
        400,
        'VALIDATION_FAILED',
      );
      const errors = body.errors?.map(({ field, codes }) => ({ field, codes }));
      expect(errors).toHaveLength(2);
      expect(errors).toEqual(
        expect.arrayContaining([
          { field: 'cancelUrl', codes: ['REDIRECT_NOT_ALLOWED'] },
          { field: 'documents.0.title', codes: ['minLength'] },
        ]),
      );
    });

    it('refuses a document over SIGNING_MAX_DOCUMENT_MB with 413, in JSON and in multipart', async () => {
      const large = await pdfOfSize(3 * MEGABYTE + 1000);
      const json = await expectRefused(
        () => driver.postJson(identificationId, documents(jsonDocument(valid, 'small.pdf'), jsonDocument(large, 'large.pdf'))),
        413,
        'DOCUMENT_TOO_LARGE',
      );
      expect(json.errors).toEqual([expect.objectContaining({ field: 'documents.1.content' })]);
      await expectRefused(
        () =>
          driver
            .api()
            .post(`/api/v1/web-identifications/${identificationId}/signings`)
            .field('metadata', JSON.stringify({ documents: [{ title: 'Large' }], ...driver.urls() }))
            .attach('files', large, { filename: 'large.pdf', contentType: 'application/pdf' }),
        413,
        'DOCUMENT_TOO_LARGE',
      );
    });

    it('refuses more than SIGNING_MAX_DOCUMENTS with 400, in JSON and in multipart', async () => {
      const five = Array.from({ length: 5 }, (_, index) => jsonDocument(valid, `doc-${index}.pdf`));
      await expectRefused(() => driver.postJson(identificationId, documents(...five)), 400, 'TOO_MANY_DOCUMENTS');
      await expectRefused(() => {
        let upload = driver
          .api()
          .post(`/api/v1/web-identifications/${identificationId}/signings`)
          .field('metadata', JSON.stringify({ documents: five.map((_, index) => ({ title: `Doc ${index}` })), ...driver.urls() }));
        for (let index = 0; index < 5; index++) upload = upload.attach('files', valid, { filename: `doc-${index}.pdf`, contentType: 'application/pdf' });
        return upload;
      }, 400, 'TOO_MANY_DOCUMENTS');
    });

    it('refuses multipart uploads whose metadata is missing or does not describe the files', async () => {
      await expectRefused(
        () => driver.api().post(`/api/v1/web-identifications/${identificationId}/signings`).attach('files', valid, { filename: 'a.pdf', contentType: 'application/pdf' }),
        400,
        'VALIDATION_FAILED',
      );
      const body = await expectRefused(
        () =>
          driver
            .api()
            .post(`/api/v1/web-identifications/${identificationId}/signings`)
            .field('metadata', JSON.stringify({ documents: [{ title: 'One' }, { title: 'Two' }], ...driver.urls() }))
            .attach('files', valid, { filename: 'a.pdf', contentType: 'application/pdf' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(body.errors).toEqual([expect.objectContaining({ field: 'documents', codes: ['DOCUMENT_COUNT_MISMATCH'] })]);
    });

    it('refuses unknown fields and missing ones like every other endpoint', async () => {
      const body = await expectRefused(() => driver.postJson(identificationId, { documents: [], surprise: true }), 400, 'VALIDATION_FAILED');
      expect(body.errors!.map((error) => error.field).sort()).toEqual(['cancelUrl', 'documents', 'successUrl', 'surprise']);
    });

    it('answers 409 NOT_IDENTIFIED before the identification is IDENTIFIED', async () => {
      const { id, webSessionId } = await driver.startIdentification();
      await expectRefused(() => driver.postJson(id, documents(jsonDocument(valid, 'a.pdf'))), 409, 'NOT_IDENTIFIED');
      await driver.sandbox.post(`/sandbox/web-identifications/${webSessionId}/cancel`);
    });

    it('answers 409 SIGN_SESSION_EXPIRED once the sign session has expired', async () => {
      const expiring = await driver.identify({ fullName: 'Elena Georgieva', egn: '8001010008' });
      await driver.db().query(`UPDATE web_identifications SET sign_session_expires_at = now() - interval '1 minute' WHERE id = $1`, [expiring]);
      await expectRefused(() => driver.postJson(expiring, documents(jsonDocument(valid, 'a.pdf'))), 409, 'SIGN_SESSION_EXPIRED');
    });

    it('answers 404 for an identification or signing of another owner', async () => {
      await expectRefused(() => driver.postJson('6f1c1e62-7c55-4c9b-a7c4-1f7f0f5a3d11', documents(jsonDocument(valid, 'a.pdf'))), 404, 'NOT_FOUND');
      const [signing] = await driver.db().query(`SELECT id FROM signings LIMIT 1`);
      await driver.db().query(`UPDATE signings SET owner = 'someone-else' WHERE id = $1`, [signing.id]);
      await driver.api().get(`/api/v1/signings/${signing.id}`).expect(404);
      await driver.api().get(`/api/v1/signings/${signing.id}/documents/0`).expect(404);
      await driver.db().query(`UPDATE signings SET owner = 'development-user' WHERE id = $1`, [signing.id]);
    });
  });

  describe('one signing in flight per identification', () => {
    it('starts exactly one of several concurrent signings; the others get 409 SIGNING_IN_PROGRESS', async () => {
      const identificationId = await driver.identify({ fullName: 'Ivan Kolev', egn: '6101011004' });
      const content = await pdf(1, 'Concurrent');
      const responses = await Promise.all(
        [0, 1, 2].map((attempt) => driver.postJson(identificationId, { documents: [jsonDocument(content, `c-${attempt}.pdf`)], ...driver.urls() })),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409]);
      for (const refused of responses.filter((response) => response.status === 409)) expect(refused.body.code).toBe('SIGNING_IN_PROGRESS');
      // The text agrees with what follows: once the first has ended, the same sign session takes another signing.
      expect(responses.find((response) => response.status === 409)!.body.detail).toMatch(/Wait for it to end .*another signing may then be started/);
      expect((await driver.sandbox.calls()).startSignSession).toBe(1);

      const started = responses.find((response) => response.status === 201)!;
      await driver.act(started.body.redirectUrl, 'sign');
      await driver.until(started.body.id, 'SIGNED');
      await driver
        .postJson(identificationId, { documents: [jsonDocument(content, 'after.pdf')], ...driver.urls() })
        .expect(201);
    });
  });

  describe('Idempotency-Key', () => {
    it('answers a repeat from the first answer without a second signing, and refuses the key with another body', async () => {
      const identificationId = await driver.identify({ fullName: 'Stoyan Marinov', egn: '7501020018' });
      const body = { documents: [jsonDocument(await pdf(1, 'Once'), 'once.pdf')], ...driver.urls() };
      const first = await driver.postJson(identificationId, body).set('Idempotency-Key', 'signing-once-1').expect(201);
      const repeat = await driver.postJson(identificationId, body).set('Idempotency-Key', 'signing-once-1').expect(201);
      expect(repeat.body).toEqual(first.body);
      expect((await driver.sandbox.calls()).startSignSession).toBe(1);
      const reused = await driver
        .postJson(identificationId, { ...body, emailSignedDocuments: true })
        .set('Idempotency-Key', 'signing-once-1')
        .expect(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    });
  });

  describe('body limits', () => {
    it('accepts a 2 MB document as JSON while other routes keep HTTP_BODY_LIMIT_MB', async () => {
      const identificationId = await driver.identify({ fullName: 'Nadezhda Koleva', egn: '8506150000' });
      const large = await pdfOfSize(2 * MEGABYTE);
      const created = await driver.postJson(identificationId, { documents: [jsonDocument(large, 'two-megabytes.pdf')], ...driver.urls() }).expect(201);
      await driver.act(created.body.redirectUrl, 'sign');
      const signed = await driver.until(created.body.id, 'SIGNED');
      expect(signed.documents[0].verification.valid).toBe(true);

      const refused = await driver
        .api()
        .post('/api/v1/web-identifications')
        .send({ reason: 'x'.repeat(2 * MEGABYTE), successUrl: `${server.url}/a`, cancelUrl: `${server.url}/b` })
        .expect(413);
      expect(refused.body.code).toBe('PAYLOAD_TOO_LARGE');
    });
  });

  it('documents the JSON and multipart forms in Swagger, with examples', async () => {
    const document = (await driver.api().get('/docs-json').expect(200)).body;
    const operation = document.paths['/api/v1/web-identifications/{id}/signings'].post;
    expect(Object.keys(operation.requestBody.content).sort()).toEqual(['application/json', 'multipart/form-data']);
    expect(Object.keys(operation.requestBody.content['application/json'].examples).length).toBeGreaterThan(0);
    expect(operation.requestBody.content['multipart/form-data'].schema.properties.metadata).toBeDefined();
    expect(document.components.schemas.CreateSigningDto).toBeDefined();
    expect(document.components.schemas.SigningMetadataDto).toBeDefined();
    expect(document.paths['/api/v1/signings/{id}/documents/{index}'].get).toBeDefined();
  });
});
