import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SandboxLogger } from './sandbox-logger';

/** The webhook body of 2.4 and 3.2, field for field. */
export interface CallbackBody {
  code: string;
  message: string;
  requestId: number;
  relyingPartyId: number;
  data: {
    processState: string;
    sessionId: string;
    resultId: string | number;
    dataMessage: string;
  };
}

export interface CallbackDelivery {
  requestId: number;
  processState: string;
  /** Only the path: the relying party's host is noise for tests, and the query may hold secrets. */
  path: string;
  at: string;
  outcome: 'delivered' | 'dropped' | 'failed';
  /** Set when the relying party answered. */
  status?: number;
  error?: string;
  duplicate?: boolean;
  reordered?: boolean;
}

export interface CallbackKnobs {
  duplicate: number;
  drop: number;
  reorder: number;
}

const DELIVERY_TIMEOUT_MS = 10_000;
// A held callback is released after this long when no later callback comes to overtake it.
const REORDER_HOLD_MAX_MS = 2_000;
const MAX_RECORDED_DELIVERIES = 1000;

/**
 * Sends the provider's webhooks, once each, after a delay.
 * Reading: the document does not say whether B-Trust retries a callback the
 * relying party did not accept; the sandbox makes one attempt, so a relying
 * party must reconcile through the status operations. Knobs set through the
 * control API duplicate, drop or reorder the next deliveries.
 */
export class CallbackDispatcher {
  private readonly knobs: CallbackKnobs = { duplicate: 0, drop: 0, reorder: 0 };
  private readonly deliveries: CallbackDelivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private held?: { url: string; body: CallbackBody; timer: NodeJS.Timeout };
  private lastRequestId = 300;
  private closed = false;

  constructor(
    private readonly relyingPartyId: number,
    private readonly delayMs: number,
    private readonly logger: SandboxLogger,
  ) {}

  notify(url: string, data: CallbackBody['data'], outcome: { ok: boolean }): void {
    this.lastRequestId += 1;
    const body: CallbackBody = {
      code: outcome.ok ? 'OK' : 'REJECTED',
      message: outcome.ok ? 'The request has been executed successfully.' : 'The request is rejected.',
      requestId: this.lastRequestId,
      relyingPartyId: this.relyingPartyId,
      data,
    };
    this.later(this.delayMs, () => this.dispatch(url, body));
  }

  setKnobs(knobs: Partial<CallbackKnobs>): CallbackKnobs {
    Object.assign(this.knobs, knobs);
    return { ...this.knobs };
  }

  recordedDeliveries(): CallbackDelivery[] {
    return [...this.deliveries];
  }

  clearDeliveries(): void {
    this.deliveries.length = 0;
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.held) clearTimeout(this.held.timer);
    this.held = undefined;
  }

  private async dispatch(url: string, body: CallbackBody): Promise<void> {
    if (this.knobs.drop > 0) {
      this.knobs.drop -= 1;
      this.record(url, body, { outcome: 'dropped' });
      return;
    }
    if (this.knobs.reorder > 0 && !this.held) {
      this.knobs.reorder -= 1;
      const timer = this.later(REORDER_HOLD_MAX_MS, () => this.releaseHeld());
      this.held = { url, body, timer };
      return;
    }
    const duplicate = this.knobs.duplicate > 0;
    if (duplicate) this.knobs.duplicate -= 1;
    await this.deliver(url, body, {});
    if (duplicate) await this.deliver(url, body, { duplicate: true });
    await this.releaseHeld();
  }

  private async releaseHeld(): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    clearTimeout(held.timer);
    this.timers.delete(held.timer);
    await this.deliver(held.url, held.body, { reordered: true });
  }

  private async deliver(url: string, body: CallbackBody, flags: { duplicate?: boolean; reordered?: boolean }): Promise<void> {
    if (this.closed) return;
    try {
      const status = await postJson(url, body);
      this.record(url, body, { outcome: 'delivered', status, ...flags });
      this.logger.info(
        { requestId: body.requestId, processState: body.data.processState, status, ...flags },
        'sandbox callback delivered',
      );
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.record(url, body, { outcome: 'failed', error: reason, ...flags });
      this.logger.warn(
        { requestId: body.requestId, processState: body.data.processState, error: reason },
        'sandbox callback not delivered',
      );
    }
  }

  private record(url: string, body: CallbackBody, result: Omit<CallbackDelivery, 'requestId' | 'processState' | 'path' | 'at'>): void {
    this.deliveries.push({
      requestId: body.requestId,
      processState: body.data.processState,
      path: new URL(url).pathname,
      at: new Date().toISOString(),
      ...result,
    });
    if (this.deliveries.length > MAX_RECORDED_DELIVERIES) this.deliveries.shift();
  }

  private later(delayMs: number, task: () => Promise<void>): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void task();
    }, delayMs);
    this.timers.add(timer);
    return timer;
  }
}

/** Node's default trust store verifies an https callback URL (extend it with NODE_EXTRA_CA_CERTS). */
function postJson(url: string, body: CallbackBody): Promise<number> {
  const target = new URL(url);
  const payload = Buffer.from(JSON.stringify(body));
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: DELIVERY_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('callback timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(payload);
  });
}
