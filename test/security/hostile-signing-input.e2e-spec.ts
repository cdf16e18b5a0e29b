import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { handWrittenPdf, objectStreamBomb } from '../support/hostile-pdfs';
import { reportFigure } from '../support/figures';
import { waitForFreshWindow } from '../support/rate-windows';
import { startTestServer, TestServer } from '../support/test-server';
import { jsonDocument, pdf, SigningDriver } from '../signing/signing-support';

const MEBIBYTE = 1024 * 1024;
const OVERSIZED_BODY = 120 * MEBIBYTE;

interface UnreadUpload {
  status: number;
  body: Record<string, unknown>;
  /** What the client had handed to its socket when the answer came. */
  sentBeforeAnswer: number;
}

/**
 * Streams a JSON body of `total` bytes (one huge base64 document) and stops
 * sending once the answer arrives, as a client that reads answers would.
 */
function uploadOversized(url: string, path: string, total: number): Promise<UnreadUpload> {
  return new Promise((resolve, reject) => {
    const call = httpRequest(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(total) },
    });
    const prefix = Buffer.from('{"documents":[{"fileName":"a.pdf","title":"A","contentBase64":"');
    const chunk = Buffer.alloc(MEBIBYTE, 'A');
    let sent = 0;
    let answered = false;
    const pump = (): void => {
      while (!answered && sent < total) {
        const piece = sent === 0 ? prefix : chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += piece.length;
        if (!call.write(piece)) {
          call.once('drain', pump);
          return;
        }
      }
      if (!answered) call.end();
    };
    call.on('response', (response) => {
      answered = true;
      const sentBeforeAnswer = sent;
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => {
        call.destroy();
        resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(parts).toString('utf8')), sentBeforeAnswer });
      });
    });
    call.on('error', (error) => {
      if (!answered) reject(error);
    });
    pump();
  });
}

/** The largest resident set size seen while `work` runs (sampled every 20 ms), less the one before. */
async function rssGrowthDuring<T>(work: () => Promise<T>): Promise<{ result: T; growthMiB: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMiB: Math.round((peak - before) / MEBIBYTE) };
  } finally {
    clearInterval(sampler);
  }
}

