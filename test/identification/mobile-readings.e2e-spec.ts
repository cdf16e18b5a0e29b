import request from 'supertest';
import { DataSource } from 'typeorm';
import type { DevCertificateFiles } from '../../src/sandbox/pki/dev-certificates';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { sampleValue } from '../metrics/prometheus-text';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { portOf, providerEnv, startStandaloneSandbox } from '../support/standalone-sandbox';
import { startTestServer, TestServer, useTestServer } from '../support/test-server';

const VALID = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Readings' };
const VALIDITY_MS = 3_000;
const GRACE_MS = 1_000;
/** Short deadlines and quick polls, so that each flow ends in seconds. */
const QUICK = {
  SANDBOX_MOBILE_VALIDITY_MS: String(VALIDITY_MS),
  BTRUST_DEADLINE_GRACE_MS: String(GRACE_MS),
  MOBILE_POLL_INITIAL_INTERVAL_MS: '150',
  MOBILE_POLL_MAX_INTERVAL_MS: '300',
  BTRUST_TIMEOUT_MS: '1500',
  BTRUST_RETRY_ATTEMPTS: '1',
  BTRUST_BREAKER_THRESHOLD: '1000',
};
const OPEN = ['PENDING', 'ON_BOARDING', 'IN_PROGRESS'];

interface Row {
  status: string;
  failure_code: string | null;
  provider_callback_id: string;
  expires_at: Date;
  created_at: Date;
  last_polled_at: Date | null;
  poll_count: number;
  eid_certificate_misses: number;
  next_poll_at: Date | null;
}

function helpers(server: () => TestServer) {
  const api = () => request(server().url);
  const db = () => server().app.get(DataSource);
  const row = async (id: string): Promise<Row> =>
    (
      await db().query(
        `SELECT status, failure_code, provider_callback_id, expires_at, created_at, last_polled_at, poll_count, eid_certificate_misses, next_poll_at
           FROM mobile_identifications WHERE id = $1`,
        [id],
      )
    )[0];
  const create = async () => (await api().post('/api/v1/mobile-identifications').send(VALID).expect(201)).body.id as string;
  const ended = (id: string) => eventually(() => row(id), (current) => !OPEN.includes(current.status), 20_000);
  /** The moves of one identification, oldest first. */
  const trail = async (id: string): Promise<Array<{ to_state: string; at: Date }>> =>
    db().query('SELECT to_state, at FROM state_transitions WHERE entity_id = $1 ORDER BY id', [id]);
  return { api, db, row, create, ended, trail };
}

/**
 * Scenario 1 against a sandbox answering in each way the document allows
 * (its readings), over real mutual TLS.
 */
