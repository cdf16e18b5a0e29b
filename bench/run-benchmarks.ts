/**
 * `npm run bench`: what the server costs against the best a bare
 * implementation can do, measured side by side in one run. Writes
 * BENCHMARKS.md and bench/results.json (or, with --smoke, a small run into
 * --out, default bench/tmp/smoke).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureDevCertificates } from '../src/sandbox/pki/dev-certificates';
import { startPostgres } from './harness/environment';
import { describeMachine } from './harness/machine';
import { transpileSources } from './harness/build';
import { BUILD_DIR, ROOT, RunningProcess, startBenchProcess } from './harness/processes';
import { BenchResults, renderReport } from './harness/report';
import { FULL_SETTINGS, SMOKE_SETTINGS } from './harness/settings';
import { BenchContext, BenchStack, StackOptions } from './harness/stack';
import { createScenario } from './scenarios/create';
import { memoryScenario } from './scenarios/memory';
import { pollingScenario } from './scenarios/polling';
import { readScenario } from './scenarios/read';
import type { ScenarioKey, ScenarioReport } from './scenarios/scenario-report';
import { webhooksScenario } from './scenarios/webhooks';

type Scenario = (context: BenchContext, stack: BenchStack) => Promise<ScenarioReport>;

interface Arguments {
  smoke: boolean;
  profile: boolean;
  out: string | undefined;
  only: ScenarioKey[] | undefined;
}

const ALL_SCENARIOS: ScenarioKey[] = ['read', 'create', 'webhooks', 'polling', 'memory'];

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = { smoke: false, profile: false, out: undefined, only: undefined };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--smoke') parsed.smoke = true;
    else if (argument === '--profile') parsed.profile = true;
    else if (argument === '--out') parsed.out = resolve(argv[++index] ?? '');
    else if (argument === '--only') {
      const keys = (argv[++index] ?? '').split(',') as ScenarioKey[];
      const unknown = keys.filter((key) => !ALL_SCENARIOS.includes(key));
      if (unknown.length > 0) throw new Error(`--only takes ${ALL_SCENARIOS.join(', ')}; got ${unknown.join(', ')}`);
      parsed.only = keys;
    } else throw new Error(`unknown argument ${argument} (known: --smoke, --profile, --out DIR, --only read,create,...)`);
  }
  return parsed;
}

/**
 * Scenarios that can share one server run on one stack; polling and memory
 * get their own, because what they measure must not see the others' rows.
 */
function groups(context: BenchContext): Array<{ options: StackOptions; scenarios: Array<[ScenarioKey, Scenario]> }> {
  const { polling } = context.settings;
  return [
    {
      options: {
        name: 'api',
        withBaseline: true,
        // Identifications created here are never polled during the run: polling is scenario 4's subject.
        serverEnv: { MOBILE_POLL_INITIAL_INTERVAL_MS: '600000', MOBILE_POLL_MAX_INTERVAL_MS: '600000' },
      },
      scenarios: [
        ['read', readScenario],
        ['create', createScenario],
        ['webhooks', webhooksScenario],
      ],
    },
    {
      options: {
        name: 'polling',
        serverEnv: {
          MOBILE_POLL_MAX_PER_SECOND: String(polling.maxPerSecond),
          MOBILE_POLL_INITIAL_INTERVAL_MS: String(polling.initialIntervalMs),
          MOBILE_POLL_MAX_INTERVAL_MS: String(polling.maxIntervalMs),
        },
      },
      scenarios: [['polling', pollingScenario]],
    },
    { options: { name: 'memory', withBaseline: true }, scenarios: [['memory', memoryScenario]] },
  ];
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  const settings = args.smoke ? SMOKE_SETTINGS : FULL_SETTINGS;
  const selected = args.only ?? ALL_SCENARIOS;
  const outDir = args.out ?? (args.smoke ? join(ROOT, 'bench/tmp/smoke') : ROOT);
  const resultsFile = args.out || args.smoke ? join(outDir, 'results.json') : join(ROOT, 'bench/results.json');
  const reportFile = join(outDir, 'BENCHMARKS.md');
  const scratchDir = join(ROOT, 'bench/tmp', `run-${settings.mode}-${process.pid}`);
  mkdirSync(scratchDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });

  const startedAt = new Date();
  const machine = describeMachine();
  const log = (message: string) => process.stdout.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
  log(`${settings.mode} run on ${machine.cpuModel} × ${machine.cores}, ${machine.memoryGiB} GiB, Node ${machine.node}`);

  const build = transpileSources(ROOT, BUILD_DIR);
  log(`sources transpiled for the bench processes (${build.transpiled} changed, ${build.upToDate} up to date)`);
  const postgres = await startPostgres(process.env.DATABASE_URL);
  let loadGenerator: RunningProcess | undefined;
  const scenarios: BenchResults['scenarios'] = {};
  try {
    log(postgres.description);
    const certificates = ensureDevCertificates(join(ROOT, 'bench/tmp/certs'));
    loadGenerator = (await startBenchProcess('load-generator', 'load-generator', { logFile: join(scratchDir, 'logs/load-generator.log') })).process;
    const context: BenchContext = { settings, postgres, certificates, scratchDir, loadGenerator, cpuProfile: args.profile, log };

    for (const group of groups(context)) {
      const wanted = group.scenarios.filter(([key]) => selected.includes(key));
      if (wanted.length === 0) continue;
      log(`starting database, sandbox and server for: ${wanted.map(([key]) => key).join(', ')}`);
      const stack = await BenchStack.start(context, group.options);
      try {
        for (const [key, scenario] of wanted) {
          log(`scenario ${key}`);
          try {
            scenarios[key] = await scenario(context, stack);
            for (const target of (scenarios[key] as ScenarioReport).targets) log(`  ${target.target}: ${target.measured}`);
          } catch (error) {
            const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
            log(`  failed: ${message}`);
            scenarios[key] = { key, status: 'failed', error: message };
          }
        }
      } finally {
        await stack.stop();
      }
    }
  } finally {
    await loadGenerator?.stop();
    await postgres.stop();
  }

  const finishedAt = new Date();
  const results: BenchResults = {
    mode: settings.mode,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine,
    postgres: postgres.description,
    scenarios,
  };
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const analysisFile = join(ROOT, 'bench/analysis.md');
  const analysis = settings.mode === 'full' && existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8') : undefined;
  writeFileSync(reportFile, renderReport(results, analysis));
  if (!args.profile) rmSync(join(scratchDir, 'data'), { recursive: true, force: true });
  log(`wrote ${reportFile} and ${resultsFile}; logs in ${scratchDir}`);
  return Object.values(scenarios).some((scenario) => scenario.status === 'failed') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
