import { Client } from 'pg';
import { cpuSeconds } from '../harness/processes';
import { median, percentile, round } from '../harness/stats';
import type { BenchContext, BenchStack } from '../harness/stack';
import type { LoadResult } from '../processes/load-generator';
import { MOBILE_IDENTIFICATION_REQUEST } from './identification-requests';
import { formatNumber, percentText, ScenarioReport } from './scenario-report';

interface PollRow {
  id: string;
  created_at: Date;
  poll_count: number;
  last_polled_at: Date | null;
  next_poll_at: Date | null;
}

interface Wait {
  waitedMs: number;
  scheduledMs: number;
}

/**
 * Follows every open identification through the server's own columns
 * (`poll_count`, `last_polled_at`, `next_poll_at`), read once a second: a
 * poll shows as poll_count + 1, its time as last_polled_at, and the interval
 * the server scheduled after the previous poll as next_poll_at − last_polled_at.
 */
class PollWaitTracker {
  private readonly seen = new Map<string, { polls: number; lastAt: number; scheduledAt: number | null }>();
  private waits: Wait[] = [];
  /** Polls that came closer together than the sampling could tell apart. */
  private unresolved = 0;

  observe(rows: PollRow[]): void {
    for (const row of rows) {
      const lastAt = (row.last_polled_at ?? row.created_at).getTime();
      const scheduledAt = row.next_poll_at?.getTime() ?? null;
      const before = this.seen.get(row.id);
      if (before && row.poll_count > before.polls) {
        if (row.poll_count - before.polls === 1 && before.scheduledAt !== null) {
          this.waits.push({ waitedMs: lastAt - before.lastAt, scheduledMs: before.scheduledAt - before.lastAt });
        } else {
          this.unresolved += 1;
        }
      }
      this.seen.set(row.id, { polls: row.poll_count, lastAt, scheduledAt });
    }
  }

  /** Closes a window: the waits completed in it, plus the waits still open at its end. */
  closeWindow(now: number): { completed: Wait[]; open: Wait[]; unresolved: number } {
    const completed = this.waits;
    const unresolved = this.unresolved;
    this.waits = [];
    this.unresolved = 0;
    const open = [...this.seen.values()]
      .filter((entry) => entry.scheduledAt !== null)
      .map((entry) => ({ waitedMs: now - entry.lastAt, scheduledMs: entry.scheduledAt! - entry.lastAt }));
    return { completed, open, unresolved };
  }
}

interface PollWindow {
  seconds: number;
  polls: number;
  pollsPerSecondMean: number;
  pollsPerSecondMax: number;
  /** Wall-clock seconds in which more polls reached the sandbox than the cap allows. */
  secondsAboveCap: number;
  longestGapS: number;
  longestOpenWaitS: number;
  worstWaitRatio: number;
  /** Share of the waits (completed in the window, or still open at its end) longer than twice the scheduled interval. */
  waitsOverTwiceShare: number;
  waitP50S: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  serverCpuPercent: number;
  unresolvedPolls: number;
}

/**
 * Scenario 4: 10,000 pending mobile identifications. They are created through
 * the API (paced), so each has a real sandbox record and a place in the poll schedule;
 * then the server's polling is watched from outside for three windows.
 */
