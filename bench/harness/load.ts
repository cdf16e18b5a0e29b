import type { LoadPlan, LoadResult } from '../processes/load-generator';
import { cpuSeconds, peakRssBytes, resetPeakRss, treeCpuDelta, treeCpuSnapshot } from './processes';
import type { BenchContext } from './stack';

export interface MeasuredRun {
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failed: number;
  /** CPU time the measured process used per successful request. */
  cpuMsPerRequest: number;
  /** CPU time all PostgreSQL processes used per successful request (embedded PostgreSQL only). */
  postgresCpuMsPerRequest: number;
  /** The measured process's peak RSS during the run. */
  peakRssMiB: number;
}

const MIB = 1024 * 1024;

/** Drives one plan through the load generator while watching the process that answers it. */
export async function measureLoad(
  context: BenchContext,
  plan: LoadPlan,
  targetPid: number,
): Promise<{ run: MeasuredRun; load: LoadResult }> {
  resetPeakRss(targetPid);
  const postmaster = context.postgres.postmasterPid;
  const cpuBefore = cpuSeconds(targetPid);
  const postgresBefore = postmaster ? treeCpuSnapshot(postmaster) : undefined;
  const load = await context.loadGenerator.ipc.request<LoadResult>('run', plan);
  const cpuUsed = cpuSeconds(targetPid) - cpuBefore;
  const postgresUsed = postmaster && postgresBefore ? treeCpuDelta(postgresBefore, treeCpuSnapshot(postmaster)) : Number.NaN;
  const successes = Math.max(1, load.ok);
  return {
    load,
    run: {
      okPerSecond: load.okPerSecond,
      p50Ms: load.latencyMs.p50,
      p99Ms: load.latencyMs.p99,
      ok: load.ok,
      failed: load.non2xx + load.errors + load.timeouts,
      cpuMsPerRequest: (cpuUsed * 1000) / successes,
      postgresCpuMsPerRequest: (postgresUsed * 1000) / successes,
      peakRssMiB: peakRssBytes(targetPid) / MIB,
    },
  };
}

/** A short unmeasured run, so that JIT, pools and kept-alive connections are warm before measuring. */
export async function warmUp(context: BenchContext, plan: Omit<LoadPlan, 'durationSeconds' | 'amount'>): Promise<void> {
  await context.loadGenerator.ipc.request<LoadResult>('run', { ...plan, durationSeconds: context.settings.warmupSeconds });
}
