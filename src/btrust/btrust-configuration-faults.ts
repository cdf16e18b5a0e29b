import type { BtrustError } from './btrust.errors';

/** One operation B-Trust refused with 401/403, as readiness reports it. */
export interface RefusedOperation {
  operation: string;
  httpStatus: number | null;
  providerCode: string | null;
  firstRefusedAt: string;
  lastRefusedAt: string;
  /** Refusals since the operation last succeeded (on this instance). */
  refusals: number;
}

export interface ConfigurationFaultLogger {
  warn(details: object, message: string): void;
}

/** How long a refused operation stays quiet in the logs after it was logged. */
export const CONFIGURATION_FAULT_LOG_EVERY_MS = 5 * 60_000;

/**
 * The operations B-Trust currently refuses with 401/403 (our client certificate, or our grant
 * for the operation): kept until a later call of the same operation succeeds, logged once per
 * operation every few minutes, read by /health/ready. Per instance and in memory: each instance
 * learns it from its own calls.
 */
export class BtrustConfigurationFaults {
  private readonly refused = new Map<string, RefusedOperation & { loggedAt: number }>();

  constructor(
    private readonly logger: ConfigurationFaultLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A call failed: remembered (and maybe logged) when B-Trust refused our access. */
  failed(operation: string, error: BtrustError): void {
    if (error.answerClass !== 'CONFIGURATION_FAULT') return;
    const at = this.now();
    const known = this.refused.get(operation);
    const entry = known ?? { operation, firstRefusedAt: new Date(at).toISOString(), refusals: 0, loggedAt: -Infinity };
    Object.assign(entry, {
      httpStatus: error.httpStatus ?? null,
      providerCode: error.providerCode ?? null,
      lastRefusedAt: new Date(at).toISOString(),
      refusals: entry.refusals + 1,
    });
    this.refused.set(operation, entry as RefusedOperation & { loggedAt: number });
    if (at - entry.loggedAt >= CONFIGURATION_FAULT_LOG_EVERY_MS) {
      // No ids, bodies or people: only what tells an operator which grant or certificate to check.
      this.logger.warn(
        { operation, httpStatus: error.httpStatus, providerCode: error.providerCode, refusals: entry.refusals },
        'B-Trust refused our access to an operation (401/403): check the client certificate and the operations granted to this relying party',
      );
      entry.loggedAt = at;
    }
  }

  /** A call succeeded: the operation is no longer refused. */
  succeeded(operation: string): void {
    this.refused.delete(operation);
  }

  current(): RefusedOperation[] {
    return [...this.refused.values()].map(({ loggedAt: _loggedAt, ...refused }) => refused);
  }
}