describe('Mobile identification under the readings the document allows', () => {
  const server = useTestServer(QUICK, { resetSandboxBeforeEach: true });
  const { sandbox } = server;

  const { api, row, create, ended, trail } = helpers(() => server);

  describe.each([
    [401, 'CONFIGURATION_FAULT', 'OUTCOME_UNKNOWN'],
    [403, 'CONFIGURATION_FAULT', 'OUTCOME_UNKNOWN'],
    [404, 'NOT_YET', 'EXPIRED'],
    [500, 'TRANSIENT', 'OUTCOME_UNKNOWN'],
  ])('a refusal answered with HTTP %i (REJECTED body), read as %s', (rejectedStatus, _class, expected) => {
    it(`keeps the flow open until the deadline, then asks once more and ends ${expected}`, async () => {
      await sandbox.setReadings({ rejectedStatus: rejectedStatus as 401 | 403 | 404 | 500 });
      const id = await create();
      const { provider_callback_id: callbackId } = await eventually(() => row(id), (current) => current.poll_count >= 1);
      await sandbox.post(`/sandbox/mobile-identifications/${callbackId}/reject`);

      // B-Trust says "rejected" on a status that may mean something else: never REJECTED.
      const polledAfterRefusal = await eventually(() => row(id), (current) => current.poll_count >= 4);
      expect(OPEN).toContain(polledAfterRefusal.status);

      if (rejectedStatus === 401 || rejectedStatus === 403) {
        const ready = await api().get('/health/ready').expect(200);
        expect(ready.body.info.btrust.refusedOperations).toEqual([
          expect.objectContaining({ operation: 'getIdentificationResult', httpStatus: rejectedStatus, lastRefusedAt: expect.any(String) }),
        ]);
        const metrics = (await api().get('/metrics').expect(200)).text;
        expect(sampleValue(metrics, 'btrust_cas_btrust_configuration_faults_total', { operation: 'getIdentificationResult' })).toBeGreaterThanOrEqual(3);
      }

      const final = await ended(id);
      expect(final.status).toBe(expected);
      // It ended on the last ask, after the deadline and its grace, not before.
      const lastMove = (await trail(id)).at(-1)!;
      expect(lastMove.to_state).toBe(expected);
      expect(final.last_polled_at!.getTime()).toBeGreaterThanOrEqual(final.expires_at.getTime() + GRACE_MS);
      console.log(
        `HTTP ${rejectedStatus}: ${final.poll_count} polls, ended ${final.status} ${lastMove.at.getTime() - final.expires_at.getTime()} ms after the deadline`,
      );
      expect(await pollCountAfterAWhile(id)).toBe(final.poll_count);

      if (expected === 'OUTCOME_UNKNOWN') {
        // Once B-Trust answers readably again, an operator's refresh asks once more and ends it.
        await sandbox.setRecordReadings({ mobileIdentification: callbackId }, { rejectedStatus: 400 });
        const refreshed = await api().post(`/api/v1/admin/mobile-identifications/${id}/refresh`).expect(200);
        expect(refreshed.body).toMatchObject({ status: 'EXPIRED', failure: { code: 'EXPIRED' } });
      }
    });
  });

  it.each(['no-offset', 'compact'] as const)('reads dates=%s validity right and ends the identification at its deadline', async (dates) => {
    await sandbox.setReadings({ dates });
    const id = await create();
    const created = await row(id);
    // Sofia local time read in Sofia: the deadline is validity, not hours off either way.
    expect(Math.abs(created.expires_at.getTime() - (created.created_at.getTime() + VALIDITY_MS))).toBeLessThan(1_500);

    const final = await ended(id);
    expect(final).toMatchObject({ status: 'EXPIRED', failure_code: 'EXPIRED', next_poll_at: null });
    expect(final.last_polled_at!.getTime()).toBeGreaterThanOrEqual(final.expires_at.getTime());
    expect(await pollCountAfterAWhile(id)).toBe(final.poll_count);
  });

  it('asks again when the finished answer lacks the eID certificate (eidCertificate=missing-first), and completes with it', async () => {
    await sandbox.setReadings({ eidCertificate: 'missing-first' });
    const id = await create();
    const { provider_callback_id: callbackId } = await eventually(() => row(id), (current) => current.poll_count >= 1);
    await sandbox.post(`/sandbox/mobile-identifications/${callbackId}/complete`);

    const final = await ended(id);
    expect(final).toMatchObject({ status: 'COMPLETED', eid_certificate_misses: 1 });
    const certificate = await api().get(`/api/v1/mobile-identifications/${id}/certificate`).buffer(true).expect(200);
    expect(Buffer.from(certificate.body).subarray(0, 5).toString()).toBe('%PDF-');
  });

  async function pollCountAfterAWhile(id: string): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 800));
    return (await row(id)).poll_count;
  }
});

describe('Mobile identification whose finished answers never carry the eID certificate', () => {
  const server = useTestServer({ ...QUICK, EID_CERTIFICATE_FETCH_ATTEMPTS: '1' });
  const { sandbox } = server;

  const { api, row, create, ended } = helpers(() => server);

  it('ends FAILED with EID_CERTIFICATE_MISSING once the configured attempts are used, never COMPLETED without it', async () => {
    await sandbox.setReadings({ eidCertificate: 'missing-first' });
    const id = await create();
    const { provider_callback_id: callbackId } = await eventually(() => row(id), (current) => current.poll_count >= 1);
    await sandbox.post(`/sandbox/mobile-identifications/${callbackId}/complete`);

    expect(await ended(id)).toMatchObject({ status: 'FAILED', failure_code: 'EID_CERTIFICATE_MISSING', eid_certificate_misses: 1 });
    const view = await api().get(`/api/v1/mobile-identifications/${id}`).expect(200);
    expect(view.body).toMatchObject({ status: 'FAILED', failure: { code: 'EID_CERTIFICATE_MISSING' }, identificator: null });
    await api().get(`/api/v1/mobile-identifications/${id}/certificate`).expect(409);
  });
});

