import { RateWindowRepository } from './rate-window.repository';

/**
 * A fixed-window rate limit enforced in PostgreSQL, so that N server
 * instances together stay under one cap (e.g. provider polls per second).
 * Slots are taken in batches: one statement per batch instead of one per
 * slot, so that the window's row is not a queue of single-slot commits.
 */
export class SharedRateLimiter {
  constructor(
    private readonly windows: RateWindowRepository,
    private readonly bucket: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /**
   * Takes as many of `wanted` slots as the current window still has (possibly
   * none), and says when the next window opens.
   */
  async tryAcquireUpTo(wanted: number, now = Date.now()): Promise<{ granted: number; nextWindowInMs: number }> {
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    const nextWindowInMs = windowStart + this.windowMs - now;
    if (wanted <= 0) return { granted: 0, nextWindowInMs };
    return { granted: await this.windows.takeUpTo(this.bucket, windowStart, wanted, this.limit), nextWindowInMs };
  }

  /** Old windows are worthless; keep the table small. */
  async prune(olderThanMs = 60 * 60 * 1000): Promise<void> {
    await this.windows.deleteOldWindowsOf(this.bucket, olderThanMs);
  }
}

export interface RateLimitSlot {
  bucket: string;
  /** Hits allowed per window. */
  limit: number;
}

export type SlotsDecision = { acquired: true } | { acquired: false; exceeded: RateLimitSlot; retryAfterMs: number };

/**
 * Takes one slot in every bucket's current fixed window, or none at all: a
 * request refused by one limit does not use up another (a user refused for
 * their busy office IP keeps their own allowance), and refused attempts are
 * not counted. One statement: the buckets are upserted in name order (so
 * concurrent callers on any instance never deadlock), and a bucket at its
 * limit aborts the statement, which undoes the slots already taken in it.
 */
export async function tryAcquireSlots(
  windows: RateWindowRepository,
  slots: readonly RateLimitSlot[],
  windowMs: number,
  now = Date.now(),
): Promise<SlotsDecision> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const ordered = [...slots].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  if (await windows.takeOneSlotEach(windowStart, ordered)) return { acquired: true };
  // Rare path: name the limit that refused. Hits only grow within a window, so a full bucket is still full.
  const full = await windows.hitsIn(windowStart, ordered.map((slot) => slot.bucket));
  const exceeded = ordered.find((slot) => full.some((row) => row.bucket === slot.bucket && row.hits >= slot.limit)) ?? ordered[0];
  return { acquired: false, exceeded, retryAfterMs: windowStart + windowMs - now };
}