export async function pollingScenario(context: BenchContext, stack: BenchStack): Promise<ScenarioReport> {
  const { polling, runs } = context.settings;

  const creation = await context.loadGenerator.ipc.request<LoadResult>('run', {
    origin: stack.serverUrl,
    connections: 16,
    amount: polling.identifications,
    overallRate: polling.createPerSecond,
    headers: stack.authHeaders,
    requests: { kind: 'fixed', method: 'POST', path: '/api/v1/mobile-identifications', body: JSON.stringify(MOBILE_IDENTIFICATION_REQUEST) },
  });

  const database = new Client({ connectionString: stack.databaseUrl });
  await database.connect();
  const tracker = new PollWaitTracker();
  const sample = async () =>
    tracker.observe(
      (
        await database.query<PollRow>(
          `SELECT id, created_at, poll_count, last_polled_at, next_poll_at FROM mobile_identifications
            WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`,
        )
      ).rows,
    );
  const openCount = async () =>
    Number((await database.query(`SELECT count(*) AS n FROM mobile_identifications WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`)).rows[0].n);

  const windows: PollWindow[] = [];
  let pending = 0;
  try {
    await sample();
    pending = await openCount();
    for (let window = 0; window < runs; window++) {
      await stack.server.ipc.request('eventLoopDelay', { reset: true });
      const cpuBefore = cpuSeconds(stack.server.pid);
      const startedAt = Date.now();
      const perSecond = await countPollsPerSecond(stack, polling.windowSeconds, sample);
      const endedAt = Date.now();
      const eventLoop = await stack.server.ipc.request<{ p99Ms: number; maxMs: number }>('eventLoopDelay', { reset: true });
      const seconds = (endedAt - startedAt) / 1000;
      const { completed, open, unresolved } = tracker.closeWindow(endedAt);
      // An open wait's ratio can only grow: it counts as it stands at the window's end.
      const waits = [...completed, ...open];
      const ratios = waits.map((wait) => wait.waitedMs / Math.max(1, wait.scheduledMs));
      const overTwice = ratios.filter((ratio) => ratio > 2).length;
      const polls = perSecond.reduce((sum, count) => sum + count, 0);
      windows.push({
        seconds,
        polls,
        pollsPerSecondMean: polls / seconds,
        pollsPerSecondMax: Math.max(0, ...perSecond),
        secondsAboveCap: perSecond.filter((count) => count > polling.maxPerSecond).length,
        longestGapS: Math.max(0, ...completed.map((wait) => wait.waitedMs)) / 1000,
        longestOpenWaitS: Math.max(0, ...open.map((wait) => wait.waitedMs)) / 1000,
        worstWaitRatio: Math.max(0, ...ratios),
        waitsOverTwiceShare: overTwice / Math.max(1, waits.length),
        waitP50S: percentile(completed.map((wait) => wait.waitedMs), 50) / 1000,
        eventLoopDelayP99Ms: eventLoop.p99Ms,
        eventLoopDelayMaxMs: eventLoop.maxMs,
        serverCpuPercent: ((cpuSeconds(stack.server.pid) - cpuBefore) / seconds) * 100,
        unresolvedPolls: unresolved,
      });
    }
  } finally {
    await database.end();
  }

  const of = (pick: (window: PollWindow) => number) => median(windows.map(pick));
  const maxOf = (pick: (window: PollWindow) => number) => Math.max(...windows.map(pick));
  const longestWait = Math.max(maxOf((window) => window.longestGapS), maxOf((window) => window.longestOpenWaitS));
  const scheduledMaxS = polling.maxIntervalMs / 1000;
  return {
    key: 'polling',
    title: `Scenario 4 — Polling at scale: ${formatNumber(polling.identifications, 0)} pending mobile identifications`,
    status: 'measured',
    method:
      `${formatNumber(polling.identifications, 0)} identifications are created through the API at up to ${polling.createPerSecond}/s ` +
      `(${formatNumber(creation.ok, 0)} created in ${formatNumber(creation.durationSeconds, 0)} s, ${creation.non2xx + creation.errors} failed), so each has a ` +
      'real sandbox record and a place in the poll schedule, and none is ever answered: all stay open. Then three consecutive windows of ' +
      `${polling.windowSeconds} s are observed from outside: polls per wall-clock second as the sandbox counts them, every ` +
      "identification's waits from the server's `poll_count` / `last_polled_at` / `next_poll_at` read each second, and the " +
      "event-loop delay inside the server (a preloaded `monitorEventLoopDelay` probe, p99 above the 10 ms sampling interval). " +
      `Settings: MOBILE_POLL_MAX_PER_SECOND=${polling.maxPerSecond}, MOBILE_POLL_INITIAL_INTERVAL_MS=${polling.initialIntervalMs}, ` +
      `MOBILE_POLL_MAX_INTERVAL_MS=${polling.maxIntervalMs}. A "wait" is the time between two polls of one identification ` +
      '(or from creation to its first poll); its "scheduled interval" is what the server set after the previous poll.',
    summary: {
      columns: ['window', 'polls/s mean', 'polls/s max (cap)', 'seconds above cap', 'longest wait s', 'worst wait ÷ scheduled', 'waits > 2× scheduled', 'event-loop p99 ms', 'server CPU %'],
      rows: [
        ...windows.map((window, index) => [
          index + 1,
          formatNumber(window.pollsPerSecondMean, 0),
          `${window.pollsPerSecondMax} (${polling.maxPerSecond})`,
          window.secondsAboveCap,
          formatNumber(Math.max(window.longestGapS, window.longestOpenWaitS)),
          `${formatNumber(window.worstWaitRatio)}×`,
          percentText(window.waitsOverTwiceShare),
          formatNumber(window.eventLoopDelayP99Ms),
          formatNumber(window.serverCpuPercent, 0),
        ]),
        [
          'median',
          formatNumber(of((window) => window.pollsPerSecondMean), 0),
          `${of((window) => window.pollsPerSecondMax)} (${polling.maxPerSecond})`,
          of((window) => window.secondsAboveCap),
          formatNumber(median(windows.map((window) => Math.max(window.longestGapS, window.longestOpenWaitS)))),
          `${formatNumber(of((window) => window.worstWaitRatio))}×`,
          percentText(of((window) => window.waitsOverTwiceShare)),
          formatNumber(of((window) => window.eventLoopDelayP99Ms)),
          formatNumber(of((window) => window.serverCpuPercent), 0),
        ],
      ],
    },
    targets: [
      {
        target: `never above the cap (${polling.maxPerSecond} polls/s)`,
        measured: `max ${maxOf((window) => window.pollsPerSecondMax)} in one wall-clock second; ${windows.reduce((sum, window) => sum + window.secondsAboveCap, 0)} seconds above`,
        met: maxOf((window) => window.pollsPerSecondMax) <= polling.maxPerSecond,
      },
      {
        target: 'no identification waits more than twice its scheduled interval',
        measured: `worst ${formatNumber(maxOf((window) => window.worstWaitRatio))}×; longest wait ${formatNumber(longestWait)} s (max interval ${scheduledMaxS} s)`,
        met: maxOf((window) => window.worstWaitRatio) <= 2,
      },
      { target: 'event-loop delay p99 < 50 ms', measured: `${formatNumber(of((window) => window.eventLoopDelayP99Ms))} ms (median of windows)`, met: of((window) => window.eventLoopDelayP99Ms) < 50 },
    ],
    notes: [`${formatNumber(pending, 0)} identifications were open when the first window began.`],
    data: { creation: { ...creation, acknowledged: undefined }, openAtStart: pending, windows, settings: polling, ratios: { meanPollsOverCap: round(of((window) => window.pollsPerSecondMean) / polling.maxPerSecond, 3) } },
  };
}

/**
 * Reads the sandbox's poll count at every wall-clock second boundary (the
 * server's limiter uses wall-clock windows), and samples the database in
 * between; returns the polls that arrived in each second.
 */
async function countPollsPerSecond(stack: BenchStack, seconds: number, sampleDatabase: () => Promise<void>): Promise<number[]> {
  const polls = async () => (await stack.sandbox.calls()).getIdentificationResult;
  const untilNextSecond = () => 1000 - (Date.now() % 1000);
  await new Promise((done) => setTimeout(done, untilNextSecond()));
  let previous = await polls();
  const counts: number[] = [];
  for (let second = 0; second < seconds; second++) {
    await new Promise((done) => setTimeout(done, Math.max(0, 500 - (Date.now() % 1000))));
    await sampleDatabase();
    await new Promise((done) => setTimeout(done, untilNextSecond()));
    const current = await polls();
    counts.push(current - previous);
    previous = current;
  }
  await sampleDatabase();
  return counts;
}
