import { BtrustClient } from '../btrust/btrust.client';
import type { BtrustConfigurationFaults } from '../btrust/btrust-configuration-faults';
import { BtrustError } from '../btrust/btrust.errors';
import { CasMetrics } from './cas-metrics';

/** The client's methods that talk to B-Trust; each is named after the provider operation it performs. */
const PROVIDER_CALLS: ReadonlySet<string> = new Set<keyof BtrustClient>([
  'identification',
  'getIdentificationResult',
  'startWebIdentification',
  'createRegistration',
  'getWebIdentificationResult',
  'getSignedDocuments',
  'startSignSession',
  'getRegistrationStatus',
  'getWebIdentificationStatus',
  'checkReachable',
]);

/**
 * The same client, with every provider call counted by outcome (`ok` or the
 * BtrustError code) and timed, and every 401/403 counted by operation and
 * handed to `faults` (readiness, logs) until the operation succeeds again. It
 * observes from the outside, so the client's behaviour (deadlines, retries,
 * breaker) is exactly what it was; a GET that was retried counts as one call
 * whose duration includes the retries.
 */
export function observeBtrustCalls(client: BtrustClient, metrics: CasMetrics, faults?: BtrustConfigurationFaults): BtrustClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !PROVIDER_CALLS.has(property) || typeof value !== 'function') {
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: unknown[]) => {
        const stopTimer = metrics.btrustCallDuration.startTimer({ operation: property });
        try {
          const result: unknown = await value.apply(target, args);
          metrics.btrustCalls.inc({ operation: property, outcome: 'ok' });
          faults?.succeeded(property);
          return result;
        } catch (error) {
          metrics.btrustCalls.inc({ operation: property, outcome: error instanceof BtrustError ? error.code : 'UNKNOWN' });
          if (error instanceof BtrustError && error.answerClass === 'CONFIGURATION_FAULT') {
            metrics.btrustConfigurationFaults.inc({ operation: property });
            faults?.failed(property, error);
          }
          throw error;
        } finally {
          stopTimer();
        }
      };
    },
  });
}
