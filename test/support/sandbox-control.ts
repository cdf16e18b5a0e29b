/**
 * The sandbox's control API (plain HTTP on its pages port): what a test does
 * in place of the person and of B-Trust's operators.
 */
export class SandboxControl {
  constructor(private readonly pagesUrl: string) {}

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
  }

  fault(operation: string, kind: string, count: number, delayMs?: number): Promise<unknown> {
    return this.post('/sandbox/faults', { operation, kind, count, delayMs });
  }

  state(): Promise<{
    mobileIdentifications: Array<{ callbackId: string; state: string }>;
    webIdentifications: Array<{
      webSessionId: string;
      resultId: string;
      state: string;
      signSessionId?: string;
      requestCallbackPath: string;
    }>;
    signings: Array<{ resultId: string; signSessionId: string; state: string; smsCode: string; clientDocumentUrl: string }>;
  }> {
    return this.get('/sandbox/state');
  }
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
