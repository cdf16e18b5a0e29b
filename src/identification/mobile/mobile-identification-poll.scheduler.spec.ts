import { loadAppConfig } from '../../config/app-config';
import type { ResolvedAppConfig } from '../../config/config.module';
import { MobileIdentificationPollScheduler } from './mobile-identification-poll.scheduler';

function schedulerWith(env: Record<string, string>): MobileIdentificationPollScheduler {
  return new MobileIdentificationPollScheduler(loadAppConfig(env) as ResolvedAppConfig);
}

describe(MobileIdentificationPollScheduler.name, () => {
  const timing = { MOBILE_POLL_INITIAL_INTERVAL_MS: '2000', MOBILE_POLL_MAX_INTERVAL_MS: '30000', MOBILE_POLL_MAX_PER_SECOND: '20' };

  it('backs off by half again per poll, up to the maximum interval, while the cap can serve everyone', () => {
    const scheduler = schedulerWith(timing);
    scheduler.observeOpenCount(10);
    expect([0, 1, 2, 3, 10].map((polls) => scheduler.intervalMs(polls))).toEqual([2_000, 3_000, 4_500, 6_750, 30_000]);
  });

  it('stretches every interval to open ÷ cap when the cap cannot serve the backoff', () => {
    const scheduler = schedulerWith(timing);
    scheduler.observeOpenCount(10_000);
    // 10,000 open at 20 polls/s: each can be polled once every 500 s at best.
    expect(scheduler.intervalMs(0)).toBe(500_000);
    expect(scheduler.intervalMs(10)).toBe(500_000);
  });

  it('counts the identifications created here since the last count', () => {
    const scheduler = schedulerWith(timing);
    scheduler.observeOpenCount(99);
    const before = Date.now();
    const first = scheduler.firstPollTime().getTime() - before;
    // The 100th open identification at 20 polls/s: 5 s apart, more than the 2 s initial interval.
    expect(first).toBeGreaterThanOrEqual(5_000);
    expect(first).toBeLessThan(5_100);
  });

  it('lets a claim outlast a poll with all its retries, and waits for a new request longer than its timeout', () => {
    const scheduler = schedulerWith({ ...timing, BTRUST_TIMEOUT_MS: '40000', BTRUST_RETRY_ATTEMPTS: '3' });
    expect(scheduler.claimLeaseMs).toBe(240_000);
    const before = Date.now();
    expect(scheduler.outcomeDeadline().getTime() - before).toBeGreaterThanOrEqual(80_000);
  });
});
