import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { SigningDriver } from './signing/signing-support';
import { startTestServer, TestServer } from './support/test-server';

interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: Array<{ pointer: string }>;
}

const ROOT = join(__dirname, '..');
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

/**
 * Warnings kept on purpose, each with its reason. Liveness and readiness
 * take no input and need no credential, so no 4xx answer of theirs is worth
 * documenting.
 */
const ACCEPTED_WARNINGS = [
  'operation-4xx-response #/paths/~1health/get/responses',
  'operation-4xx-response #/paths/~1health~1ready/get/responses',
];

/** Redocly CLI with the project's redocly.yaml on the document, offline: no telemetry, no update check. */
async function lint(document: object): Promise<LintProblem[]> {
  const dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document, null, 2));
    // Redocly exits 1 when it finds errors; its JSON report is on stdout either way.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [REDOCLY, 'lint', '--format=json', `--config=${join(ROOT, 'redocly.yaml')}`, file],
      { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    return (JSON.parse(stdout) as { problems: LintProblem[] }).problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The body Swagger UI's "Try it out" fills in from a schema: each property's example, else its default, else its first enum value. */
function sampleOf(document: any, schema: any): unknown {
  if (schema.$ref) return sampleOf(document, document.components.schemas[schema.$ref.split('/').pop()]);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part: any) => sampleOf(document, part)));
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'array') return [sampleOf(document, schema.items)];
  return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, sampleOf(document, property)]));
}

function operations(document: any): Array<[string, any]> {
  return Object.entries(document.paths).flatMap(([path, item]: [string, any]) =>
    Object.entries(item).map(([method, operation]): [string, any] => [`${method.toUpperCase()} ${path}`, operation]),
  );
}

describe('The OpenAPI document', () => {
  let server: TestServer;
  let driver: SigningDriver;
  let document: any;

  beforeAll(async () => {
    server = await startTestServer();
    driver = new SigningDriver(server);
    document = (await request(server.url).get('/docs-json').expect(200)).body;
  });
  afterAll(() => server?.stop());
  beforeEach(() => driver.sandbox.reset());

  it('passes Redocly\'s recommended rules, every example valid against its schema, with 0 errors', async () => {
    const started = Date.now();
    const problems = await lint(document);
    console.log(`Redocly lint of the served document: ${problems.length} problems in ${Date.now() - started} ms`);
    const listed = problems.map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer}`);
    expect(problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer}: ${problem.message}`)).toEqual([]);
    expect(listed.filter((problem) => !ACCEPTED_WARNINGS.includes(problem))).toEqual([]);
  });

  it('finds what it is there to find: a wrong example is an error', async () => {
    const broken = structuredClone(document);
    broken.components.schemas.CreateSigningDto.properties.emailSignedDocuments.example = { yes: true };
    broken.servers = [];
    const errors = (await lint(broken)).filter((problem) => problem.severity === 'error').map((problem) => problem.ruleId);
    expect(errors).toEqual(expect.arrayContaining(['no-invalid-schema-examples', 'no-empty-servers']));
  });

  it('names this server, a license, and a description for every answer', () => {
    expect(document.servers).toEqual([{ url: server.config.publicBaseUrl, description: expect.any(String) }]);
    expect(document.info.license).toEqual({ name: 'MIT', url: expect.stringMatching(/^https:/) });
    const undescribed = operations(document).flatMap(([name, operation]) =>
      Object.entries(operation.responses).filter(([, response]: [string, any]) => !response.description?.trim()).map(([status]) => `${name} ${status}`),
    );
    expect(undescribed).toEqual([]);
  });

  it('says which operations take the bearer token and which take no credential', () => {
    for (const [name, operation] of operations(document)) {
      expect({ name, security: operation.security }).toEqual({ name, security: name.includes(' /api/v1') ? [{ bearer: [] }] : [] });
    }
  });

  it('gives each error status an example of each of its own codes', () => {
    for (const [name, operation] of operations(document)) {
      for (const [status, response] of Object.entries(operation.responses) as Array<[string, any]>) {
        if (Number(status) < 400) continue;
        const codes = [...response.description.matchAll(/`([A-Z_]+)`/g)].map(([, code]) => code);
        const examples = response.content?.['application/problem+json']?.examples ?? {};
        expect({ name, status, codes: Object.keys(examples) }).toEqual({ name, status, codes });
        for (const code of codes) expect(examples[code].value).toMatchObject({ status: Number(status), code, type: `urn:btrust-cas:problem:${code}` });
      }
    }
  });

  it('names in each 415 example the media types its operation takes', () => {
    const refusing = operations(document).filter(([, operation]) => operation.responses['415']);
    expect(refusing.map(([name]) => name)).toEqual(expect.arrayContaining(['POST /api/v1/mobile-identifications', 'POST /callbacks/btrust/{token}']));
    for (const [name, operation] of refusing) {
      const example = operation.responses['415'].content['application/problem+json'].examples.UNSUPPORTED_MEDIA_TYPE.value;
      const accepted = Object.keys(operation.requestBody?.content ?? { 'application/json': {} });
      expect({ name, accepted: example.acceptedMediaTypes }).toEqual({ name, accepted });
    }
  });

  it('types the problem\'s errors as objects and emailSignedDocuments as a boolean', () => {
    const { schemas } = document.components;
    expect(schemas.ProblemView.properties.errors).toEqual(expect.objectContaining({ type: 'array', items: { $ref: '#/components/schemas/FieldProblemView' } }));
    expect(schemas.FieldProblemView.required).toEqual(['field', 'codes', 'messages']);
    for (const dto of ['CreateSigningDto', 'SigningMetadataDto']) expect(schemas[dto].properties.emailSignedDocuments.type).toBe('boolean');
  });

  describe('"Try it out" as the document shows it', () => {
    const signingRoute = (id: string) => `/api/v1/web-identifications/${id}/signings`;
    const signingBody = () => document.paths['/api/v1/web-identifications/{id}/signings'].post.requestBody.content;

    it('starts a mobile and a web identification from their schemas\' examples', async () => {
      for (const path of ['/api/v1/mobile-identifications', '/api/v1/web-identifications']) {
        const body = sampleOf(document, document.paths[path].post.requestBody.content['application/json'].schema);
        const response = await request(server.url).post(path).send(body as object);
        expect({ path, status: response.status, body: response.body }).toEqual({ path, status: 201, body: expect.objectContaining({ id: expect.any(String) }) });
      }
    });

    it.each(['invisible', 'visible'])('signs the JSON example "%s": 201, and the sandbox signs it', async (name) => {
      const identificationId = await driver.identify();
      const created = await request(server.url).post(signingRoute(identificationId)).send(signingBody()['application/json'].examples[name].value).expect(201);
      await driver.act(created.body.redirectUrl, 'sign');
      const signed = await driver.until(created.body.id, 'SIGNED');
      expect(signed.documents.map((signedDocument: any) => signedDocument.verification.valid)).toEqual(signed.documents.map(() => true));
    });

    it('signs the multipart example with the example PDF as its file part', async () => {
      const identificationId = await driver.identify();
      const example = signingBody()['multipart/form-data'].examples.oneDocument.value;
      const pdf = Buffer.from(signingBody()['application/json'].examples.invisible.value.documents[0].contentBase64, 'base64');
      expect(example.files).toHaveLength(1);
      await request(server.url)
        .post(signingRoute(identificationId))
        .field('metadata', JSON.stringify(example.metadata))
        .attach('files', pdf, { filename: 'contract-4711.pdf', contentType: 'application/pdf' })
        .expect(201);
    });
  });
});
