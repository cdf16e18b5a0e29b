import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { DecodedBase64 } from '../common/json/json-with-base64';
import { useDocumentJsonParser } from './document-json-body';
import { DOCUMENT_UPLOAD_ROUTE } from './signing-upload-route';

const MAX_DEPTH = 8;

describe(useDocumentJsonParser.name, () => {
  let app: FastifyInstance;
  let seen: unknown;

  beforeAll(async () => {
    app = Fastify({ bodyLimit: 1024 * 1024 });
    useDocumentJsonParser(app, MAX_DEPTH);
    app.post('/upload', { config: DOCUMENT_UPLOAD_ROUTE, bodyLimit: 4 * 1024 * 1024 }, async (request) => {
      seen = request.body;
      return { ok: true };
    });
    app.post('/other', async (request) => {
      seen = request.body;
      return { ok: true };
    });
    await app.ready();
  });

  afterAll(() => app.close());

  const post = (url: string, payload: string | Buffer) => app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
  const pdf = randomBytes(100_000);

  it('decodes documents[i].contentBase64 while parsing, and leaves everything else as the default parser would', async () => {
    const otherBase64 = randomBytes(90_000).toString('base64');
    const body = { documents: [{ fileName: 'a.pdf', contentBase64: pdf.toString('base64') }, { contentBase64: 'JVBE' }], note: otherBase64 };
    const response = await post('/upload', JSON.stringify(body));
    expect(response.statusCode).toBe(200);
    const parsed = seen as { documents: Array<{ fileName?: string; contentBase64: unknown }>; note: string };
    expect(parsed.documents[0].contentBase64).toBeInstanceOf(DecodedBase64);
    expect((parsed.documents[0].contentBase64 as DecodedBase64).bytes.equals(pdf)).toBe(true);
    expect(parsed.documents[0].fileName).toBe('a.pdf');
    expect(parsed.documents[1].contentBase64).toBe('JVBE');
    expect(parsed.note).toBe(otherBase64);
  });

  it('leaves a long string that is not base64 with padding as text', async () => {
    const unpadded = pdf.toString('base64').replace(/=+$/, '') + 'A';
    const withNewlines = pdf.toString('base64').replace(/(.{76})/g, '$1\\n');
    await post('/upload', `{"documents":[{"contentBase64":"${unpadded}"},{"contentBase64":"${withNewlines}"}]}`);
    const parsed = seen as { documents: Array<{ contentBase64: unknown }> };
    expect(parsed.documents[0].contentBase64).toBe(unpadded);
    expect(parsed.documents[1].contentBase64).toBe(JSON.parse(`"${withNewlines}"`));
  });

  it('answers malformed JSON and prototype poisoning as the default parser does', async () => {
    const content = pdf.toString('base64');
    const broken = await post('/upload', `{"documents":[{"contentBase64":"${content}"}`);
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    const poisoned = await post('/upload', `{"__proto__":{"x":1},"documents":[{"contentBase64":"${content}"}]}`);
    expect(poisoned.statusCode).toBe(400);
    const empty = await post('/upload', '');
    expect(empty.json()).toMatchObject({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY' });
  });

  it('keeps each route body limit and the Content-Length check', async () => {
    expect((await post('/other', JSON.stringify({ big: 'x'.repeat(1024 * 1024) }))).json()).toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect((await post('/upload', JSON.stringify({ documents: [{ contentBase64: 'A'.repeat(3 * 1024 * 1024) }] }))).statusCode).toBe(200);
    expect((await post('/upload', JSON.stringify({ big: 'x'.repeat(5 * 1024 * 1024) }))).json()).toMatchObject({ code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
  });

  it('parses other routes as plain JSON, long base64 included', async () => {
    const content = pdf.toString('base64');
    await post('/other', JSON.stringify({ documents: [{ contentBase64: content }] }));
    expect((seen as { documents: Array<{ contentBase64: unknown }> }).documents[0].contentBase64).toBe(content);
  });

  it('refuses JSON nested deeper than the limit on every route, before parsing, and takes it at the limit', async () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    for (const url of ['/upload', '/other']) {
      const tooDeep = await post(url, nested(MAX_DEPTH + 1));
      expect(tooDeep.statusCode).toBe(400);
      expect(tooDeep.json()).toMatchObject({ code: 'JSON_TOO_DEEP' });
      expect((await post(url, nested(MAX_DEPTH))).statusCode).toBe(200);
    }
    // 100,000 levels, which would overflow the stack of whatever walks the parsed value.
    expect((await post('/other', `{"a":${nested(100_000)}}`)).statusCode).toBe(400);
    // Brackets inside strings, escaped quotes included, are text.
    expect((await post('/other', JSON.stringify({ text: `"\\${'['.repeat(50)}` }))).statusCode).toBe(200);
  });
});
