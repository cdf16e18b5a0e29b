import { ChildProcess, fork, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IpcPeer, waitForReady } from './ipc';

export const ROOT = resolve(__dirname, '../..');
/** Where transpileSources() puts the JavaScript every bench process runs (see build.ts). */
export const BUILD_DIR = join(ROOT, 'bench/tmp/build');
const SERVER_MAIN = join(BUILD_DIR, 'src/main.js');
const SERVER_PROBE = join(BUILD_DIR, 'bench/processes/server-probe.js');
/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface RunningProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  ipc: IpcPeer;
  stop(): Promise<void>;
}

function logStream(logFile: string): number {
  mkdirSync(dirname(logFile), { recursive: true });
  return openSync(logFile, 'w');
}

/** A bench process (`bench/processes/<name>`, with an IPC channel); resolves once it announced readiness. */
export async function startBenchProcess<T>(
  name: string,
  script: 'sandbox-main' | 'baseline-main' | 'load-generator',
  options: { env?: NodeJS.ProcessEnv; logFile: string; readyTimeoutMs?: number },
): Promise<{ process: RunningProcess; details: T }> {
  const log = logStream(options.logFile);
  const child = fork(join(BUILD_DIR, 'bench/processes', `${script}.js`), [], {
    cwd: ROOT,
    execArgv: [],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const running = wrap(name, child, 'SIGTERM');
  try {
    const details = await waitForReady<T>(child, name, options.readyTimeoutMs ?? 60_000);
    return { process: running, details };
  } catch (error) {
    await running.stop();
    throw error;
  }
}

/**
 * The server as `npm start` runs it (src/main.ts), in its own process so that
 * its CPU and memory are its own, with the probe preloaded for event-loop delay.
 */
export async function startServerProcess(
  env: NodeJS.ProcessEnv,
  options: { logFile: string; url: string; cwd: string; cpuProfileDir?: string },
): Promise<RunningProcess> {
  const log = logStream(options.logFile);
  const profiling = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  // The working directory is the server's own: a developer's .env in the project must not leak in.
  const child = spawn(process.execPath, [...profiling, '-r', SERVER_PROBE, SERVER_MAIN], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  // SIGINT: the server drains requests and jobs, and a CPU profile is written on the way out.
  const running = wrap('server', child, 'SIGINT');
  try {
    await waitForHealth(options.url, child, 60_000);
  } catch (error) {
    await running.stop();
    throw new Error(`${(error as Error).message}; see ${options.logFile}`);
  }
  return running;
}

function wrap(name: string, child: ChildProcess, stopSignal: NodeJS.Signals): RunningProcess {
  const exited = new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });
  return {
    name,
    pid: child.pid!,
    child,
    ipc: new IpcPeer(child, name),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('the server exited during start-up');
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`the server did not answer /health within ${timeoutMs} ms`);
}

/** User plus system CPU time a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]) * 1024;
}

export const rssBytes = (pid: number): number => statusField(pid, 'VmRSS');
export const peakRssBytes = (pid: number): number => statusField(pid, 'VmHWM');

/** Sets the kernel's peak-RSS mark back to the current RSS, so the next peak belongs to what follows. */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Every process whose parent is `pid`, and the parent itself: PostgreSQL's backends belong to its postmaster. */
export function processTree(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return [pid, ...children];
}

/** CPU seconds per process of the tree, for processTreeCpuDelta(). */
export function treeCpuSnapshot(pid: number): Map<number, number> {
  const snapshot = new Map<number, number>();
  for (const member of processTree(pid)) {
    try {
      snapshot.set(member, cpuSeconds(member));
    } catch {
      // The process ended while we looked.
    }
  }
  return snapshot;
}

/**
 * CPU used between two snapshots by the processes alive at the second one
 * (a process started in between counts from zero). A backend that exited in
 * between took its CPU time with it, so the figure is a lower bound.
 */
export function treeCpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of after) used += seconds - (before.get(pid) ?? 0);
  return used;
}
