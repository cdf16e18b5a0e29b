import request from 'supertest';
import { DataSource } from 'typeorm';
import { identifierHmacOf, MobileIdentification } from '../../src/identification/mobile/mobile-identification.entity';
import { PersonalDataRetention } from '../../src/retention/personal-data-retention';
import { RETENTION_QUEUE } from '../../src/retention/retention.job';
import { jsonDocument, pdf, SigningDriver } from '../signing/signing-support';
import { eventually } from '../support/sandbox-control';
import { useTestServer } from '../support/test-server';

const PERSON_A = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', phoneNumber: '+359888100200', email: 'a.person@example.com', reason: 'Retention' };
const PERSON_B = { docType: 'EGN', identifier: '8001010008', dateOfBirth: '1980-01-01', reason: 'Retention' };

describe(PersonalDataRetention.name, () => {
  const server = useTestServer({ RETENTION_DAYS: '30', MOBILE_POLL_INITIAL_INTERVAL_MS: '100', MOBILE_POLL_MAX_INTERVAL_MS: '200' });
  const { sandbox } = server;
  let driver: SigningDriver;
  const db = () => server.app.get(DataSource);
  const api = () => request(server.url);

  beforeAll(() => {
    driver = new SigningDriver(server);
  });

  async function completedMobile(person: object): Promise<string> {
    const { body } = await api().post('/api/v1/mobile-identifications').send(person).expect(201);
    const callbackId = await eventually(
      async () => (await db().query('SELECT provider_callback_id FROM mobile_identifications WHERE id = $1', [body.id]))[0].provider_callback_id,
      (value) => Boolean(value),
    );
    await sandbox.post(`/sandbox/mobile-identifications/${callbackId}/complete`);
    await eventually(async () => (await api().get(`/api/v1/mobile-identifications/${body.id}`)).body.status, (status) => status === 'COMPLETED');
    return body.id;
  }

  async function backdate(table: string, ids: string[], days: number): Promise<void> {
    await db().query(
      `UPDATE ${table} SET created_at = now() - make_interval(days => $2), updated_at = now() - make_interval(days => $2) WHERE id = ANY($1)`,
      [ids, days],
    );
  }

  it('finds a person\'s identifications by the blind index of the identifier, never by the ciphertext', async () => {
    const first = await completedMobile(PERSON_A);
    const { body: other } = await api().post('/api/v1/mobile-identifications').send(PERSON_B).expect(201);
    const repository = db().getRepository(MobileIdentification);

    const found = await repository.findBy({ identifierHmac: identifierHmacOf(PERSON_A.identifier) });
    expect(found.map((row) => row.id)).toEqual([first]);
    expect(found[0].identifier).toBe(PERSON_A.identifier);
    expect((await repository.findBy({ identifierHmac: identifierHmacOf(PERSON_B.identifier) })).map((row) => row.id)).toEqual([other.id]);
    expect(await repository.findBy({ identifierHmac: identifierHmacOf('7501010005') })).toEqual([]);

    const [raw] = await db().query('SELECT identifier_encrypted, identifier_hmac FROM mobile_identifications WHERE id = $1', [first]);
    expect(raw.identifier_encrypted.includes(Buffer.from(PERSON_A.identifier))).toBe(false);
    expect(raw.identifier_hmac).toMatch(/^[0-9a-f]{64}$/);
  });

  it('erases personal fields and documents of finished records past RETENTION_DAYS, keeps states, hashes and open records', async () => {
    await sandbox.reset();
    const oldCompleted = await completedMobile(PERSON_A);
    const recentCompleted = await completedMobile(PERSON_A);
    const { body: oldPending } = await api().post('/api/v1/mobile-identifications').send(PERSON_B).expect(201);
    const oldIdentified = await driver.identify();
    const { id: oldStarted } = await driver.startIdentification();
    const created = await driver
      .postJson(oldIdentified, { documents: [jsonDocument(await pdf(1, 'Retention'), 'contract.pdf')], ...driver.urls() })
      .expect(201);
    await driver.act(created.body.redirectUrl, 'sign');
    await driver.until(created.body.id, 'SIGNED');
    const signingId: string = created.body.id;
    // Erased below: the signer's name, which the signing certificate carries, was there to erase.
    expect((await driver.signing(signingId)).documents[0].verification.signer.commonName).toBe('Maria Ivanova');

    await backdate('mobile_identifications', [oldCompleted, oldPending.id], 31);
    await backdate('web_identifications', [oldIdentified, oldStarted], 31);
    await db().query(`UPDATE web_identifications SET sign_session_expires_at = now() - interval '30 days' WHERE id = $1`, [oldIdentified]);
    await backdate('signings', [signingId], 31);
    const pendingBefore = await db().query('SELECT status FROM mobile_identifications WHERE id = $1', [oldPending.id]);

    const report = await server.app.get(PersonalDataRetention).purgeExpired();
    expect(report).toEqual({ mobile_identification: 1, web_identification: 1, signing: 1 });

    const [mobile] = await db().query(
      `SELECT status, identifier_encrypted, date_of_birth_encrypted, phone_number_encrypted, email_encrypted,
              certificate_pdf_encrypted, identifier_hmac, identifier_masked, purged_at FROM mobile_identifications WHERE id = $1`,
      [oldCompleted],
    );
    expect(mobile).toMatchObject({
      status: 'COMPLETED',
      identifier_encrypted: null,
      date_of_birth_encrypted: null,
      phone_number_encrypted: null,
      email_encrypted: null,
      certificate_pdf_encrypted: null,
      identifier_hmac: identifierHmacOf(PERSON_A.identifier),
      purged_at: expect.any(Date),
    });
    const view = await api().get(`/api/v1/mobile-identifications/${oldCompleted}`).expect(200);
    expect(view.body).toMatchObject({ status: 'COMPLETED', identifierMasked: mobile.identifier_masked });
    await api().get(`/api/v1/mobile-identifications/${oldCompleted}/certificate`).expect(409);

    const audit = await db().query(
      `SELECT from_state, to_state, cause, detail FROM state_transitions WHERE entity_id = $1 ORDER BY id`,
      [oldCompleted],
    );
    expect(audit.map((row: { to_state: string }) => row.to_state)).toEqual(['PENDING', 'COMPLETED', 'COMPLETED']);
    expect(audit[2]).toEqual({
      from_state: 'COMPLETED',
      to_state: 'COMPLETED',
      cause: 'retention',
      detail: { purged: ['identifier', 'dateOfBirth', 'phoneNumber', 'email', 'certificatePdf'] },
    });

    const [web] = await db().query('SELECT status, eid_certificate_pdf_encrypted, purged_at FROM web_identifications WHERE id = $1', [oldIdentified]);
    expect(web).toMatchObject({ status: 'IDENTIFIED', eid_certificate_pdf_encrypted: null, purged_at: expect.any(Date) });
    const documents = await db().query(
      `SELECT original_encrypted, signed_encrypted, signer_name_encrypted, original_sha256, signed_sha256,
              verification->'signer'->>'serialNumberIndex' IS NOT NULL AS signer_indexed
         FROM signing_documents WHERE signing_id = $1`,
      [signingId],
    );
    expect(documents).toEqual([
      {
        original_encrypted: null,
        signed_encrypted: null,
        signer_name_encrypted: null,
        original_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        signed_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        signer_indexed: true,
      },
    ]);
    const signingView = await api().get(`/api/v1/signings/${signingId}`).expect(200);
    expect(signingView.body.documents[0].verification.signer.commonName).toBeNull();
    expect((await driver.transitions(signingId)).map((row) => row.to_state)).toEqual(['PENDING', 'SIGNED', 'SIGNED']);

    // Open records and records within the limit keep everything.
    const untouched = await db().query(
      `SELECT id, identifier_encrypted IS NOT NULL AS has_identifier, purged_at FROM mobile_identifications WHERE id = ANY($1) ORDER BY id`,
      [[oldPending.id, recentCompleted]],
    );
    expect(untouched).toEqual(
      [oldPending.id, recentCompleted].sort().map((id) => ({ id, has_identifier: true, purged_at: null })),
    );
    expect(await db().query('SELECT status FROM mobile_identifications WHERE id = $1', [oldPending.id])).toEqual(pendingBefore);
    const [started] = await db().query('SELECT purged_at FROM web_identifications WHERE id = $1', [oldStarted]);
    expect(started.purged_at).toBeNull();
    await api().get(`/api/v1/mobile-identifications/${recentCompleted}/certificate`).expect(200);

    expect(await server.app.get(PersonalDataRetention).purgeExpired()).toEqual({ mobile_identification: 0, web_identification: 0, signing: 0 });
  });

  it('keeps the eID certificate of an identification whose signing is OUTCOME_UNKNOWN, as it does for a PENDING one', async () => {
    await sandbox.reset();
    const identificationId = await driver.identify();
    await sandbox.fault('startSignSession', 'http503', 1);
    const unknown = await driver
      .postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'Retention'), 'contract.pdf')], ...driver.urls() })
      .expect(502);
    expect(await driver.signing(unknown.body.id)).toMatchObject({ status: 'OUTCOME_UNKNOWN' });
    await backdate('web_identifications', [identificationId], 31);
    await db().query(`UPDATE web_identifications SET sign_session_expires_at = now() - interval '30 days' WHERE id = $1`, [identificationId]);

    expect(await server.app.get(PersonalDataRetention).purgeExpired()).toMatchObject({ web_identification: 0 });
    const [kept] = await db().query('SELECT eid_certificate_pdf_encrypted IS NOT NULL AS has_certificate, purged_at FROM web_identifications WHERE id = $1', [identificationId]);
    expect(kept).toEqual({ has_certificate: true, purged_at: null });

    // Once an operator settles the signing, the identification is finished like any other.
    await api().post(`/api/v1/admin/signings/${unknown.body.id}/resolve`).send({ outcome: 'NOT_STARTED' }).expect(200);
    await backdate('web_identifications', [identificationId], 31);
    expect(await server.app.get(PersonalDataRetention).purgeExpired()).toMatchObject({ web_identification: 1 });
  });

  it('keeps exactly one daily run queued in pg-boss', async () => {
    const [{ queued }] = await db().query(
      `SELECT count(*)::int AS queued FROM pgboss.job WHERE name = $1 AND state IN ('created', 'retry')`,
      [RETENTION_QUEUE],
    );
    expect(queued).toBe(1);
  });
});
