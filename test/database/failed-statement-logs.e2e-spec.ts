import { Client } from 'pg';
import { jsonDocument, pdfOfSize } from '../signing/signing-support';
import { reportFigure } from '../support/figures';
import { eventually, SandboxControl } from '../support/sandbox-control';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { freePort } from '../support/test-server';

const DOCUMENT_BYTES = 4 * 1024 * 1024;
/** Found in a log line, a parameter of the failed statement leaked. */
const TITLE = 'Loan agreement of Petra Logline-Canary';
/** A line about one failure is a few hundred characters, a stack trace a couple of thousand; the document is millions. */
const SHORT_LINE = 4_000;

/**
 * The server in a child process, so that every byte it logs is captured as
 * an operator would see it, at LOG_LEVEL=debug.
 */
describe('Failed database statements in the logs', () => {
  let database: TestDatabase;
  let server: ServerProcess;
  let url: string;
  let control: SandboxControl;
  const output = () => server.output();

  beforeAll(async () => {
    database = await createTestDatabase();
    const sandboxPagesPort = await freePort();
    server = await startServerProcess({
      LOG_LEVEL: 'debug',
      DATABASE_URL: database.url,
      SANDBOX_API_PORT: String(await freePort()),
      SANDBOX_PAGES_PORT: String(sandboxPagesPort),
      SANDBOX_DATA_DIR: 'memory',
      SANDBOX_CALLBACK_DELAY_MS: '20',
    });
    url = server.url;
    control = new SandboxControl(`http://127.0.0.1:${sandboxPagesPort}`);
  }, 120_000);

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await database?.drop();
  });

  async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, json: await response.json() };
  }

  async function onDatabase(sql: string): Promise<any[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  }

  it('logs a failing INSERT of a 4 MB document as short lines with the statement and error code, without the document', async () => {
    const identification = await post('/api/v1/web-identifications', { reason: 'Statement logs', successUrl: `${url}/ok`, cancelUrl: `${url}/cancel` });
    expect(identification.status).toBe(201);
    const { webIdentifications } = await control.state();
    await control.post(`/sandbox/web-identifications/${webIdentifications.at(-1)!.webSessionId}/approve`, { fullName: 'Petra Ivanova', egn: '7805166742' });
    await eventually(
      async () => ((await (await fetch(`${url}/api/v1/web-identifications/${identification.json.id}`)).json()) as { status: string }).status,
      (status) => status === 'IDENTIFIED',
    );

    // From now on PostgreSQL refuses every new document row, whatever the request holds.
    await onDatabase('ALTER TABLE signing_documents ADD CONSTRAINT statement_logs_refuse_documents CHECK (false) NOT VALID');
    const document = await pdfOfSize(DOCUMENT_BYTES);
    const logged = output().length;
    const signing = await post(`/api/v1/web-identifications/${identification.json.id}/signings`, {
      documents: [jsonDocument(document, 'contract.pdf', { title: TITLE })],
      successUrl: `${url}/signed`,
      cancelUrl: `${url}/not-signed`,
    });
    expect(signing.status).toBe(500);
    expect(signing.json).toMatchObject({ code: 'INTERNAL_ERROR', requestId: expect.any(String) });
    // Nothing half-written, and B-Trust was never asked.
    expect(await onDatabase('SELECT count(*)::int AS n FROM signings')).toEqual([{ n: 0 }]);
    expect((await control.state()).signings).toEqual([]);

    await eventually(async () => output().slice(logged), (text) => text.includes('Unhandled error while serving a request'));
    const lines = output().slice(logged).split('\n').filter((line) => line.trim() !== '');
    const longest = Math.max(...lines.map((line) => line.length));
    reportFigure(
      `log of a failed INSERT with a ${document.length}-byte document`,
      `${lines.length} lines, ${output().length - logged} characters in all, longest line ${longest}`,
    );

    const failed = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'A database statement failed');
    expect(failed).toMatchObject({ level: 50, statement: 'INSERT signing_documents', fingerprint: expect.stringMatching(/^[0-9a-f]{12}$/), code: '23514' });
    const unhandled = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'Unhandled error while serving a request');
    expect(unhandled).toMatchObject({ requestId: signing.json.requestId, err: { type: 'QueryFailedError', code: '23514' } });
    expect(unhandled.err).not.toHaveProperty('parameters');
    expect(unhandled.err).not.toHaveProperty('detail');

    expect(longest).toBeLessThan(SHORT_LINE);
    const sample = document.subarray(document.length / 2, document.length / 2 + 48);
    for (const needle of [TITLE, sample.toString('base64'), sample.toString('hex'), 'Failing row', '"parameters"', `[${[...sample.subarray(0, 8)].join(',')}`]) {
      expect({ needle, line: lines.find((line) => line.includes(needle)) }).toEqual({ needle, line: undefined });
    }
  });
});
