import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { eventually, SandboxControl } from '../support/sandbox-control';
import type { TestServer } from '../support/test-server';

/** A4 in points. */
export const A4: [number, number] = [595.28, 841.89];

/** A small real PDF with text on each page, so every document differs. */
export async function pdf(pages: number, label: string): Promise<Buffer> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (let page = 1; page <= pages; page++) {
    document.addPage(A4).drawText(`${label}, page ${page}`, { x: 56, y: 780, size: 14, font });
  }
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

/** A real PDF of a little more than `bytes` bytes: random padding in an unused stream. */
export async function pdfOfSize(bytes: number): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage(A4);
  document.context.register(document.context.stream(randomBytes(bytes), {}));
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

export async function encryptedPdf(): Promise<Buffer> {
  const document = await PDFDocument.create();
  document.addPage(A4);
  document.context.trailerInfo.Encrypt = document.context.register(
    document.context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: -3904 }),
  );
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

/** Drives identification and signing through the API and the sandbox's control API, as the tests' person. */
export class SigningDriver {
  readonly sandbox: SandboxControl;

  constructor(readonly server: TestServer) {
    this.sandbox = new SandboxControl(server.sandboxPagesUrl!);
  }

  api() {
    return request(this.server.url);
  }

  db(): DataSource {
    return this.server.app.get(DataSource);
  }

  urls() {
    return { successUrl: `${this.server.url}/signed`, cancelUrl: `${this.server.url}/not-signed` };
  }

  /** A web identification that has not been approved yet. */
  async startIdentification(): Promise<{ id: string; webSessionId: string }> {
    const created = await this.api()
      .post('/api/v1/web-identifications')
      .send({ reason: 'Signing a contract', successUrl: `${this.server.url}/identified`, cancelUrl: `${this.server.url}/cancelled` })
      .expect(201);
    const [row] = await this.db().query('SELECT web_session_id FROM web_identifications WHERE id = $1', [created.body.id]);
    return { id: created.body.id, webSessionId: row.web_session_id };
  }

  /** An IDENTIFIED web identification of the sandbox's person with the given name and EGN. */
  async identify(person = { fullName: 'Maria Ivanova', egn: '7805166742' }): Promise<string> {
    const { id, webSessionId } = await this.startIdentification();
    await this.sandbox.post(`/sandbox/web-identifications/${webSessionId}/approve`, person);
    await eventually(
      async () => (await this.api().get(`/api/v1/web-identifications/${id}`).expect(200)).body,
      (body) => body.status === 'IDENTIFIED',
    );
    return id;
  }

  postJson(identificationId: string, body: object) {
    return this.api().post(`/api/v1/web-identifications/${identificationId}/signings`).send(body);
  }

  /** The sandbox's resultId of a signing, found by the page it sends the person to. */
  async resultIdOf(redirectUrl: string): Promise<string> {
    const state = await this.sandbox.state();
    const signing = state.signings.find((candidate) => candidate.clientDocumentUrl === redirectUrl);
    if (!signing) throw new Error('The sandbox has no signing for this redirect URL');
    return String(signing.resultId);
  }

  async act(redirectUrl: string, action: 'sign' | 'reject' | 'expire'): Promise<void> {
    await this.sandbox.post(`/sandbox/signings/${await this.resultIdOf(redirectUrl)}/${action}`);
  }

  async signing(id: string) {
    return (await this.api().get(`/api/v1/signings/${id}`).expect(200)).body;
  }

  async until(id: string, status: string, timeoutMs = 20_000) {
    return eventually(() => this.signing(id), (body) => body.status === status, timeoutMs);
  }

  async transitions(id: string): Promise<Array<{ from_state: string | null; to_state: string; cause: string }>> {
    return this.db().query('SELECT from_state, to_state, cause FROM state_transitions WHERE entity_id = $1 ORDER BY id', [id]);
  }
}

export function jsonDocument(content: Buffer, fileName: string, extra: Record<string, unknown> = {}) {
  return { fileName, title: `Title of ${fileName}`, contentBase64: content.toString('base64'), ...extra };
}
