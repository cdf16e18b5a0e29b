/**
 * The bare baselines: the least code that does the same work as the server,
 * measured in the same run on the same database and sandbox. Each is what a
 * hand-written service without a framework, validation, audit trail or job
 * queue would cost, so the server's figures are read as ratios against them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { announceReady, serveIpc } from '../harness/ipc';

export interface BaselineSettings {
  databaseUrl: string;
  sandbox: { apiBaseUrl: string; relyingPartyId: string; certPath: string; keyPath: string; caPath: string };
  bodyLimitBytes: number;
}

export interface BaselineDetails {
  /** Fastify routes: GET /bare/mobile-identifications/:id, POST /bare/callbacks/:token, POST /bare/documents */
  fastifyOrigin: string;
  /** node:http forwarder: POST /bare/mobile-identifications */
  forwarderOrigin: string;
}

interface CallbackBody {
  code?: string;
  requestId?: number;
  relyingPartyId?: number;
  data?: { processState?: string; sessionId?: string; resultId?: string | number };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_BASELINE_SETTINGS ?? '') as BaselineSettings;
  const pool = new Pool({ connectionString: settings.databaseUrl, max: 20 });
  let readOwner = '';

  const app = Fastify({ logger: false, bodyLimit: settings.bodyLimitBytes });

  // Scenario 1: the same indexed SELECT the server runs (primary key and owner), mapped to the same view.
  app.get<{ Params: { id: string } }>('/bare/mobile-identifications/:id', async (request, reply) => {
    if (!UUID.test(request.params.id)) return reply.code(400).send({ code: 'BAD_REQUEST' });
    const { rows } = await pool.query(
      `SELECT id, status, expires_at, created_at, doc_type, identifier_masked, completed_at, identificator,
              identification_before, failure_code, failure_message
         FROM mobile_identifications WHERE id = $1 AND owner = $2`,
      [request.params.id, readOwner],
    );
    const row = rows[0];
    if (!row) return reply.code(404).send({ code: 'NOT_FOUND' });
    return {
      id: row.id,
      status: row.status,
      expiresAt: row.expires_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
      docType: row.doc_type,
      identifierMasked: row.identifier_masked,
      completedAt: row.completed_at?.toISOString() ?? null,
      identificator: row.identificator,
      identificationBefore: row.identification_before,
      failure: row.failure_code ? { code: row.failure_code, message: row.failure_message } : null,
    };
  });

  // Scenario 3: the same durable work as the webhook path (resolve the token, store, enqueue, one transaction).
  await pool.query('CREATE TABLE IF NOT EXISTS bench_bare_inbox (LIKE callback_inbox INCLUDING ALL)');
  await pool.query('CREATE TABLE IF NOT EXISTS bench_bare_jobs (id uuid PRIMARY KEY, data jsonb NOT NULL, created_on timestamptz NOT NULL DEFAULT now())');
  app.post<{ Params: { token: string }; Body: CallbackBody | undefined }>('/bare/callbacks/:token', async (request, reply) => {
    const body = request.body;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const endpoint = await client.query('SELECT subject_id FROM callback_endpoints WHERE token_hash = $1 AND expires_at > now()', [
        createHash('sha256').update(request.params.token).digest('hex'),
      ]);
      if (endpoint.rows.length === 0) {
        await client.query('ROLLBACK');
        return reply.code(404).send({ code: 'CALLBACK_NOT_FOUND' });
      }
      const data = body?.data ?? {};
      const inserted = await client.query(
        `INSERT INTO bench_bare_inbox (id, subject_id, dedupe_key, request_id, relying_party_id, process_state, session_id, result_id, provider_code, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING')
         ON CONFLICT (subject_id, dedupe_key) DO UPDATE SET duplicates = bench_bare_inbox.duplicates + 1
         RETURNING id, (xmax = 0) AS inserted`,
        [
          randomUUID(),
          endpoint.rows[0].subject_id,
          [body?.requestId, data.processState, data.sessionId, data.resultId].join('|'),
          String(body?.requestId),
          String(body?.relyingPartyId),
          data.processState,
          data.sessionId,
          String(data.resultId),
          body?.code ?? null,
        ],
      );
      if (inserted.rows[0].inserted) {
        await client.query('INSERT INTO bench_bare_jobs (id, data) VALUES ($1, $2)', [randomUUID(), { inboxId: inserted.rows[0].id }]);
      }
      await client.query('COMMIT');
      return { status: inserted.rows[0].inserted ? 'accepted' : 'duplicate' };
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  });

  // Scenario 5: the floor of any JSON upload of documents: read the body, parse it, decode every document.
  app.post<{ Body: { documents: Array<{ contentBase64: string }> } }>('/bare/documents', async (request) => {
    const decoded = request.body.documents.map((document) => Buffer.from(document.contentBase64, 'base64'));
    return { documents: decoded.length, bytes: decoded.reduce((sum, buffer) => sum + buffer.length, 0) };
  });

  await app.listen({ host: '127.0.0.1', port: 0 });

  // Scenario 2: a keep-alive mutual-TLS forwarder in plain node:http: map the body, call the sandbox, answer.
  const agent = new Agent({
    keepAlive: true,
    cert: readFileSync(settings.sandbox.certPath),
    key: readFileSync(settings.sandbox.keyPath),
    ca: readFileSync(settings.sandbox.caPath),
  });
  const provider = new URL(`${settings.sandbox.apiBaseUrl}/identification`);
  const forwarder = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const [year, month, day] = String(body.dateOfBirth).split('-');
      const wire = JSON.stringify({
        personIdentityData: { docType: body.docType, identificatorValue: body.identifier, dateOfBirth: `${day}-${month}-${year}` },
        payer: 'RELYING_PARTY',
        identificationReason: body.reason,
      });
      const upstream = httpsRequest(
        provider,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(wire),
            accept: 'application/json',
            relyingPartyID: settings.sandbox.relyingPartyId,
          },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            response.writeHead(answer.statusCode === 200 ? 201 : 502, { 'content-type': 'application/json' });
            response.end(Buffer.concat(parts));
          });
        },
      );
      upstream.on('error', () => {
        response.writeHead(502).end();
      });
      upstream.end(wire);
    });
  });
  await new Promise<void>((done) => forwarder.listen(0, '127.0.0.1', done));

  serveIpc({
    setReadOwner: ({ owner }: { owner: string }) => {
      readOwner = owner;
      return { owner };
    },
  });
  process.once('SIGTERM', () => {
    forwarder.close();
    agent.destroy();
    void app.close().then(() => pool.end()).then(() => process.exit(0));
  });
  announceReady({
    fastifyOrigin: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    forwarderOrigin: `http://127.0.0.1:${(forwarder.address() as AddressInfo).port}`,
  } satisfies BaselineDetails);
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline process failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
