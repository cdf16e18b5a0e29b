import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SandboxLogger } from './sandbox-logger';
import type { SandboxReadings } from './sandbox-readings';

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

export interface CallbackOutcome {
  ok: boolean;
  /** A `code` other than OK or REJECTED (control action `callbacks/send`). */
  code?: string;
  /** Reading `webhookRelyingPartyId=other`: the body names another relying party than the header's. */
  foreignRelyingPartyId?: boolean;
}

/**
 * Sends the provider's webhooks, once each, after a delay.
 * Reading: the document does not say whether B-Trust retries a callback the
 * relying party did not accept; the sandbox makes one attempt, so a relying
 * party must reconcile through the status operations. Knobs set through the
 * control API duplicate, drop or reorder the next deliveries; the control
 * API can also repeat a webhook already sent.
 */
export class CallbackDispatcher {
  private readonly knobs: CallbackKnobs = { duplicate: 0, drop: 0, reorder: 0 };
  private readonly deliveries: CallbackDelivery[] = [];
  private readonly sent: Array<{ url: string; body: CallbackBody }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private held?: { url: string; body: CallbackBody; timer: NodeJS.Timeout };
  private closed = false;

  constructor(
    private readonly relyingPartyId: number,
    private readonly delayMs: number,
    private readonly logger: SandboxLogger,
    private readonly nextRequestId: () => number = counterFrom(301),
  ) {}

  /**
   * Reading: the document shows the webhook's `relyingPartyId` as 24102167
   * and the header's example as 123456789, and never says they are equal;
   * `webhookRelyingPartyId=other` sends the header's id plus one.
   */
  notify(url: string, data: CallbackBody['data'], outcome: CallbackOutcome): CallbackBody {
    const ok = outcome.code === undefined ? outcome.ok : outcome.code === 'OK';
    const body: CallbackBody = {
      code: outcome.code ?? (ok ? 'OK' : 'REJECTED'),
      message: ok ? 'The request has been executed successfully.' : 'The request is rejected.',
      requestId: this.nextRequestId(),
      relyingPartyId: outcome.foreignRelyingPartyId ? this.relyingPartyId + 1 : this.relyingPartyId,
      data,
    };
    this.send(url, body);
    return body;
  }

  /**
   * The webhook that tells what became of one request (2.4, 3.2), with the
   * document's `dataMessage`: "The request with resultID {resultId} {outcome}".
   */
  notifyOutcome(
    url: string,
    about: Omit<CallbackBody['data'], 'dataMessage'>,
    outcome: string,
    result: { ok: boolean; code?: string },
    readings: Pick<SandboxReadings, 'webhookRelyingPartyId'>,
  ): CallbackBody {
    return this.notify(
      url,
      { ...about, dataMessage: `The request with resultID ${about.resultId} ${outcome}` },
      { ...result, foreignRelyingPartyId: readings.webhookRelyingPartyId === 'other' },
    );
  }

  /**
   * Sends again, same body and requestId, the webhook with that requestId,
   * or the last one about that resultId, or the last one sent.
   */
  repeat(which: { requestId?: number; resultId?: number }): CallbackBody | undefined {
    const match = [...this.sent].reverse().find(
      ({ body }) =>
        (which.requestId === undefined || body.requestId === which.requestId) &&
        (which.resultId === undefined || String(body.data.resultId) === String(which.resultId)),
    );
    if (match) this.send(match.url, match.body);
    return match?.body;
  }

  private send(url: string, body: CallbackBody): void {
    this.sent.push({ url, body });
    if (this.sent.length > MAX_RECORDED_DELIVERIES) this.sent.shift();
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

function counterFrom(first: number): () => number {
  let next = first;
  return () => next++;
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
