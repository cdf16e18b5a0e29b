import { peakRssBytes, resetPeakRss, rssBytes } from '../harness/processes';
import { median, round } from '../harness/stats';
import type { BenchContext, BenchStack } from '../harness/stack';
import { paddedPdf } from './pdf-documents';
import { formatNumber, ScenarioReport } from './scenario-report';

const MIB = 1024 * 1024;
const SIGNING_PATH = '/api/v1/web-identifications/{id}/signings';

interface MemoryRun {
  idleRssMiB: number;
  requestPeakOverIdleMiB: number;
  requestSeconds: number;
  completionIdleRssMiB: number;
  completionPeakOverIdleMiB: number;
  completionSeconds: number;
  finalStatus: string;
  bareIdleRssMiB: number;
  barePeakOverIdleMiB: number;
}

/**
 * Scenario 5: one signing request carrying ten 10 MB PDFs, and its completion
 * (the sandbox signs, the server fetches, verifies and stores the ten signed
 * PDFs): peak RSS of the server process over its idle RSS, against the size
 * of the payload. The kernel's own peak-RSS mark is reset before each phase.
 */
export async function memoryScenario(context: BenchContext, stack: BenchStack): Promise<ScenarioReport> {
  const { memory, runs } = context.settings;
  const documentBytes = memory.documents * memory.documentBytes;
  const openApi = (await (await fetch(`${stack.serverUrl}/docs-json`)).json()) as { paths?: Record<string, unknown> };
  if (!openApi.paths?.[SIGNING_PATH]) {
    return unavailable(`The server has no \`POST ${SIGNING_PATH}\` yet: the signing endpoint is not in this build.`);
  }

  const documents = [];
  for (let index = 0; index < memory.documents; index++) {
    const pdf = await paddedPdf(memory.documentBytes, `Benchmark document ${index + 1}`);
    documents.push({ fileName: `document-${index + 1}.pdf`, title: `Benchmark document ${index + 1}`, contentBase64: pdf.toString('base64') });
  }
  const body = Buffer.from(
    JSON.stringify({ documents, successUrl: `${stack.serverUrl}/signed`, cancelUrl: `${stack.serverUrl}/not-signed` }),
  );
  documents.length = 0;

  const measured: MemoryRun[] = [];
  for (let run = 0; run < runs; run++) {
    const identificationId = await identifiedWebIdentification(stack);
    // Every phase runs in a freshly started process: one that has already served the same work keeps
    // the heap it grew for it, so its "peak over idle" would leave most of the cost out.
    const server = (await stack.restartServer()).pid;

    await pause(memory.settleMs);
    const idle = rssBytes(server);
    resetPeakRss(server);
    const requestStarted = Date.now();
    const response = await fetch(`${stack.serverUrl}/api/v1/web-identifications/${identificationId}/signings`, {
      method: 'POST',
      headers: { ...stack.authHeaders, 'content-type': 'application/json' },
      body,
    });
    const created = (await response.json()) as { id?: string };
    const requestSeconds = (Date.now() - requestStarted) / 1000;
    if (response.status !== 201 || !created.id) throw new Error(`the signing request answered ${response.status}: ${JSON.stringify(created).slice(0, 500)}`);
    const requestPeak = peakRssBytes(server) - idle;

    const completionServer = (await stack.restartServer()).pid;
    await pause(memory.settleMs);
    const completionIdle = rssBytes(completionServer);
    resetPeakRss(completionServer);
    const completionStarted = Date.now();
    const pending = (await stack.sandbox.state()).signings.filter((signing) => signing.state === 'PENDING');
    if (pending.length !== 1) throw new Error(`expected one pending signing at the sandbox, found ${pending.length}`);
    await stack.sandbox.post(`/sandbox/signings/${pending[0].resultId}/sign`);
    const finalStatus = await waitForFinalSigning(stack, created.id, memory.completionTimeoutSeconds);
    const completionPeak = peakRssBytes(completionServer) - completionIdle;
    const completionSeconds = (Date.now() - completionStarted) / 1000;

    const bare = (await stack.restartBaseline()).process.pid;
    await pause(memory.settleMs);
    const bareIdle = rssBytes(bare);
    resetPeakRss(bare);
    const bareResponse = await fetch(`${stack.baseline!.details.fastifyOrigin}/bare/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (!bareResponse.ok) throw new Error(`the bare documents route answered ${bareResponse.status}`);
    await bareResponse.arrayBuffer();
    measured.push({
      idleRssMiB: idle / MIB,
      requestPeakOverIdleMiB: requestPeak / MIB,
      requestSeconds,
      completionIdleRssMiB: completionIdle / MIB,
      completionPeakOverIdleMiB: completionPeak / MIB,
      completionSeconds,
      finalStatus,
      bareIdleRssMiB: bareIdle / MIB,
      barePeakOverIdleMiB: (peakRssBytes(bare) - bareIdle) / MIB,
    });
  }

  const of = (pick: (run: MemoryRun) => number) => median(measured.map(pick));
  const payloadMiB = body.length / MIB;
  const documentsMiB = documentBytes / MIB;
  const worstPeak = Math.max(of((run) => run.requestPeakOverIdleMiB), of((run) => run.completionPeakOverIdleMiB));
  const ratio = worstPeak / payloadMiB;
  return {
    key: 'memory',
    title: `Scenario 5 — Memory: one signing request with ${memory.documents} PDFs of ${formatNumber(memory.documentBytes / 1e6)} MB`,
    status: 'measured',
    method:
      `${memory.documents} real PDFs of ${formatNumber(memory.documentBytes, 0)} bytes (pdf-lib, padded with random bytes) go base64 in one ` +
      `JSON body of ${formatNumber(payloadMiB)} MiB (${formatNumber(documentsMiB)} MiB of PDF) to \`POST ${SIGNING_PATH}\` for an ` +
      'identification made IDENTIFIED just before. Phase "request": from sending the body to the 201. Phase "completion": the ' +
      'sandbox signs all ten; the webhook makes the server fetch, verify and store the signed PDFs, until the signing is final. ' +
      "Before each phase the kernel's peak-RSS mark of the server process is reset (`/proc/<pid>/clear_refs`); the figure is the " +
      'peak (VmHWM) minus the RSS just before. The bare baseline is a Fastify route that reads the same body, parses it and decodes ' +
      `every document: the floor for any JSON upload. ${runs} runs; every phase of every run (and every bare run) in a freshly ` +
      'started process, since one that has already served the same work keeps the heap it grew for it.',
    summary: {
      columns: ['phase', 'idle RSS MiB', 'peak over idle MiB', '÷ body', '÷ PDF bytes', 'seconds'],
      rows: [
        [
          'server: signing request',
          formatNumber(of((run) => run.idleRssMiB), 0),
          formatNumber(of((run) => run.requestPeakOverIdleMiB), 0),
          `${formatNumber(of((run) => run.requestPeakOverIdleMiB) / payloadMiB, 2)}×`,
          `${formatNumber(of((run) => run.requestPeakOverIdleMiB) / documentsMiB, 2)}×`,
          formatNumber(of((run) => run.requestSeconds)),
        ],
        [
          'server: completion (fetch, verify, store)',
          formatNumber(of((run) => run.completionIdleRssMiB), 0),
          formatNumber(of((run) => run.completionPeakOverIdleMiB), 0),
          `${formatNumber(of((run) => run.completionPeakOverIdleMiB) / payloadMiB, 2)}×`,
          `${formatNumber(of((run) => run.completionPeakOverIdleMiB) / documentsMiB, 2)}×`,
          formatNumber(of((run) => run.completionSeconds)),
        ],
        [
          'bare: read + parse + decode',
          formatNumber(of((run) => run.bareIdleRssMiB), 0),
          formatNumber(of((run) => run.barePeakOverIdleMiB), 0),
          `${formatNumber(of((run) => run.barePeakOverIdleMiB) / payloadMiB, 2)}×`,
          `${formatNumber(of((run) => run.barePeakOverIdleMiB) / documentsMiB, 2)}×`,
          '',
        ],
      ],
    },
    runs: {
      columns: ['run', 'request peak over idle MiB', 'completion peak over idle MiB', 'final status', 'bare peak over idle MiB'],
      rows: measured.map((run, index) => [
        index + 1,
        formatNumber(run.requestPeakOverIdleMiB, 0),
        formatNumber(run.completionPeakOverIdleMiB, 0),
        run.finalStatus,
        formatNumber(run.barePeakOverIdleMiB, 0),
      ]),
    },
    targets: [
      {
        target: 'peak RSS over idle ≤ 3× the payload',
        measured: `${formatNumber(worstPeak, 0)} MiB = ${formatNumber(ratio, 2)}× the ${formatNumber(payloadMiB)} MiB body (${formatNumber(worstPeak / documentsMiB, 2)}× the PDF bytes)`,
        met: ratio <= 3,
      },
    ],
    notes: [],
    data: { runs: measured, payloadBytes: body.length, documentBytes, ratios: { peakOverBody: round(ratio, 3), peakOverDocuments: round(worstPeak / documentsMiB, 3) } },
  };
}

function unavailable(reason: string): ScenarioReport {
  return {
    key: 'memory',
    title: 'Scenario 5 — Memory: one signing request with ten 10 MB PDFs',
    status: 'unavailable',
    method: reason,
    summary: { columns: [], rows: [] },
    targets: [{ target: 'peak RSS over idle ≤ 3× the payload', measured: 'not measured', met: null }],
    notes: [reason],
    data: { reason },
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function identifiedWebIdentification(stack: BenchStack): Promise<string> {
  const created = await stack.api<{ id: string }>('POST', '/api/v1/web-identifications', {
    reason: 'Benchmark',
    successUrl: `${stack.serverUrl}/identified`,
    cancelUrl: `${stack.serverUrl}/cancelled`,
  });
  const open = (await stack.sandbox.state()).webIdentifications.filter((web) => web.state === 'REGISTERED' || web.state === 'STARTED');
  if (open.length !== 1) throw new Error(`expected one open web identification at the sandbox, found ${open.length}`);
  await stack.sandbox.post(`/sandbox/web-identifications/${open[0].webSessionId}/approve`);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { status } = await stack.api<{ status: string }>('GET', `/api/v1/web-identifications/${created.id}`);
    if (status === 'IDENTIFIED') return created.id;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`web identification ${created.id} did not become IDENTIFIED in 30 s`);
}

async function waitForFinalSigning(stack: BenchStack, id: string, timeoutSeconds: number): Promise<string> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    const { status } = await stack.api<{ status: string }>('GET', `/api/v1/signings/${id}`);
    if (status !== 'PENDING') return status;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`signing ${id} was still PENDING after ${timeoutSeconds} s`);
}
