import { Client } from 'pg';
import { parseEgn } from '../../src/common/validation/bulgarian-identifiers';
import { jsonDocument, pdf } from '../signing/signing-support';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { providerEnv, startStandaloneSandbox } from '../support/standalone-sandbox';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** Personal data used by this test only: found anywhere it must not be, it leaked. */
const CANARY = {
  /** Born 2003-07-09 (month 07 + 40 for the 2000s), sequence 731, check digit 4. */
  egn: '0347097314',
  dateOfBirth: '2003-07-09',
  phone: '+359899731473',
  email: 'canary.7314@privacy-canary.example',
  /** The name B-Trust identifies the person by, which its one-time certificate then carries into every signed PDF. */
  fullName: 'Canarina Signerova-Privacyeva',
};
/** What must never appear: each value, and the phone without its "+" (as a field might echo it). */
const NEEDLES = [CANARY.egn, CANARY.phone.slice(1), CANARY.email];
/** What the owner's own views may show, but no log line and no column in plaintext. */
const OWN_VIEW_NEEDLES = [CANARY.fullName];

interface Exchange {
  what: string;
  status: number;
  headers: string;
  body: string;
}

/**
 * The canary: every flow driven with a made-up person, with the server in a
 * child process at LOG_LEVEL=debug and every byte it writes captured; then
 * the person's EGN, phone and e-mail must appear in no log line, no response
 * (the owner's own documents aside) and no database column in plaintext.
 */
