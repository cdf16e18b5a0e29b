import { createServer } from 'node:net';
import { BtrustClient } from '../btrust/btrust.client';
import { BtrustError } from '../btrust/btrust.errors';
import { BtrustConfigurationFaults } from '../btrust/btrust-configuration-faults';
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

  it('counts a 401/403 as a configuration fault of its operation and hands it to readiness until the operation succeeds', async () => {
    const refusal = new BtrustError({ code: 'UNAUTHORIZED', operation: 'getIdentificationResult', httpStatus: 401, message: 'x' });
    let refuse = true;
    const fake = {
      getIdentificationResult: async () => {
        if (refuse) throw refusal;
        return { state: 'PENDING', providerStatus: null };
      },
    } as unknown as BtrustClient;
    const faults = new BtrustConfigurationFaults({ warn: () => undefined });
    const observed = observeBtrustCalls(fake, metrics, faults);

    await expect(observed.getIdentificationResult('callback-1')).rejects.toBe(refusal);
    await expect(observed.getIdentificationResult('callback-1')).rejects.toBe(refusal);
    expect((await metrics.btrustConfigurationFaults.get()).values).toEqual([{ labels: { operation: 'getIdentificationResult' }, value: 2 }]);
    expect(faults.current()).toMatchObject([{ operation: 'getIdentificationResult', httpStatus: 401, refusals: 2 }]);

    refuse = false;
    await observed.getIdentificationResult('callback-1');
    expect(faults.current()).toEqual([]);
  });
});
