import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { rotateKeys } from '../../scripts/keys-rotate';
import { DataCipher } from '../../src/common/crypto/data-cipher';
import type { KeyRing } from '../../src/common/crypto/key-ring';
import { encryptedColumnsOf, rotateDataEncryptionKeys } from '../../src/database/key-rotation';
import { databaseOptions } from '../../src/database/database-options';
import { SigningDriver } from '../signing/signing-support';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { createTestDatabase, TEST_CONNECT_TIMEOUT_MS, TestDatabase } from '../support/test-database';
import { startTestServer, TestServer } from '../support/test-server';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const indexKey = randomBytes(32).toString('base64');
const ringEnv = (...keys: Array<[string, Buffer]>) => ({
  DATA_ENCRYPTION_KEYS: keys.map(([id, key]) => `${id}:${key.toString('base64')}`).join(','),
  DATA_INDEX_KEY: indexKey,
  MOBILE_POLL_INITIAL_INTERVAL_MS: '100',
  MOBILE_POLL_MAX_INTERVAL_MS: '200',
});
const PERSON = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', phoneNumber: '+359888100200', email: 'rotation@example.com', reason: 'Key rotation' };

/** `npm run keys:rotate`: values written under key A are rewritten under B, and the server then reads them with B alone. */
describe('keys:rotate', () => {
  let database: TestDatabase;
  let server: TestServer | undefined;
  let dataSource: DataSource;
  const lines: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.stop();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await database?.drop();
  });

  /** Key ids of every stored encrypted value, per column. */
  async function keyIdsInDatabase(): Promise<Record<string, string[]>> {
    const ids: Record<string, string[]> = {};
    for (const { table, column } of encryptedColumnsOf(dataSource)) {
      const rows: Array<{ value: Buffer }> = await dataSource.query(`SELECT "${column}" AS value FROM "${table}" WHERE "${column}" IS NOT NULL`);
      // Header: "v1", the id's length, the id.
      ids[`${table}.${column}`] = [...new Set(rows.map(({ value }) => value.subarray(3, 3 + value[2]).toString('ascii')))];
    }
    return ids;
  }

  it('re-encrypts every value to the first key, idempotently, printing counts only', async () => {
    server = await startTestServer(ringEnv(['a', keyA]), { database });
    const sandbox = new SandboxControl(server.sandboxPagesUrl!);
    const api = () => request(server!.url);
    const mobileIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await api().post('/api/v1/mobile-identifications').send(PERSON).expect(201);
      mobileIds.push(body.id);
    }
    const pending = await eventually(() => sandbox.state(), (state) => state.mobileIdentifications.length === 3);
    for (const mobile of pending.mobileIdentifications) await sandbox.post(`/sandbox/mobile-identifications/${mobile.callbackId}/complete`);
    for (const id of mobileIds) {
      await eventually(async () => (await api().get(`/api/v1/mobile-identifications/${id}`)).body.status, (status) => status === 'COMPLETED');
    }
    const certificate = (await api().get(`/api/v1/mobile-identifications/${mobileIds[0]}/certificate`).expect(200)).body as Buffer;
    const webId = await new SigningDriver(server).identify();
    await server.stop();
    server = undefined;

    dataSource = new DataSource(databaseOptions(database.url, TEST_CONNECT_TIMEOUT_MS));
    await dataSource.initialize();
    const before = await keyIdsInDatabase();
    expect(before['mobile_identifications.identifier_encrypted']).toEqual(['a']);
    expect(before['mobile_identifications.certificate_pdf_encrypted']).toEqual(['a']);
    expect(before['web_identifications.eid_certificate_pdf_encrypted']).toEqual(['a']);

    const results = await rotateKeys(dataSource, [{ id: 'b', key: keyB }, { id: 'a', key: keyA }], (line) => lines.push(line));
    const counted = Object.fromEntries(results.map((result) => [`${result.table}.${result.column}`, result.reencrypted]));
    expect(counted).toMatchObject({
      'mobile_identifications.identifier_encrypted': 3,
      'mobile_identifications.date_of_birth_encrypted': 3,
      'mobile_identifications.phone_number_encrypted': 3,
      'mobile_identifications.email_encrypted': 3,
      'mobile_identifications.certificate_pdf_encrypted': 3,
      'web_identifications.eid_certificate_pdf_encrypted': 1,
    });
    for (const ids of Object.values(await keyIdsInDatabase())) expect(ids.filter((id) => id !== 'b')).toEqual([]);
    const printed = lines.join('\n');
    expect(printed).toContain('mobile_identifications.identifier_encrypted: 3 re-encrypted');
    for (const secret of [PERSON.identifier, PERSON.phoneNumber, PERSON.email, keyA.toString('base64'), keyB.toString('base64')]) {
      expect(printed).not.toContain(secret);
    }

    const again = await rotateKeys(dataSource, [{ id: 'b', key: keyB }, { id: 'a', key: keyA }], () => undefined);
    expect(again.every((result) => result.reencrypted === 0)).toBe(true);

    // Key A is gone from the ring: the server must read everything with B alone.
    server = await startTestServer(ringEnv(['b', keyB]), { database });
    const view = await request(server.url).get(`/api/v1/mobile-identifications/${mobileIds[0]}`).expect(200);
    expect(view.body.identifierMasked).toBe('******6742');
    expect((await request(server.url).get(`/api/v1/mobile-identifications/${mobileIds[0]}/certificate`).expect(200)).body).toEqual(certificate);
    await request(server.url).get(`/api/v1/web-identifications/${webId}/certificate`).expect(200);
  });

  it('continues where an interrupted run stopped', async () => {
    const ringC: KeyRing = [{ id: 'c', key: randomBytes(32) }, { id: 'b', key: keyB }];
    let batches = 0;
    await expect(
      rotateDataEncryptionKeys(dataSource, new DataCipher(ringC), {
        batchSize: 1,
        onProgress: () => {
          if (++batches === 2) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    const partly = await keyIdsInDatabase();
    expect(partly['mobile_identifications.identifier_encrypted'].sort()).toEqual(['b', 'c']);

    const resumed = await rotateDataEncryptionKeys(dataSource, new DataCipher(ringC));
    const identifiers = resumed.find((result) => result.column === 'identifier_encrypted');
    expect(identifiers?.reencrypted).toBe(1);
    for (const ids of Object.values(await keyIdsInDatabase())) expect(ids.filter((id) => id !== 'c')).toEqual([]);
  });
});