/**
 * The provider restarted without its records (a sandbox without a data
 * folder): it answers the identification as an unknown id, 404 REJECTED.
 */
describe('Mobile identification the provider has forgotten', () => {
  let provider: RunningSandbox;
  let certificates: DevCertificateFiles;
  let server: TestServer;

  beforeAll(async () => {
    ({ sandbox: provider, certificates } = await startStandaloneSandbox({ mobileIdentificationValidityMs: VALIDITY_MS }));
    server = await startTestServer({ ...QUICK, ...providerEnv(provider, certificates) });
  });
  afterAll(async () => {
    await server?.stop();
    await provider?.close();
  });

  const { row, create, ended, trail } = helpers(() => server);

  it('keeps polling through 404s until the deadline, then ends EXPIRED', async () => {
    const id = await create();
    await eventually(() => row(id), (current) => current.poll_count >= 1);
    const ports = { apiPort: portOf(provider.apiBaseUrl), pagesPort: portOf(provider.pagesBaseUrl) };
    await provider.close();
    ({ sandbox: provider } = await startStandaloneSandbox({ certificates, ...ports, mobileIdentificationValidityMs: VALIDITY_MS }));
    const control = new SandboxControl(provider.pagesBaseUrl);

    const polledWhileForgotten = await eventually(() => control.calls(), (calls) => calls.getIdentificationResult >= 3);
    expect(polledWhileForgotten.identification).toBe(0);
    expect(OPEN).toContain((await row(id)).status);

    const final = await ended(id);
    expect(final).toMatchObject({ status: 'EXPIRED', failure_code: 'EXPIRED' });
    expect(final.last_polled_at!.getTime()).toBeGreaterThanOrEqual(final.expires_at.getTime() + GRACE_MS);
    expect((await trail(id)).map((move) => move.to_state)).not.toContain('REJECTED');
  });
});

/** B-Trust refusing our access to the paid operation itself: nothing starts, and nothing is left open. */
describe('Mobile identification when B-Trust refuses our access (401 on 1.1)', () => {
  let provider: RunningSandbox;
  let server: TestServer;

  beforeAll(async () => {
    const standalone = await startStandaloneSandbox();
    provider = standalone.sandbox;
    const { certificates } = standalone;
    // Not the relying party the provider knows: every call is answered 401 UNAUTHORIZED.
    server = await startTestServer({ ...QUICK, ...providerEnv(provider, certificates, '99999999') });
  });
  afterAll(async () => {
    await server?.stop();
    await provider?.close();
  });

  const { api, db } = helpers(() => server);

  it('ends FAILED with 502 PROVIDER_ACCESS_REFUSED, counts it and shows it in /health/ready', async () => {
    const response = await api().post('/api/v1/mobile-identifications').send(VALID).expect(502);
    expect(response.body).toMatchObject({ code: 'PROVIDER_ACCESS_REFUSED' });
    const [row] = await db().query('SELECT status, failure_code FROM mobile_identifications ORDER BY created_at DESC LIMIT 1');
    expect(row).toEqual({ status: 'FAILED', failure_code: 'UNAUTHORIZED' });

    const ready = await api().get('/health/ready').expect(200);
    expect(ready.body.info.btrust.refusedOperations).toEqual([
      expect.objectContaining({ operation: 'identification', httpStatus: 401, providerCode: 'UNAUTHORIZED', refusals: 1 }),
    ]);
    const metrics = (await api().get('/metrics').expect(200)).text;
    expect(sampleValue(metrics, 'btrust_cas_btrust_configuration_faults_total', { operation: 'identification' })).toBe(1);
    expect((await new SandboxControl(provider.pagesBaseUrl).calls()).identification).toBe(1);
  });
});
