import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { RateWindowRepository } from '../../common/rate-limit/rate-window.repository';
import { SharedRateLimiter } from '../../common/rate-limit/shared-rate-limiter';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { MobileIdentificationPollScheduler } from './mobile-identification-poll.scheduler';
import { MobileIdentificationRepository } from './mobile-identification.repository';
import { MobileIdentificationsService } from './mobile-identifications.service';

/** How often an idle poller looks for polls that have fallen due. */
const IDLE_LOOK_MS = 250;
const OPEN_COUNT_EVERY_MS = 2_000;
const PRUNE_EVERY_MS = 10 * 60_000;
const AFTER_DATABASE_ERROR_MS = 1_000;

/**
 * Polls B-Trust for open mobile identifications. The identifications table
 * is the schedule: each instance claims the ones whose `next_poll_at` has
 * passed, most overdue first (SKIP LOCKED, so instances never wait on each
 * other), takes slots under the shared per-second cap for the whole batch in
 * one transaction, and runs the polls. A claim lapses if its instance dies,
 * and the identification is polled by another.
 */
@Injectable()
export class MobileIdentificationPoller implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MobileIdentificationPoller.name);
  private readonly limiter: SharedRateLimiter;
  /** Polls this instance keeps open at once: enough to reach the cap while each waits up to half a second on B-Trust. */
  private readonly maxInFlight: number;
  /** Polls the cap allows in one of its windows, across all instances. */
  private readonly perWindow: number;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private openCountedAt = 0;
  private prunedAt = 0;

  constructor(
    @Inject(APP_CONFIG) config: ResolvedAppConfig,
    rateWindows: RateWindowRepository,
    private readonly scheduler: MobileIdentificationPollScheduler,
    private readonly records: MobileIdentificationRepository,
    private readonly identifications: MobileIdentificationsService,
  ) {
    const { maxPerSecond } = config.identification.mobilePoll;
    // The cap is kept in windows of a tenth of a second where it divides evenly, so that a second's polls
    // leave in steady small batches, not in one burst at the top of the second that spills into the next.
    const windowsPerSecond = [10, 8, 5, 4, 2, 1].find((count) => maxPerSecond % count === 0)!;
    this.perWindow = maxPerSecond / windowsPerSecond;
    this.limiter = new SharedRateLimiter(rateWindows, 'btrust-mobile-poll', this.perWindow, 1_000 / windowsPerSecond);
    this.maxInFlight = Math.min(64, Math.max(4, Math.ceil(maxPerSecond / 2)));
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Polls under way finish (and write their answers) before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pauseMs: number;
      try {
        await this.housekeeping();
        pauseMs = await this.startDuePolls();
      } catch (error) {
        this.logger.error({ err: error }, 'Looking for due mobile identification polls failed');
        pauseMs = AFTER_DATABASE_ERROR_MS;
      }
      if (pauseMs > 0 && this.running) await this.pause(pauseMs);
    }
  }

  /** Starts as many due polls as there is room and cap for; returns how long to wait before looking again. */
  private async startDuePolls(): Promise<number> {
    const room = Math.min(this.maxInFlight - this.inFlight.size, this.perWindow);
    // A finishing poll wakes the loop early.
    if (room <= 0) return IDLE_LOOK_MS;
    const claimed = await this.records.claimDuePolls(room, this.scheduler.claimLeaseMs);
    if (claimed.length === 0) return IDLE_LOOK_MS;
    const { granted, nextWindowInMs } = await this.limiter.tryAcquireUpTo(claimed.length);
    for (const id of claimed.slice(0, granted)) this.start(id);
    if (granted < claimed.length) {
      // At the cap: hand the rest back, so that any instance takes them in the next window.
      await this.records.releasePollClaims(claimed.slice(granted));
      return nextWindowInMs;
    }
    return granted === this.perWindow ? nextWindowInMs : 0;
  }

  private start(id: string): void {
    const poll: Promise<void> = this.identifications
      .pollClaimed(id)
      .catch((error: unknown) => {
        // The claim stays until it lapses, and the poll is tried again then.
        this.logger.error({ err: error, id }, 'Polling a mobile identification failed');
      })
      .finally(() => {
        this.inFlight.delete(poll);
        this.wakeUp?.();
      });
    this.inFlight.add(poll);
  }

  private async housekeeping(): Promise<void> {
    const now = Date.now();
    if (now - this.openCountedAt >= OPEN_COUNT_EVERY_MS) {
      this.scheduler.observeOpenCount(await this.records.countOpen());
      this.openCountedAt = now;
    }
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      await this.limiter.prune();
      this.prunedAt = now;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
