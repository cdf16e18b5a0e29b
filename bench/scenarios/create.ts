import { measureLoad, MeasuredRun, warmUp } from '../harness/load';
import { cpuSeconds } from '../harness/processes';
import { median, round } from '../harness/stats';
import type { BenchContext, BenchStack } from '../harness/stack';
import { RELYING_PARTY_ID } from '../harness/stack';
import type { LoadPlan } from '../processes/load-generator';
import { MOBILE_IDENTIFICATION_REQUEST, MOBILE_IDENTIFICATION_WIRE_REQUEST } from './identification-requests';
import { formatNumber, percentText, ScenarioReport } from './scenario-report';

interface CreateRun extends MeasuredRun {
  /** identification calls the sandbox received during the run */
  providerCalls: number;
  tlsHandshakes: number;
  handshakesPer1000: number;
  sandboxCpuMsPerRequest: number;
}

/**
 * Scenario 2: POST /api/v1/mobile-identifications (validation, DB write,
 * mutual-TLS call to the sandbox) against a bare keep-alive forwarder to the
 * same sandbox, and against the sandbox alone (the ceiling).
 */
export async function createScenario(context: BenchContext, stack: BenchStack): Promise<ScenarioReport> {
  const { create, runs } = context.settings;
  const baseline = stack.baseline!;
  const body = JSON.stringify(MOBILE_IDENTIFICATION_REQUEST);
  const plans: Record<'server' | 'forwarder' | 'sandbox', { plan: LoadPlan; pid: number }> = {
    server: {
      pid: stack.server.pid,
      plan: {
        origin: stack.serverUrl,
        connections: create.connections,
        headers: stack.authHeaders,
        requests: { kind: 'fixed', method: 'POST', path: '/api/v1/mobile-identifications', body },
      },
    },
    forwarder: {
      pid: baseline.process.pid,
      plan: {
        origin: baseline.details.forwarderOrigin,
        connections: create.connections,
        headers: stack.authHeaders,
        requests: { kind: 'fixed', method: 'POST', path: '/bare/mobile-identifications', body },
      },
    },
    sandbox: {
      pid: stack.sandboxProcess.pid,
      plan: {
        origin: new URL(stack.sandboxUrls.apiBaseUrl).origin,
        connections: create.connections,
        headers: { relyingPartyID: RELYING_PARTY_ID },
        tls: { certPath: context.certificates.clientCert, keyPath: context.certificates.clientKey, caPath: context.certificates.caCert },
        requests: {
          kind: 'fixed',
          method: 'POST',
          path: `${new URL(stack.sandboxUrls.apiBaseUrl).pathname}/identification`,
          body: JSON.stringify(MOBILE_IDENTIFICATION_WIRE_REQUEST),
        },
      },
    },
  };
  for (const { plan } of Object.values(plans)) await warmUp(context, plan);

  const measured: Record<keyof typeof plans, CreateRun[]> = { server: [], forwarder: [], sandbox: [] };
  for (let run = 0; run < runs; run++) {
    for (const subject of ['server', 'forwarder', 'sandbox'] as const) {
      await stack.sandbox.delete('/sandbox/tls');
      await stack.sandbox.delete('/sandbox/calls');
      const sandboxCpuBefore = cpuSeconds(stack.sandboxProcess.pid);
      const { run: result } = await measureLoad(context, { ...plans[subject].plan, durationSeconds: create.seconds }, plans[subject].pid);
      const sandboxCpuUsed = cpuSeconds(stack.sandboxProcess.pid) - sandboxCpuBefore;
      const { handshakes } = await stack.sandbox.get<{ handshakes: number }>('/sandbox/tls');
      const providerCalls = (await stack.sandbox.calls()).identification;
      measured[subject].push({
        ...result,
        providerCalls,
        tlsHandshakes: handshakes,
        handshakesPer1000: (handshakes * 1000) / Math.max(1, providerCalls),
        sandboxCpuMsPerRequest: (sandboxCpuUsed * 1000) / Math.max(1, providerCalls),
      });
    }
  }

  const rps = (subject: keyof typeof plans) => median(measured[subject].map((run) => run.okPerSecond));
  const versusForwarder = rps('server') / rps('forwarder');
  const serverHandshakes = median(measured.server.map((run) => run.handshakesPer1000));
  // Per connection: with C kept-alive connections a client needs C handshakes however many requests it sends.
  const handshakesPer1000PerConnection = serverHandshakes / create.connections;

  const row = (name: string, subject: keyof typeof plans) => {
    const runsOf = measured[subject];
    const of = (pick: (run: CreateRun) => number) => median(runsOf.map(pick));
    return [
      name,
      formatNumber(of((run) => run.okPerSecond), 0),
      formatNumber(of((run) => run.p50Ms)),
      formatNumber(of((run) => run.p99Ms)),
      formatNumber(of((run) => run.cpuMsPerRequest), 3),
      formatNumber(of((run) => run.postgresCpuMsPerRequest), 3),
      formatNumber(of((run) => run.sandboxCpuMsPerRequest), 3),
      `${formatNumber(of((run) => run.tlsHandshakes), 0)} (${formatNumber(of((run) => run.handshakesPer1000), 2)} per 1,000)`,
      runsOf.reduce((sum, run) => sum + run.failed, 0),
    ];
  };
  return {
    key: 'create',
    title: 'Scenario 2 — Create through the provider: POST /api/v1/mobile-identifications',
    status: 'measured',
    method:
      `${create.connections} connections post the same valid request for ${create.seconds} s per run; the server, the bare forwarder ` +
      `and the sandbox alone take turns (${runs} runs each). The forwarder is plain \`node:http\` with a keep-alive \`https.Agent\` ` +
      'holding the same client certificate: parse, map to the wire format, call the sandbox, answer. TLS handshakes are the ' +
      "sandbox's completed handshakes during the run (`GET /sandbox/tls`), per 1,000 `identification` calls it received. " +
      'Polling of the created identifications is pushed out (first poll after 10 minutes) so that it does not mix into this scenario.',
    summary: {
      columns: ['subject', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'PostgreSQL CPU ms/req', 'sandbox CPU ms/req', 'TLS handshakes', 'failed'],
      rows: [
        row('server', 'server'),
        row('bare forwarder', 'forwarder'),
        row('sandbox alone (ceiling)', 'sandbox'),
        ['server ÷ forwarder', percentText(versusForwarder), '', '', '', '', '', '', ''],
        ['server ÷ sandbox alone', percentText(rps('server') / rps('sandbox')), '', '', '', '', '', '', ''],
      ],
    },
    runs: {
      columns: ['run', 'server req/s', 'forwarder req/s', 'sandbox req/s', 'server handshakes', 'server provider calls'],
      rows: measured.server.map((run, index) => [
        index + 1,
        formatNumber(run.okPerSecond, 0),
        formatNumber(measured.forwarder[index].okPerSecond, 0),
        formatNumber(measured.sandbox[index].okPerSecond, 0),
        run.tlsHandshakes,
        run.providerCalls,
      ]),
    },
    targets: [
      { target: 'req/s ≥ 70 % of the bare forwarder', measured: percentText(versusForwarder), met: versusForwarder >= 0.7 },
      {
        target: '≤ 1 TLS handshake per 1,000 requests per connection',
        measured: `${formatNumber(serverHandshakes, 2)} per 1,000 requests over ${create.connections} connections = ${formatNumber(handshakesPer1000PerConnection, 3)} per connection`,
        met: handshakesPer1000PerConnection <= 1,
      },
    ],
    notes: [],
    data: { ...measured, ratios: { versusForwarder: round(versusForwarder, 3), versusSandbox: round(rps('server') / rps('sandbox'), 3) } },
  };
}
