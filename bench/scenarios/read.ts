import { withClient } from '../harness/environment';
import { measureLoad, MeasuredRun, warmUp } from '../harness/load';
import { median, round } from '../harness/stats';
import type { BenchContext, BenchStack } from '../harness/stack';
import type { LoadPlan } from '../processes/load-generator';
import { inParallel, MOBILE_IDENTIFICATION_REQUEST } from './identification-requests';
import { formatNumber, percentText, ScenarioReport } from './scenario-report';

/**
 * Scenario 1: GET /api/v1/mobile-identifications/{id} (auth, DB read,
 * mapping) against a bare Fastify route running the same indexed SELECT.
 */
export async function readScenario(context: BenchContext, stack: BenchStack): Promise<ScenarioReport> {
  const { read, runs } = context.settings;
  const baseline = stack.baseline!;

  // The rows are made through the API, so they belong to whoever the server says the caller is.
  const created = await inParallel(read.rows, 8, () =>
    stack.api<{ id: string }>('POST', '/api/v1/mobile-identifications', MOBILE_IDENTIFICATION_REQUEST),
  );
  const ids = created.map((row) => row.id);
  const [{ owner }] = await withClient(stack.databaseUrl, async (client) =>
    (await client.query('SELECT DISTINCT owner FROM mobile_identifications')).rows,
  );
  await baseline.process.ipc.request('setReadOwner', { owner });
  await assertSameAnswer(stack, ids[0]);

  const serverPlan: LoadPlan = {
    origin: stack.serverUrl,
    connections: read.connections,
    headers: stack.authHeaders,
    requests: { kind: 'rotate', method: 'GET', paths: ids.map((id) => `/api/v1/mobile-identifications/${id}`) },
  };
  const barePlan: LoadPlan = {
    origin: baseline.details.fastifyOrigin,
    connections: read.connections,
    headers: stack.authHeaders,
    requests: { kind: 'rotate', method: 'GET', paths: ids.map((id) => `/bare/mobile-identifications/${id}`) },
  };
  await warmUp(context, serverPlan);
  await warmUp(context, barePlan);

  const server: MeasuredRun[] = [];
  const bare: MeasuredRun[] = [];
  for (let run = 0; run < runs; run++) {
    server.push((await measureLoad(context, { ...serverPlan, durationSeconds: read.seconds }, stack.server.pid)).run);
    bare.push((await measureLoad(context, { ...barePlan, durationSeconds: read.seconds }, baseline.process.pid)).run);
  }

  const serverRps = median(server.map((run) => run.okPerSecond));
  const bareRps = median(bare.map((run) => run.okPerSecond));
  const serverP99 = median(server.map((run) => run.p99Ms));
  const bareP99 = median(bare.map((run) => run.p99Ms));
  const throughputRatio = serverRps / bareRps;
  const p99Ratio = serverP99 / Math.max(bareP99, 1);

  const row = (name: string, measured: MeasuredRun[]) => [
    name,
    formatNumber(median(measured.map((run) => run.okPerSecond)), 0),
    formatNumber(median(measured.map((run) => run.p50Ms))),
    formatNumber(median(measured.map((run) => run.p99Ms))),
    formatNumber(median(measured.map((run) => run.cpuMsPerRequest)), 3),
    formatNumber(median(measured.map((run) => run.postgresCpuMsPerRequest)), 3),
    formatNumber(median(measured.map((run) => run.peakRssMiB)), 0),
    measured.reduce((sum, run) => sum + run.failed, 0),
  ];
  return {
    key: 'read',
    title: 'Scenario 1 — Read: GET /api/v1/mobile-identifications/{id}',
    status: 'measured',
    method:
      `${read.rows} identifications created through the API are read in rotation by ${read.connections} connections for ` +
      `${read.seconds} s per run, the server and the bare route taking turns (${runs} runs each). The bare route is Fastify + \`pg\` ` +
      'running the same `WHERE id = $1 AND owner = $2` on the same database and answering the same view. ' +
      'Latencies are of 2xx answers; latency p99 is autocannon\'s (1 ms resolution).',
    summary: {
      columns: ['subject', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'PostgreSQL CPU ms/req', 'peak RSS MiB', 'failed'],
      rows: [row('server', server), row('bare Fastify + pg', bare), ['server ÷ bare', percentText(throughputRatio), '', `${formatNumber(p99Ratio, 2)}×`, '', '', '', '']],
    },
    runs: {
      columns: ['run', 'server req/s', 'server p99 ms', 'bare req/s', 'bare p99 ms'],
      rows: server.map((run, index) => [index + 1, formatNumber(run.okPerSecond, 0), run.p99Ms, formatNumber(bare[index].okPerSecond, 0), bare[index].p99Ms]),
    },
    targets: [
      { target: 'req/s ≥ 60 % of the bare route', measured: percentText(throughputRatio), met: throughputRatio >= 0.6 },
      { target: 'p99 ≤ 2× the bare route', measured: `${formatNumber(p99Ratio, 2)}× (${serverP99} ms vs ${bareP99} ms)`, met: p99Ratio <= 2 },
    ],
    notes: [],
    data: { server, bare, medians: { serverRps, bareRps, serverP99, bareP99 }, ratios: { throughput: round(throughputRatio, 3), p99: round(p99Ratio, 3) } },
  };
}

/** The baseline must do the same job: same row, same fields. */
async function assertSameAnswer(stack: BenchStack, id: string): Promise<void> {
  const fromServer = await stack.api<Record<string, unknown>>('GET', `/api/v1/mobile-identifications/${id}`);
  const response = await fetch(`${stack.baseline!.details.fastifyOrigin}/bare/mobile-identifications/${id}`);
  const fromBare = (await response.json()) as Record<string, unknown>;
  for (const field of ['id', 'status', 'createdAt', 'identifierMasked']) {
    if (fromServer[field] !== fromBare[field]) {
      throw new Error(`the bare read route answers ${field}=${String(fromBare[field])}, the server ${String(fromServer[field])}`);
    }
  }
}
