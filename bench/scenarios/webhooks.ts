import { withClient } from '../harness/environment';
import { measureLoad, MeasuredRun } from '../harness/load';
import { median, round } from '../harness/stats';
import type { BenchContext, BenchStack } from '../harness/stack';
import { RELYING_PARTY_ID } from '../harness/stack';
import type { LoadPlan, RequestPlan } from '../processes/load-generator';
import { inParallel } from './identification-requests';
import { formatNumber, ScenarioReport } from './scenario-report';

const REQUEST_IDS_PER_RUN = 10_000_000;
/** One delivery in ten repeats the one before, as a provider retrying a webhook would. */
const REPEAT_EVERY = 10;

/**
 * Scenario 3: POST /callbacks/btrust/{token} at the highest rate the machine
 * allows. The identifications are approved at the sandbox first, so the first
 * webhook processed for each really moves it to IDENTIFIED (after asking the
 * sandbox over mutual TLS) and every later one must change nothing.
 */
export async function webhooksScenario(context: BenchContext, stack: BenchStack): Promise<ScenarioReport> {
  const { webhooks, runs } = context.settings;
  const baseline = stack.baseline!;

  // The bench is the only webhook sender: the sandbox's own deliveries are dropped.
  await stack.sandbox.post('/sandbox/callbacks/knobs', { drop: 1_000_000_000 });
  const created = await inParallel(webhooks.identifications, 8, () =>
    stack.api<{ id: string }>('POST', '/api/v1/web-identifications', {
      reason: 'Benchmark',
      successUrl: `${stack.serverUrl}/identified`,
      cancelUrl: `${stack.serverUrl}/cancelled`,
    }),
  );
  const rows: Array<{ id: string; web_session_id: string; result_id: string }> = await withClient(stack.databaseUrl, async (client) =>
    (await client.query('SELECT id, web_session_id, result_id FROM web_identifications WHERE id = ANY($1)', [created.map((row) => row.id)])).rows,
  );
  const callbackPaths = new Map((await stack.sandbox.state()).webIdentifications.map((web) => [web.webSessionId, web.requestCallbackPath]));
  await inParallel(rows.length, 8, (index) => stack.sandbox.post(`/sandbox/web-identifications/${rows[index].web_session_id}/approve`));

  const targets = rows.map((row) => ({ path: callbackPaths.get(row.web_session_id)!, sessionId: row.web_session_id, resultId: row.result_id }));
  const plan = (origin: string, pathOf: (path: string) => string, run: number): LoadPlan => ({
    origin,
    connections: webhooks.connections,
    durationSeconds: webhooks.seconds,
    requests: {
      kind: 'callbacks',
      targets: targets.map((target) => ({ ...target, path: pathOf(target.path) })),
      relyingPartyId: Number(RELYING_PARTY_ID),
      firstRequestId: run * REQUEST_IDS_PER_RUN,
      repeatEvery: REPEAT_EVERY,
    } satisfies RequestPlan,
  });

  // The bare runs go first: afterwards the server is still working off its backlog, which would slow them.
  const bare: MeasuredRun[] = [];
  for (let run = 1; run <= runs; run++) {
    bare.push((await measureLoad(context, plan(baseline.details.fastifyOrigin, (path) => path.replace('/callbacks/btrust/', '/bare/callbacks/'), run), baseline.process.pid)).run);
  }

  // The server's runs follow each other without a pause: one sustained stretch of webhooks.
  const server: MeasuredRun[] = [];
  const acknowledged = new Set<string>();
  const targetsReached = new Set<number>();
  const stormStartedAt = new Date();
  for (let run = 1; run <= runs; run++) {
    const { run: result, load } = await measureLoad(context, plan(stack.serverUrl, (path) => path, 100 + run), stack.server.pid);
    server.push(result);
    for (const [target, requestId] of load.acknowledged ?? []) {
      acknowledged.add(`${rows[target].id}|${requestId}`);
      targetsReached.add(target);
    }
  }
  const stormEndedAt = new Date();

  const drain = await waitForDrain(stack, webhooks.drainTimeoutSeconds);
  const audit = await withClient(stack.databaseUrl, async (client) => {
    const stored = new Set<string>(
      (await client.query('SELECT subject_id, request_id FROM callback_inbox')).rows.map((row) => `${row.subject_id}|${row.request_id}`),
    );
    const lost = [...acknowledged].filter((key) => !stored.has(key)).length;
    const duplicateTransitions = Number(
      (
        await client.query(`SELECT count(*) AS n FROM (
             SELECT entity_id, to_state FROM state_transitions WHERE entity_type = 'web_identification'
              GROUP BY entity_id, to_state HAVING count(*) > 1) repeated`)
      ).rows[0].n,
    );
    const identified = Number((await client.query(`SELECT count(*) AS n FROM web_identifications WHERE status = 'IDENTIFIED'`)).rows[0].n);
    const timing = (
      await client.query(
        `SELECT count(*) FILTER (WHERE processed_at IS NOT NULL) AS processed,
                count(*) FILTER (WHERE outcome = 'PENDING') AS pending,
                sum(duplicates) AS repeats,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS p50_ms,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at) * 1000) AS p99_ms,
                extract(epoch FROM max(processed_at) - min(received_at)) AS span_s
           FROM callback_inbox WHERE received_at >= $1`,
        [stormStartedAt],
      )
    ).rows[0];
    const outcomes = Object.fromEntries(
      (await client.query('SELECT outcome, count(*) AS n FROM callback_inbox GROUP BY outcome')).rows.map((row) => [row.outcome, Number(row.n)]),
    );
    return {
      lost,
      duplicateTransitions,
      identified,
      processed: Number(timing.processed),
      pending: Number(timing.pending),
      repeatsAbsorbed: Number(timing.repeats ?? 0),
      receiptToProcessedP50Ms: Number(timing.p50_ms),
      receiptToProcessedP99Ms: Number(timing.p99_ms),
      processedPerSecond: Number(timing.processed) / Math.max(1, Number(timing.span_s)),
      outcomes,
    };
  });

  const serverRate = median(server.map((run) => run.okPerSecond));
  const serverP99 = median(server.map((run) => run.p99Ms));
  const bareRate = median(bare.map((run) => run.okPerSecond));
  const row = (name: string, measured: MeasuredRun[]) => [
    name,
    formatNumber(median(measured.map((run) => run.okPerSecond)), 0),
    formatNumber(median(measured.map((run) => run.p50Ms))),
    formatNumber(median(measured.map((run) => run.p99Ms))),
    formatNumber(median(measured.map((run) => run.cpuMsPerRequest)), 3),
    formatNumber(median(measured.map((run) => run.postgresCpuMsPerRequest)), 3),
    measured.reduce((sum, run) => sum + run.failed, 0),
  ];
  const stormSeconds = (stormEndedAt.getTime() - stormStartedAt.getTime()) / 1000;
  return {
    key: 'webhooks',
    title: 'Scenario 3 — Webhook ingest: POST /callbacks/btrust/{token}',
    status: 'measured',
    method:
      `${targets.length} web identifications are created through the API and approved at the sandbox (whose own webhooks are ` +
      `dropped). Then ${webhooks.connections} connections post genuine-looking webhooks for them, round robin, each with a new ` +
      `requestId except every ${REPEAT_EVERY}th, which repeats the previous delivery: ${runs} back-to-back runs of ${webhooks.seconds} s ` +
      `(${formatNumber(stormSeconds, 0)} s of sustained load). The bare route does the same durable work in one transaction with \`pg\` ` +
      '(resolve the token hash, insert into a copy of the inbox table with the same unique key, insert a job row); its runs come ' +
      'first, because after its storm the server keeps working off the backlog. Afterwards the bench waits for the inbox to drain ' +
      `(at most ${webhooks.drainTimeoutSeconds} s) and checks every acknowledged delivery against the inbox and the audit trail.`,
    summary: {
      columns: ['subject', 'acknowledged/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'PostgreSQL CPU ms/req', 'failed'],
      rows: [row('server', server), row('bare Fastify + pg', bare), ['server ÷ bare', `${Math.round((serverRate / bareRate) * 100)} %`, '', '', '', '', '']],
    },
    runs: {
      columns: ['after the storm', 'value'],
      rows: [
        ['deliveries acknowledged by the server (distinct)', acknowledged.size],
        ['acknowledged but not in the inbox (lost)', audit.lost],
        ['repeated deliveries absorbed by the inbox', audit.repeatsAbsorbed],
        ['processed / still pending after the drain', `${audit.processed} / ${audit.pending} (drained in ${formatNumber(drain.seconds, 0)} s)`],
        ['processing rate (inbox rows per second, storm start to last processed)', formatNumber(audit.processedPerSecond, 0)],
        [
          audit.pending > 0 ? 'receipt → processed p50 / p99 (processed ones only: a lower bound)' : 'receipt → processed p50 / p99',
          `${formatNumber(audit.receiptToProcessedP50Ms / 1000)} s / ${formatNumber(audit.receiptToProcessedP99Ms / 1000)} s`,
        ],
        ['identifications that had a delivery acknowledged (of created)', `${targetsReached.size} / ${targets.length}`],
        ['identifications IDENTIFIED (of created)', `${audit.identified} / ${targets.length}`],
        ['state changes recorded twice', audit.duplicateTransitions],
        ['inbox outcomes', Object.entries(audit.outcomes).map(([outcome, count]) => `${outcome} ${count}`).join(', ')],
      ],
    },
    targets: [
      { target: '≥ 1,500 webhooks acknowledged per second (2 cores)', measured: `${formatNumber(serverRate, 0)}/s (p99 ${serverP99} ms)`, met: serverRate >= 1500 },
      // A delivery still pending is stored and will be processed: slow, not lost.
      { target: '0 callbacks lost', measured: `${audit.lost} lost (${audit.pending} stored but still pending after the drain)`, met: audit.lost === 0 },
      { target: '0 duplicate transitions', measured: String(audit.duplicateTransitions), met: audit.duplicateTransitions === 0 },
    ],
    notes: [],
    data: { server, bare, acknowledged: acknowledged.size, targetsReached: targetsReached.size, drain, audit, ratios: { versusBare: round(serverRate / bareRate, 3) } },
  };
}

async function waitForDrain(stack: BenchStack, timeoutSeconds: number): Promise<{ seconds: number; pendingAtEnd: number }> {
  const started = Date.now();
  for (;;) {
    const pending = await withClient(stack.databaseUrl, async (client) =>
      Number((await client.query(`SELECT count(*) AS n FROM callback_inbox WHERE outcome = 'PENDING'`)).rows[0].n),
    );
    const seconds = (Date.now() - started) / 1000;
    if (pending === 0 || seconds >= timeoutSeconds) return { seconds, pendingAtEnd: pending };
    await new Promise((done) => setTimeout(done, 250));
  }
}