describe('Personal data canary', () => {
  let database: TestDatabase;
  let sandbox: RunningSandbox;
  let control: SandboxControl;
  let server: ServerProcess;
  let url: string;
  const exchanges: Exchange[] = [];
  /** Responses that are the owner's own documents: checked to be what they claim, not scanned. */
  const ownDocuments: string[] = [];
  let identifiedId: string;

  beforeAll(async () => {
    expect(parseEgn(CANARY.egn)).toEqual({ ok: true, birthDate: CANARY.dateOfBirth, sex: 'female' });
    database = await createTestDatabase();
    const standalone = await startStandaloneSandbox();
    sandbox = standalone.sandbox;
    const { certificates } = standalone;
    control = new SandboxControl(sandbox.pagesBaseUrl);
    server = await startServerProcess({
      LOG_LEVEL: 'debug',
      DATABASE_URL: database.url,
      ...providerEnv(sandbox, certificates),
      MOBILE_POLL_INITIAL_INTERVAL_MS: '100',
      MOBILE_POLL_MAX_INTERVAL_MS: '200',
      WEB_RECONCILE_QUIET_PERIOD_MS: '500',
      WEB_RECONCILE_INTERVAL_MS: '500',
      RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '100000',
      RATE_LIMIT_CREATE_PER_IP_PER_MINUTE: '100000',
    });
    url = server.url;
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await sandbox?.close();
    await database?.drop();
  });

  async function call(what: string, path: string, init: RequestInit & { json?: unknown } = {}): Promise<Exchange & { json: any }> {
    const headers = new Headers(init.headers);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const response = await fetch(`${url}${path}`, { ...init, headers, body });
    const text = await response.text();
    const exchange = { what, status: response.status, headers: JSON.stringify([...response.headers]), body: text };
    exchanges.push(exchange);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { ...exchange, json };
  }

  async function ownDocument(path: string): Promise<void> {
    const response = await fetch(`${url}${path}`);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    ownDocuments.push(path);
  }

  const mobileRequest = { docType: 'EGN', identifier: CANARY.egn, dateOfBirth: CANARY.dateOfBirth, phoneNumber: CANARY.phone, email: CANARY.email, reason: 'Canary' };

  async function until(path: string, status: string): Promise<void> {
    await eventually(async () => (await call(`poll ${path}`, path)).json?.status, (current) => current === status, 30_000);
  }

  it('drives the mobile flows: create, poll, complete, reject, idempotent repeat', async () => {
    const created = await call('mobile create', '/api/v1/mobile-identifications', { method: 'POST', json: mobileRequest });
    expect(created.status).toBe(201);
    const [first] = (await eventually(() => control.state(), (state) => state.mobileIdentifications.length === 1)).mobileIdentifications;
    await control.post(`/sandbox/mobile-identifications/${first.callbackId}/complete`);
    await until(`/api/v1/mobile-identifications/${created.json.id}`, 'COMPLETED');
    const view = await call('mobile view', `/api/v1/mobile-identifications/${created.json.id}`);
    expect(view.json.identifierMasked).toBe('******7314');
    await ownDocument(`/api/v1/mobile-identifications/${created.json.id}/certificate`);

    const headers = { 'idempotency-key': 'canary-rejected' };
    const rejected = await call('mobile create (idempotent)', '/api/v1/mobile-identifications', { method: 'POST', json: mobileRequest, headers });
    const repeated = await call('mobile create (repeat)', '/api/v1/mobile-identifications', { method: 'POST', json: mobileRequest, headers });
    expect(repeated.json.id).toBe(rejected.json.id);
    const reused = await call('idempotency key reused', '/api/v1/mobile-identifications', {
      method: 'POST',
      json: { ...mobileRequest, reason: 'Another body' },
      headers,
    });
    expect(reused.status).toBe(422);
    const second = (await eventually(() => control.state(), (state) => state.mobileIdentifications.length === 2)).mobileIdentifications.find(
      (mobile) => mobile.callbackId !== first.callbackId,
    )!;
    await control.post(`/sandbox/mobile-identifications/${second.callbackId}/reject`);
    await until(`/api/v1/mobile-identifications/${rejected.json.id}`, 'REJECTED');
  });

  it('refuses bad input without echoing it', async () => {
    const bad: Array<[string, unknown]> = [
      ['date of birth disagreeing with the EGN', { ...mobileRequest, dateOfBirth: '2003-07-10' }],
      ['the EGN as an LNC', { ...mobileRequest, docType: 'LNC' }],
      ['the e-mail as a phone identifier', { ...mobileRequest, docType: 'PHONE', identifier: CANARY.email }],
      ['the phone without its +', { ...mobileRequest, phoneNumber: CANARY.phone.slice(1) }],
      ['the EGN in an unknown field', { ...mobileRequest, egn: CANARY.egn }],
      ['the e-mail as a reason that is too long', { ...mobileRequest, reason: `${CANARY.email} `.repeat(40) }],
      ['values of the wrong type', { ...mobileRequest, identifier: [CANARY.egn], email: { value: CANARY.email } }],
    ];
    for (const [what, json] of bad) {
      const response = await call(what, '/api/v1/mobile-identifications', { method: 'POST', json });
      expect([what, response.status]).toEqual([what, 400]);
    }
    const malformed = await call('malformed JSON', '/api/v1/mobile-identifications', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"docType":"EGN","identifier":"${CANARY.egn}","email":"${CANARY.email}",`,
    });
    expect(malformed.status).toBe(400);
    const wrongType = await call('form body', '/api/v1/mobile-identifications', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `identifier=${CANARY.egn}&email=${encodeURIComponent(CANARY.email)}`,
    });
    expect(wrongType.status).toBeGreaterThanOrEqual(400);
    expect(wrongType.status).toBeLessThan(500);
    // The path is echoed as the problem's `instance`: the canary goes in the body, where a person's data would be.
    const bogusCallback = await call('callback to an unknown URL', '/callbacks/btrust/not-a-token-we-issued', {
      method: 'POST',
      json: { code: 'OK', data: { sessionId: CANARY.egn, email: CANARY.email } },
    });
    expect(bogusCallback.status).toBeGreaterThanOrEqual(400);
    expect(bogusCallback.status).toBeLessThan(500);
  });

  it('drives the web identification with its callbacks, including a malformed one', async () => {
    const created = await call('web create', '/api/v1/web-identifications', {
      method: 'POST',
      json: { reason: 'Canary', successUrl: `${url}/ok`, cancelUrl: `${url}/cancel`, externalRef: 'canary-web' },
    });
    expect(created.status).toBe(201);
    const state = await control.state();
    const web = state.webIdentifications[state.webIdentifications.length - 1];
    const malformed = await call('malformed callback', web.requestCallbackPath, {
      method: 'POST',
      json: { code: 'OK', requestId: 1, relyingPartyId: 24102167, data: { processState: 7, sessionId: CANARY.egn, resultId: CANARY.email } },
    });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    await control.post(`/sandbox/web-identifications/${web.webSessionId}/approve`, { fullName: CANARY.fullName, egn: CANARY.egn });
    await until(`/api/v1/web-identifications/${created.json.id}`, 'IDENTIFIED');
    await call('web refresh', `/api/v1/web-identifications/${created.json.id}?refresh=true`);
    await call('web registration', `/api/v1/web-identifications/${created.json.id}/registration`);
    await ownDocument(`/api/v1/web-identifications/${created.json.id}/certificate`);
    identifiedId = created.json.id;
  });

  it('drives a signing to SIGNED, whose verification names the signer to the owner', async () => {
    const signing = await call('signing create', `/api/v1/web-identifications/${identifiedId}/signings`, {
      method: 'POST',
      json: { documents: [jsonDocument(await pdf(1, 'Canary contract'), 'canary-contract.pdf')], successUrl: `${url}/signed`, cancelUrl: `${url}/not-signed` },
    });
    expect(signing.status).toBe(201);
    const { signings } = await control.state();
    const sandboxSigning = signings.find((candidate) => candidate.clientDocumentUrl === signing.json.redirectUrl)!;
    await control.post(`/sandbox/signings/${sandboxSigning.resultId}/sign`);
    await until(`/api/v1/signings/${signing.json.id}`, 'SIGNED');
    // The owner's own view: the signer's name is there (decrypted), so the scans below know what they look for.
    const response = await fetch(`${url}/api/v1/signings/${signing.json.id}`);
    const view = (await response.json()) as { documents: Array<{ verification: { signer: { commonName: string } } }> };
    expect(view.documents[0].verification.signer.commonName).toBe(CANARY.fullName);
    await ownDocument(`/api/v1/signings/${signing.json.id}/documents/0`);
  });

  it('leaves the canary in no log line, no response and no plaintext column', async () => {
    await server.stop();
    const output = server.output();

    // The capture worked and was at debug level: requests and debug lines are there.
    expect(output).toContain('/api/v1/mobile-identifications');
    expect(output).toMatch(/"level":20/);
    for (const needle of [...NEEDLES, ...OWN_VIEW_NEEDLES]) {
      const line = output.split('\n').find((candidate) => candidate.includes(needle));
      expect({ needle, line }).toEqual({ needle, line: undefined });
    }

    expect(exchanges.length).toBeGreaterThan(20);
    for (const exchange of exchanges) {
      for (const needle of NEEDLES) {
        expect({ what: exchange.what, needle, leaked: exchange.body.includes(needle) || exchange.headers.includes(needle) }).toEqual({
          what: exchange.what,
          needle,
          leaked: false,
        });
      }
    }
    expect(ownDocuments).toHaveLength(3);

    // The scan finds what is stored in plaintext (the caller's own reference), so its silence means something.
    expect(await plaintextOccurrences(database.url, ['canary-web'])).toEqual(['public.web_identifications.external_ref holds canary-web']);
    expect(await plaintextOccurrences(database.url, [...NEEDLES, ...OWN_VIEW_NEEDLES])).toEqual([]);
  });
});

/** Every text-like and bytea column of every table (pg-boss's too) that holds a needle in plaintext. */
async function plaintextOccurrences(databaseUrl: string, needles: string[]): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
      `SELECT c.table_schema, c.table_name, c.column_name, c.data_type
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')`,
    );
    expect(columns.some((column) => column.column_name === 'identifier_encrypted')).toBe(true);
    const found: string[] = [];
    for (const column of columns) {
      const table = `"${column.table_schema}"."${column.table_name}"`;
      const name = `"${column.column_name}"`;
      for (const needle of needles) {
        const condition =
          column.data_type === 'bytea' ? `position($1::bytea IN ${name}) > 0` : `${name}::text LIKE '%' || $1 || '%'`;
        const parameter = column.data_type === 'bytea' ? Buffer.from(needle, 'utf8') : needle;
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${condition}`, [parameter]);
        if (rows[0].n > 0) found.push(`${column.table_schema}.${column.table_name}.${column.column_name} holds ${needle}`);
      }
    }
    return found;
  } finally {
    await client.end();
  }
}
