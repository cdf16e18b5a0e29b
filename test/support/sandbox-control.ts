import type { SandboxReadings } from '../../src/sandbox/sandbox-readings';

export type { SandboxReadings };

/** The records a per-record reading can be given to, by the id the control API names them with. */
export type SandboxRecordRef =
  | { mobileIdentification: string /* callbackId */ }
  | { webIdentification: string /* webSessionId */ }
  | { signing: number | string /* resultId */ };

/** A webhook as the sandbox sent it (the body of 2.4 or 3.2). */
export interface SandboxWebhook {
  code: string;
  message: string;
  requestId: number;
  relyingPartyId: number;
  data: { processState: string; sessionId: string; resultId: string | number; dataMessage: string };
}

export type WebFailureStep = 'WEB_IDV_REGISTRATION_FAILED' | 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED';

/**
 * The sandbox's control API (plain HTTP on its pages port): what a test does
 * in place of the person and of B-Trust's operators.
 */
export class SandboxControl {
  /** `pagesUrl` may be given as a function, read on each call: for a sandbox that starts after the control is made. */
  constructor(private readonly pages: string | (() => string)) {}

  private get pagesUrl(): string {
    return typeof this.pages === 'function' ? this.pages() : this.pages;
  }

  async post(path: string, body: object = {}): Promise<unknown> {
    const response = await fetch(`${this.pagesUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sandbox POST ${path} → ${response.status}: ${await response.text()}`);
    return response.json();
  }

  async get<T>(path: string): Promise<T> {
    const response = await fetch(`${this.pagesUrl}${path}`);
    if (!response.ok) throw new Error(`sandbox GET ${path} → ${response.status}`);
    return (await response.json()) as T;
  }

  async delete(path: string): Promise<void> {
    const response = await fetch(`${this.pagesUrl}${path}`, { method: 'DELETE' });
    if (!response.ok) throw new Error(`sandbox DELETE ${path} → ${response.status}`);
  }

  /** API calls the sandbox received, per client operation name. */
  calls(): Promise<Record<string, number>> {
    return this.get('/sandbox/calls');
  }

  async totalCalls(): Promise<number> {
    return Object.values(await this.calls()).reduce((sum, count) => sum + count, 0);
  }

  async reset(): Promise<void> {
    await this.delete('/sandbox/faults');
    await this.delete('/sandbox/calls');
    await this.delete('/sandbox/callbacks/deliveries');
    await this.post('/sandbox/callbacks/knobs', { duplicate: 0, drop: 0, reorder: 0 });
    await this.resetReadings();
  }

  /** The sandbox-wide readings, which records created from now on take. */
  async readings(): Promise<SandboxReadings> {
    return (await this.get<{ readings: SandboxReadings }>('/sandbox/readings')).readings;
  }

  /** Merges into the sandbox-wide readings; records created before keep theirs. */
  async setReadings(readings: Partial<SandboxReadings>): Promise<SandboxReadings> {
    return ((await this.post('/sandbox/readings', readings)) as { readings: SandboxReadings }).readings;
  }

  /** Back to the readings the sandbox was started with. */
  async resetReadings(): Promise<SandboxReadings> {
    const response = await fetch(`${this.pagesUrl}/sandbox/readings`, { method: 'DELETE' });
    if (!response.ok) throw new Error(`sandbox DELETE /sandbox/readings → ${response.status}`);
    return ((await response.json()) as { readings: SandboxReadings }).readings;
  }

  /** One record's readings (it took the sandbox-wide ones when it was created). */
  async recordReadings(record: SandboxRecordRef): Promise<SandboxReadings> {
    return (await this.get<{ readings: SandboxReadings }>(readingsPath(record))).readings;
  }

  /** Overrides readings of one record from now on. */
  async setRecordReadings(record: SandboxRecordRef, readings: Partial<SandboxReadings>): Promise<SandboxReadings> {
    return ((await this.post(readingsPath(record), readings)) as { readings: SandboxReadings }).readings;
  }

  /** An agent's review of a web identification waiting for one (reading `review=manual`), or approved automatically. */
  review(webSessionId: string, decision: 'ALLOWED' | 'DENIED'): Promise<unknown> {
    return this.post(`/sandbox/web-identifications/${webSessionId}/review`, { decision });
  }

  /** An agent denies a web identification after its automatic approval (ALLOW_DENY); a webhook follows. */
  deny(webSessionId: string): Promise<unknown> {
    return this.post(`/sandbox/web-identifications/${webSessionId}/deny`);
  }

  /** Scenario 5 reports a failure step; 4.1 keeps its status unless `registrationStatus` is given. */
  fail(webSessionId: string, step: WebFailureStep, registrationStatus?: 'REJECTED' | 'EXPIRED' | 'STARTED'): Promise<unknown> {
    return this.post(`/sandbox/web-identifications/${webSessionId}/fail`, { step, registrationStatus });
  }

  /**
   * Sends the webhook a record's state implies (a web identification by its
   * webSessionId or resultId, a signing by its resultId); `processState` and
   * `code` may be forced. Resolves with the body queued for delivery.
   */
  async sendWebhook(
    record: { webSessionId: string } | { resultId: number | string },
    overrides: { processState?: string; code?: string } = {},
  ): Promise<SandboxWebhook> {
    return ((await this.post('/sandbox/callbacks/send', { ...record, ...overrides })) as { sent: SandboxWebhook }).sent;
  }

  /** Sends again the webhook with that requestId, or the last one about that resultId, or the last one sent. */
  async repeatWebhook(which: { requestId?: number; resultId?: number | string } = {}): Promise<SandboxWebhook> {
    return ((await this.post('/sandbox/callbacks/repeat', which)) as { sent: SandboxWebhook }).sent;
  }

  fault(operation: string, kind: string, count: number, delayMs?: number): Promise<unknown> {
    return this.post('/sandbox/faults', { operation, kind, count, delayMs });
  }

  state(): Promise<{
    mobileIdentifications: Array<{ callbackId: string; state: string; createdAt: string }>;
    webIdentifications: Array<{
      webSessionId: string;
      resultId: string;
      state: string;
      createdAt: string;
      sessionId?: string;
      registrationId?: string;
      registrationStatus?: string;
      reviewStatus?: string;
      status: string;
      step: string;
      signSessionId?: string;
      requestCallbackPath: string;
    }>;
    signings: Array<{
      resultId: string;
      signSessionId: string;
      webSessionId: string;
      state: string;
      createdAt: string;
      smsCode: string;
      clientDocumentUrl: string;
    }>;
  }> {
    return this.get('/sandbox/state');
  }
}

function readingsPath(record: SandboxRecordRef): string {
  if ('mobileIdentification' in record) return `/sandbox/mobile-identifications/${record.mobileIdentification}/readings`;
  if ('webIdentification' in record) return `/sandbox/web-identifications/${record.webIdentification}/readings`;
  return `/sandbox/signings/${record.signing}/readings`;
}

/** Polls until `read` returns a value that satisfies `done`, or fails with the last value seen. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) throw new Error(`Condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