describe('Hostile signing input', () => {
  let server: TestServer;
  let driver: SigningDriver;

  beforeAll(async () => {
    server = await startTestServer({ WEB_RECONCILE_QUIET_PERIOD_MS: '600000' });
    driver = new SigningDriver(server);
  });
  afterAll(() => server?.stop());

  const signingRows = async () => Number((await driver.db().query('SELECT count(*) FROM signings'))[0].count);

  describe('a decompression bomb', () => {
    it('is refused 422 PDF_LIMIT_EXCEEDED before any paid call, while /health keeps answering', async () => {
      const identificationId = await driver.identify();
      const bomb = await objectStreamBomb(1000);
      const callsBefore = (await driver.sandbox.calls()).startSignSession ?? 0;
      const rowsBefore = await signingRows();

      let healthMaxMs = 0;
      let healthAnswers = 0;
      let polling = true;
      const poll = (async () => {
        while (polling) {
          const started = Date.now();
          await request(server.url).get('/health').expect(200);
          healthMaxMs = Math.max(healthMaxMs, Date.now() - started);
          healthAnswers++;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      })();
      const started = Date.now();
      const { result: response, growthMiB } = await rssGrowthDuring(() =>
        driver.postJson(identificationId, { documents: [jsonDocument(bomb, 'bomb.pdf')], ...driver.urls() }),
      );
      const refusedAfterMs = Date.now() - started;
      polling = false;
      await poll;

      reportFigure('bomb size', `${(bomb.length / MEBIBYTE).toFixed(2)} MiB, inflating to 1000 MiB`);
      reportFigure('bomb refused after', `${refusedAfterMs} ms`);
      reportFigure('/health during the bomb', `${healthAnswers} answers, slowest ${healthMaxMs} ms`);
      reportFigure('RSS growth during the bomb', `${growthMiB} MiB`);
      expect(response.status).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ code: 'PDF_LIMIT_EXCEEDED', limit: 'inflatedBytes', document: 0 });
      expect((await driver.sandbox.calls()).startSignSession ?? 0).toBe(callsBefore);
      expect(await signingRows()).toBe(rowsBefore);
      // Sanity bounds only, far from what a blocked loop or an inflated gigabyte would show.
      expect(healthAnswers).toBeGreaterThan(0);
      expect(growthMiB).toBeLessThan(900);
    });
  });

  describe('an oversized body', () => {
    it('to an identification that does not exist is answered 404 before it is read', async () => {
      const { result: answer, growthMiB } = await rssGrowthDuring(() =>
        uploadOversized(server.url, `/api/v1/web-identifications/${randomUUID()}/signings`, OVERSIZED_BODY),
      );
      reportFigure('120 MiB body to a missing identification', `answered after ${(answer.sentBeforeAnswer / MEBIBYTE).toFixed(1)} MiB sent; RSS growth ${growthMiB} MiB`);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ code: 'NOT_FOUND' });
      expect(answer.sentBeforeAnswer).toBeLessThan(OVERSIZED_BODY);
    });

    it('to an identification id that is not a UUID is answered 400 before it is read', async () => {
      const answer = await uploadOversized(server.url, '/api/v1/web-identifications/not-a-uuid/signings', OVERSIZED_BODY);
      expect(answer.status).toBe(400);
      expect(answer.sentBeforeAnswer).toBeLessThan(OVERSIZED_BODY);
    });
  });

  describe('JSON nested 100,000 deep', () => {
    const deep = `{"reason":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;

    it.each([
      ['a web identification', '/api/v1/web-identifications'],
      ['a mobile identification', '/api/v1/mobile-identifications'],
      ['a webhook', '/callbacks/btrust/some-token'],
    ])('is refused 400 JSON_TOO_DEEP as %s', async (_what, path) => {
      const response = await request(server.url).post(path).set('content-type', 'application/json').send(deep);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'JSON_TOO_DEEP', maxDepth: 32 });
    });

    it('is refused 400 JSON_TOO_DEEP as a signing, JSON or multipart metadata, typed or not', async () => {
      // The identification is checked before the body is read: a real one, so that the body is.
      const real = await driver.identify();
      const json = await request(server.url).post(`/api/v1/web-identifications/${real}/signings`).set('content-type', 'application/json').send(deep);
      expect(json.body).toMatchObject({ code: 'JSON_TOO_DEEP' });
      for (const contentType of [undefined, 'application/json']) {
        const multipart = await request(server.url)
          .post(`/api/v1/web-identifications/${real}/signings`)
          .field('metadata', deep, contentType ? { contentType } : {})
          .attach('files', handWrittenPdf(), { filename: 'a.pdf', contentType: 'application/pdf' });
        expect(multipart.status).toBe(400);
        expect(multipart.body).toMatchObject({ code: 'JSON_TOO_DEEP' });
      }
    });
  });

  describe('multipart metadata', () => {
    it.each([
      ['without a Content-Type of its own', undefined],
      ['typed application/json, as the API describes it', 'application/json'],
    ])('is accepted %s', async (_how, contentType) => {
      const identificationId = await driver.identify();
      const metadata = JSON.stringify({ documents: [{ title: 'Contract' }], ...driver.urls() });
      const response = await driver
        .api()
        .post(`/api/v1/web-identifications/${identificationId}/signings`)
        .field('metadata', metadata, contentType ? { contentType } : {})
        .attach('files', await pdf(1, 'contract'), { filename: 'contract.pdf', contentType: 'application/pdf' });
      expect(response.status).toBe(201);
      expect(response.body.status).toBe('PENDING');
    });

    it('typed application/json but not JSON is a validation problem on metadata', async () => {
      const identificationId = await driver.identify();
      const response = await driver
        .api()
        .post(`/api/v1/web-identifications/${identificationId}/signings`)
        .field('metadata', '{"documents": [', { contentType: 'application/json' })
        .attach('files', await pdf(1, 'contract'), { filename: 'contract.pdf', contentType: 'application/pdf' });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'metadata', codes: ['isJson'] })]);
    });
  });

  describe('active content', () => {
    const withJavaScript = () => handWrittenPdf(['<< /S /JavaScript /JS (app.alert(1)) >>'], '/OpenAction 4 0 R ');

    it('is accepted and flagged per document by default', async () => {
      const identificationId = await driver.identify();
      const created = await driver
        .postJson(identificationId, { documents: [jsonDocument(withJavaScript(), 'scripted.pdf'), jsonDocument(await pdf(1, 'plain'), 'plain.pdf')], ...driver.urls() })
        .expect(201);
      const signing = await driver.signing(created.body.id);
      expect(signing.documents.map((document: { activeContent: string[] }) => document.activeContent)).toEqual([['JavaScript'], []]);
    });
  });
});

describe('Hostile signing input, with SIGNING_ACTIVE_CONTENT=refuse and one paid creation per user per minute', () => {
  let server: TestServer;
  let driver: SigningDriver;

  beforeAll(async () => {
    server = await startTestServer({ WEB_RECONCILE_QUIET_PERIOD_MS: '600000', SIGNING_ACTIVE_CONTENT: 'refuse' });
    driver = new SigningDriver(server);
  });
  afterAll(() => server?.stop());

  it('refuses a PDF with a launch action 422 ACTIVE_CONTENT_REFUSED, before any paid call', async () => {
    const identificationId = await driver.identify();
    const callsBefore = (await driver.sandbox.calls()).startSignSession ?? 0;
    const launch = handWrittenPdf(['<< /S /Launch /F (calc.exe) >>'], '/OpenAction 4 0 R ');
    const response = await driver.postJson(identificationId, { documents: [jsonDocument(launch, 'launch.pdf')], ...driver.urls() });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'ACTIVE_CONTENT_REFUSED', documents: [{ index: 0, activeContent: ['Launch'] }] });
    expect((await driver.sandbox.calls()).startSignSession ?? 0).toBe(callsBefore);
    // A document without it still goes through.
    await driver.postJson(identificationId, { documents: [jsonDocument(await pdf(1, 'plain'), 'plain.pdf')], ...driver.urls() }).expect(201);
  });

  it('answers a rate-limited user 429 before reading a 120 MiB body', async () => {
    const limited = await startTestServer({ RATE_LIMIT_CREATE_PER_USER_PER_MINUTE: '1' });
    try {
      await waitForFreshWindow();
      await request(limited.url)
        .post('/api/v1/web-identifications')
        .send({ reason: 'Signing a contract', successUrl: `${limited.url}/ok`, cancelUrl: `${limited.url}/cancel` })
        .expect(201);
      const { result: answer, growthMiB } = await rssGrowthDuring(() =>
        uploadOversized(limited.url, `/api/v1/web-identifications/${randomUUID()}/signings`, OVERSIZED_BODY),
      );
      reportFigure('120 MiB body from a rate-limited user', `answered after ${(answer.sentBeforeAnswer / MEBIBYTE).toFixed(1)} MiB sent; RSS growth ${growthMiB} MiB`);
      expect(answer.status).toBe(429);
      expect(answer.body).toMatchObject({ code: 'RATE_LIMITED', limit: 'user' });
      expect(answer.sentBeforeAnswer).toBeLessThan(OVERSIZED_BODY);
    } finally {
      await limited.stop();
    }
  });
});
