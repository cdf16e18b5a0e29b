import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, IncomingMessage, Server } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { AddressInfo } from 'node:net';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { DevCertificateFiles } from '../../src/sandbox/pki/dev-certificates';
import type { RunningSandbox } from '../../src/sandbox/sandbox-server';
import { eventually, SandboxControl, SandboxWebhook } from './sandbox-control';
import { SANDBOX_RELYING_PARTY_ID, StandaloneSandboxOptions, startStandaloneSandbox } from './standalone-sandbox';
import { testCertificates } from './test-certificates';

/** One answer of the sandbox's API exactly as it came off the wire. */
export interface WireAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: any;
}

/**
 * A plain HTTPS client holding the development client certificate: what any
 * relying party would send, with no knowledge of this project's B-Trust
 * client, so a test sees the provider's answer itself.
 */
export class SandboxWire {
  private readonly agent: Agent;

  constructor(
    private apiBaseUrl: string,
    certificates: DevCertificateFiles,
  ) {
    this.agent = new Agent({
      ca: readFileSync(certificates.caCert),
      cert: readFileSync(certificates.clientCert),
      key: readFileSync(certificates.clientKey),
      keepAlive: false,
    });
  }

  /** After the sandbox was restarted on other ports. */
  retarget(apiBaseUrl: string): void {
    this.apiBaseUrl = apiBaseUrl;
  }

  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<WireAnswer> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        new URL(this.apiBaseUrl + path),
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            relyingPartyID: SANDBOX_RELYING_PARTY_ID,
            ...(payload ? { 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => collect(res, resolve, reject),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }

  // The document's operations, by their numbers.

  startMobile(): Promise<WireAnswer> {
    return this.call('POST', '/identification', {
      personIdentityData: { docType: 'EGN', identificatorValue: '7805166742', dateOfBirth: '16-05-1978' },
      phoneNumber: '+359888133443',
      email: 'person@example.com',
      payer: 'RELYING_PARTY',
      identificationReason: 'Readings test',
    });
  }

  pollMobile(callbackId: string): Promise<WireAnswer> {
    return this.call('GET', `/identification/${callbackId}`);
  }

  /** 2.1 then 2.2. */
  async startWeb(callbackUrl: string): Promise<{ webSessionId: string; resultId: number; sessionId: string; registrationId: string; start: WireAnswer; registration: WireAnswer }> {
    const start = await this.call('POST', '/identification/web/websession/start', {
      requestCallbackUrl: callbackUrl,
      identificationReason: 'Readings test',
    });
    if (start.status !== 200) throw new Error(`2.1 answered ${start.status}: ${start.text}`);
    const { webSessionId, resultId } = start.json.data;
    const registration = await this.call('POST', `/identification/web/sessions/by-otc-request/${webSessionId}`, {
      cancelUrl: 'https://rp.example/cancel',
      deviceFingerprint: {},
      externalRef: '1',
      successUrl: 'https://rp.example/ok',
      userLanguage: 'en',
      verifyEmailAddress: true,
      verifyPhoneNumber: true,
    });
    if (registration.status !== 200) throw new Error(`2.2 answered ${registration.status}: ${registration.text}`);
    return { webSessionId, resultId, sessionId: registration.json.sessionId, registrationId: registration.json.registrationId, start, registration };
  }

  webResult(resultId: number, webSessionId: string, onlyMetadata = false): Promise<WireAnswer> {
    return this.call('GET', `/identification/web/${resultId}/result/CREATE_SIGN_SESSION_REQUEST/${webSessionId}/${onlyMetadata}`);
  }

  registrationStatus(registrationId: string): Promise<WireAnswer> {
    return this.call('GET', `/identification/web/sessions/by-otc-request/${registrationId}/status`);
  }

  webStatus(resultId: number): Promise<WireAnswer> {
    return this.call('GET', `/identification/web/${resultId}/status`);
  }

  startSigning(
    identificator: string,
    signSessionId: string,
    documents: Array<{ content: Buffer; fileName: string; archiveFlag?: Record<string, boolean> }>,
  ): Promise<WireAnswer> {
    return this.call('POST', '/identification/web/signsession/start', {
      identificator,
      signSessionId,
      documentsForSign: documents.map((document, index) => ({
        contentAsBase64: document.content.toString('base64'),
        fileName: document.fileName,
        legalFileName: `DOCUMENT ${index + 1}`,
        padesVisualSignature: false,
        ...document.archiveFlag,
      })),
      sendSignedDocumentsByEmail: false,
      cancelUrl: 'https://rp.example/sign-cancel',
      successUrl: 'https://rp.example/sign-ok',
    });
  }

  signedDocuments(resultId: number, signSessionId: string): Promise<WireAnswer> {
    return this.call('GET', `/identification/web/${resultId}/result/SIGN_SESSION/${signSessionId}`);
  }
}

/** Receives the sandbox's webhooks, as the relying party's callback URL would. */
export class WebhookReceiver {
  readonly received: Array<{ path: string; body: SandboxWebhook }> = [];
  private server?: Server;
  private baseUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  url(token: string): string {
    return `${this.baseUrl}/callbacks/${token}`;
  }

  /** Waits for the `count`-th webhook on that token's URL and returns them all. */
  async waitFor(token: string, count = 1): Promise<SandboxWebhook[]> {
    const bodies = () => this.received.filter((item) => item.path === `/callbacks/${token}`).map((item) => item.body);
    return eventually(async () => bodies(), (list) => list.length >= count, 5000);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A sandbox in the test process with what a wire-level test needs around it. */
export interface WireSandbox {
  sandbox: RunningSandbox;
  certificates: DevCertificateFiles;
  control: SandboxControl;
  wire: SandboxWire;
  webhooks: WebhookReceiver;
  /** A folder of the test's own (the certificates are in it). */
  dir: string;
  stop(): Promise<void>;
}

export async function startWireSandbox(options: StandaloneSandboxOptions = {}): Promise<WireSandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-wire-'));
  const certificates = options.certificates ?? testCertificates(join(dir, 'certs'));
  const { sandbox } = await startStandaloneSandbox({ ...options, certificates });
  const wire = new SandboxWire(sandbox.apiBaseUrl, certificates);
  const webhooks = await new WebhookReceiver().start();
  return {
    sandbox,
    certificates,
    control: new SandboxControl(sandbox.pagesBaseUrl),
    wire,
    webhooks,
    dir,
    stop: async () => {
      wire.close();
      await sandbox.close();
      await webhooks.stop();
    },
  };
}

/** A small real PDF whose text makes it unique. */
export async function samplePdf(label: string): Promise<Buffer> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  document.addPage([595.28, 841.89]).drawText(label, { x: 56, y: 780, size: 14, font });
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

/** Reads a whole HTTP answer; `json` is undefined when the body is empty or not JSON. */
export function collect(res: IncomingMessage, resolve: (answer: WireAnswer) => void, reject: (error: Error) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('error', reject);
  res.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
  });
}
