/**
 * Preloaded into the server process by the benchmarks (never by `npm start`):
 * measures event-loop delay from inside the server and answers over the IPC
 * channel, so the server itself needs no instrumentation for it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { serveIpc } from '../harness/ipc';

const RESOLUTION_MS = 10;
const NS_PER_MS = 1e6;
const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();

/**
 * The histogram records the time between two ticks of a RESOLUTION_MS timer,
 * so an idle loop reads RESOLUTION_MS; the delay is what exceeds it.
 */
const delayMs = (recordedNs: number): number => Math.max(0, recordedNs / NS_PER_MS - RESOLUTION_MS);

serveIpc({
  eventLoopDelay: ({ reset }: { reset?: boolean }) => {
    const reading = {
      samples: histogram.count,
      p50Ms: delayMs(histogram.percentile(50)),
      p99Ms: delayMs(histogram.percentile(99)),
      maxMs: delayMs(histogram.max),
    };
    if (reset) histogram.reset();
    return reading;
  },
});
