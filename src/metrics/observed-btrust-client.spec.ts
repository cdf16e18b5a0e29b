import { createServer } from 'node:net';
import { BtrustClient } from '../btrust/btrust.client';
import { BtrustError } from '../btrust/btrust.errors';
import { CasMetrics } from './cas-metrics';
import { observeBtrustCalls } from './observed-btrust-client';

/** A port nothing listens on, so that every call fails fast with a refused connection. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(observeBtrustCalls.name, () => {
  let metrics: CasMetrics;
  let client: BtrustClient;

  beforeEach(async () => {
    metrics = new CasMetrics();
    client = new BtrustClient({
      baseUrl: `https://127.0.0.1:${await closedPort()}/signing-api/v2`,
      relyingPartyId: '24102167',
      tls: {},
      timeoutMs: 2_000,
      retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 },
      breaker: { consecutiveFailures: 100, halfOpenAfterMs: 1_000 },
    });
  });
  afterEach(() => client.close());

  it('counts a failed call once, by its error code, times it, and rethrows the same error', async () => {
    const observed = observeBtrustCalls(client, metrics);
    const failure = await observed.getIdentificationResult('callback-1').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(BtrustError);
    const { code } = failure as BtrustError;
    const calls = await metrics.btrustCalls.get();
    expect(calls.values).toEqual([{ labels: { operation: 'getIdentificationResult', outcome: code }, value: 1 }]);
    const durations = await metrics.btrustCallDuration.get();
    const count = durations.values.find((sample) => sample.metricName === 'btrust_cas_btrust_call_duration_seconds_count');
    expect(count).toMatchObject({ labels: { operation: 'getIdentificationResult' }, value: 1 });
  });

  it('leaves the client otherwise untouched: same class, same certificate info, nothing counted for non-calls', async () => {
    const observed = observeBtrustCalls(client, metrics);
    expect(observed).toBeInstanceOf(BtrustClient);
    expect(observed.clientCertificateInfo()).toBe(client.clientCertificateInfo());
    expect((await metrics.btrustCalls.get()).values).toEqual([]);
  });
});
