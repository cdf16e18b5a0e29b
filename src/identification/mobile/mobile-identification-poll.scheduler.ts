import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';

/**
 * When each open mobile identification is polled next. The interval backs
 * off per identification (initial × 1.5ⁿ, capped), and never drops below
 * what the provider cap can serve: with N identifications open and a cap of
 * C polls per second across all instances, no schedule tighter than N ÷ C
 * seconds can be kept. Under that load every identification is scheduled
 * N ÷ C apart, so polls spread evenly under the cap and each wait stays close
 * to what was scheduled, instead of piling up behind a cap that a 1.5ⁿ
 * schedule would overrun after a burst of creations.
 */
@Injectable()
export class MobileIdentificationPollScheduler {
  private readonly timing: ResolvedAppConfig['identification']['mobilePoll'];
  /**
   * How long an instance's claim on an identification lasts: longer than any
   * poll can take (B-Trust's timeout, with the client's retries of a GET).
   */
  readonly claimLeaseMs: number;
  /** Longer than B-Trust may take to answer a new request: past it, the answer was lost with the process. */
  private readonly outcomeWaitMs: number;
  /** Open identifications across all instances, as last counted, plus the ones created here since. */
  private openEstimate = 0;

  constructor(@Inject(APP_CONFIG) config: ResolvedAppConfig) {
    this.timing = config.identification.mobilePoll;
    // Each attempt may take the whole timeout; the retry delays between them stay well under a timeout.
    this.claimLeaseMs = Math.max(60_000, 2 * config.btrust.retryAttempts * config.btrust.timeoutMs);
    this.outcomeWaitMs = Math.max(30_000, 2 * config.btrust.timeoutMs);
  }

  /** The poller counts the open identifications every few seconds. */
  observeOpenCount(count: number): void {
    this.openEstimate = count;
  }

  /** When to look at a new identification if B-Trust's answer to its request is never recorded. */
  outcomeDeadline(): Date {
    return new Date(Date.now() + this.outcomeWaitMs);
  }

  firstPollTime(): Date {
    this.openEstimate += 1;
    return new Date(Date.now() + this.intervalMs(0));
  }

  nextPollTime(pollsSoFar: number): Date {
    return new Date(Date.now() + this.intervalMs(pollsSoFar));
  }

  /** initial × 1.5ⁿ, capped: quick answers for quick people, little load for slow ones; stretched by the cap. */
  intervalMs(pollsSoFar: number): number {
    const backoff = Math.min(this.timing.maxIntervalMs, this.timing.initialIntervalMs * 1.5 ** pollsSoFar);
    const servable = (this.openEstimate / this.timing.maxPerSecond) * 1_000;
    return Math.max(backoff, servable);
  }
}
