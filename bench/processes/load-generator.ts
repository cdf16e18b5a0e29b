/**
 * The load generator (autocannon) in its own process, so that producing load
 * never shares an event loop with what is being measured. The orchestrator
 * sends one plan at a time over IPC and gets the summary back.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { announceReady, serveIpc } from '../harness/ipc';

export type RequestPlan =
  | { kind: 'fixed'; method: 'GET' | 'POST'; path: string; body?: string }
  | { kind: 'rotate'; method: 'GET'; paths: string[] }
  | {
      kind: 'callbacks';
      /** One per identification: its secret callback path and the ids B-Trust would quote. */
      targets: Array<{ path: string; sessionId: string; resultId: string }>;
      relyingPartyId: number;
      /** Unique per run, so that every run's deliveries are new to the inbox. */
      firstRequestId: number;
      /** Every n-th delivery repeats the one before it, as a provider retry would. */
      repeatEvery: number;
    };

export interface LoadPlan {
  /** Origin only, e.g. http://127.0.0.1:3000 */
  origin: string;
  connections: number;
  durationSeconds?: number;
  amount?: number;
  overallRate?: number;
  headers?: Record<string, string>;
  /** Client certificate for a mutual-TLS target. */
  tls?: { certPath: string; keyPath: string; caPath: string };
  requests: RequestPlan;
}

export interface LoadResult {
  durationSeconds: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Successful (2xx) requests per second over the whole run. */
  okPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Callback plans only: [target index, requestId] of every delivery answered 2xx. */
  acknowledged?: Array<[number, number]>;
}

type Context = { delivery?: { target: number; requestId: number } };

function requestsOf(plan: RequestPlan, acknowledged: Array<[number, number]>): autocannon.Request[] {
  const json = { 'content-type': 'application/json' };
  switch (plan.kind) {
    case 'fixed':
      return [{ method: plan.method, path: plan.path, body: plan.body, headers: plan.body ? json : {} }];
    case 'rotate': {
      let next = 0;
      return [
        {
          method: plan.method,
          setupRequest: (request) => ({ ...request, path: plan.paths[next++ % plan.paths.length] }),
        },
      ];
    }
    case 'callbacks': {
      let sent = 0;
      // Targets rotate over new deliveries only: rotating over all requests would hand every
      // target whose index is a multiple of repeatEvery nothing but repeats of its neighbour's.
      let fresh = 0;
      let previous: { target: number; requestId: number } | undefined;
      return [
        {
          method: 'POST',
          headers: json,
          setupRequest: (request, context: Context) => {
            sent += 1;
            const delivery =
              previous && sent % plan.repeatEvery === 0
                ? previous
                : { target: fresh++ % plan.targets.length, requestId: plan.firstRequestId + sent };
            previous = delivery;
            context.delivery = delivery;
            const target = plan.targets[delivery.target];
            return {
              ...request,
              path: target.path,
              body: JSON.stringify({
                code: 'OK',
                message: 'The request has been executed successfully.',
                requestId: delivery.requestId,
                relyingPartyId: plan.relyingPartyId,
                data: {
                  processState: 'CREATE_SIGN_SESSION_REQUEST',
                  sessionId: target.sessionId,
                  resultId: target.resultId,
                  dataMessage: `The request with resultID ${target.resultId} completed successfully`,
                },
              }),
            };
          },
          onResponse: (status: number, _body: string, context: Context) => {
            if (status >= 200 && status < 300 && context.delivery) {
              acknowledged.push([context.delivery.target, context.delivery.requestId]);
            }
          },
        },
      ];
    }
  }
}

async function run(plan: LoadPlan): Promise<LoadResult> {
  const acknowledged: Array<[number, number]> = [];
  // autocannon refuses an option that is present but undefined.
  const optional = Object.fromEntries(
    Object.entries({ duration: plan.durationSeconds, amount: plan.amount, overallRate: plan.overallRate }).filter(([, value]) => value !== undefined),
  );
  const result = await autocannon({
    url: plan.origin,
    connections: plan.connections,
    ...optional,
    headers: plan.headers,
    requests: requestsOf(plan.requests, acknowledged),
    // The load generator does not verify the sandbox's server certificate (autocannon cannot);
    // the sandbox still verifies ours, which is the handshake being measured.
    tlsOptions: plan.tls && {
      cert: readFileSync(plan.tls.certPath),
      key: readFileSync(plan.tls.keyPath),
      ca: readFileSync(plan.tls.caPath),
    },
  } as autocannon.Options);
  const ok = result['2xx'];
  return {
    durationSeconds: result.duration,
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSecond: ok / result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    acknowledged: plan.requests.kind === 'callbacks' ? acknowledged : undefined,
  };
}

serveIpc({ run });
announceReady();
