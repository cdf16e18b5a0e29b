import { ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { reachableTempDir } from '../support/embedded-cluster';
import { eventually } from '../support/sandbox-control';
import { freePort, startTestServer, TestServer } from '../support/test-server';

const VALID_MOBILE = { docType: 'EGN', identifier: '7805166742', dateOfBirth: '1978-05-16', reason: 'Database restart' };

function startPostgres(dataDir: string, port: number): Promise<ChildProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve(__dirname, '../support/postgres-process.mjs'), dataDir, String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolvePromise(child);
    });
    child.once('exit', (code) => reject(new Error(`PostgreSQL exited with ${code}`)));
  });
}

function stopPostgres(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    child.once('exit', () => resolvePromise());
    child.kill('SIGTERM');
  });
}

describe('PostgreSQL restarted under a running server', () => {
  let postgres: ChildProcess;
  let server: TestServer;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = join(await reachableTempDir('btrust-cas-pg-restart-'), 'pg');
    port = await freePort();
    postgres = await startPostgres(dataDir, port);
    const admin = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    await admin.query('CREATE DATABASE cas');
    await admin.end();
    const url = `postgres://postgres:postgres@127.0.0.1:${port}/cas`;
    server = await startTestServer({}, { database: { url, drop: async () => {} } });
  });

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    if (postgres?.exitCode === null) await stopPostgres(postgres);
  });

  it('answers 503 while the database is down and recovers by itself', async () => {
    await request(server.url).post('/api/v1/mobile-identifications').send(VALID_MOBILE).expect(201);

    await stopPostgres(postgres);
    const during = await request(server.url).post('/api/v1/mobile-identifications').send(VALID_MOBILE);
    expect(during.status).toBe(503);
    expect(during.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(during.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(during.headers['retry-after']).toEqual(expect.any(String));
    const readiness = await request(server.url).get('/health/ready');
    expect(readiness.status).toBe(503);
    await request(server.url).get('/health').expect(200);

    postgres = await startPostgres(dataDir, port);
    await eventually(
      () => request(server.url).post('/api/v1/mobile-identifications').send(VALID_MOBILE).then((response) => response.status),
      (status) => status === 201,
      30_000,
    );
    await request(server.url).get('/health/ready').expect(200);
  });
});
