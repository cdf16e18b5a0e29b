import { DataSource } from 'typeorm';

/**
 * A fixed-window rate limit enforced in PostgreSQL, so that N server
 * instances together stay under one cap (e.g. provider polls per second).
 * Slots are taken in batches: one short transaction per batch instead of one
 * per slot, so that the window's row is not a queue of single-slot commits.
 */
export class SharedRateLimiter {
  constructor(
    private readonly dataSource: DataSource,
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
    const granted = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO rate_windows (bucket, window_start, hits) VALUES ($1, to_timestamp($2 / 1000.0), 0)
         ON CONFLICT (bucket, window_start) DO NOTHING`,
        [this.bucket, windowStart],
      );
      // The row lock makes read-then-add atomic across instances.
      const [{ hits }]: Array<{ hits: number }> = await manager.query(
        `SELECT hits FROM rate_windows WHERE bucket = $1 AND window_start = to_timestamp($2 / 1000.0) FOR UPDATE`,
        [this.bucket, windowStart],
      );
      const available = Math.max(0, Math.min(wanted, this.limit - hits));
      if (available > 0) {
        await manager.query(`UPDATE rate_windows SET hits = hits + $3 WHERE bucket = $1 AND window_start = to_timestamp($2 / 1000.0)`, [
          this.bucket,
          windowStart,
          available,
        ]);
      }
      return available;
    });
    return { granted, nextWindowInMs };
  }

  /** Old windows are worthless; keep the table small. */
  async prune(olderThanMs = 60 * 60 * 1000): Promise<void> {
    await this.dataSource.query(`DELETE FROM rate_windows WHERE bucket = $1 AND window_start < now() - make_interval(secs => $2)`, [
      this.bucket,
      olderThanMs / 1000,
    ]);
  }
}

export interface RateLimitSlot {
  bucket: string;
  /** Hits allowed per window. */
  limit: number;
}

export type SlotsDecision = { acquired: true } | { acquired: false; exceeded: RateLimitSlot; retryAfterMs: number };

/** Thrown inside the transaction only to roll it back; never escapes. */
class SlotRefused extends Error {
  constructor(readonly slot: RateLimitSlot) {
    super(`rate limit ${slot.bucket} reached`);
  }
}

/**
 * Takes one slot in every bucket's current fixed window, or none at all: a
 * request refused by one limit does not use up another (a user refused for
 * their busy office IP keeps their own allowance), and refused attempts are
 * not counted. Buckets are locked in name order, so concurrent callers on any
 * instance never deadlock.
 */
export async function tryAcquireSlots(
  dataSource: DataSource,
  slots: readonly RateLimitSlot[],
  windowMs: number,
  now = Date.now(),
): Promise<SlotsDecision> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const ordered = [...slots].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  try {
    await dataSource.transaction(async (manager) => {
      for (const slot of ordered) {
        const rows: unknown[] = await manager.query(
          `INSERT INTO rate_windows (bucket, window_start, hits) VALUES ($1, to_timestamp($2 / 1000.0), 1)
           ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_windows.hits + 1 WHERE rate_windows.hits < $3
           RETURNING hits`,
          [slot.bucket, windowStart, slot.limit],
        );
        if (rows.length === 0) throw new SlotRefused(slot);
      }
    });
  } catch (error) {
    if (!(error instanceof SlotRefused)) throw error;
    return { acquired: false, exceeded: error.slot, retryAfterMs: windowStart + windowMs - now };
  }
  return { acquired: true };
}

/** Deletes the windows of every bucket under a prefix that ended long enough ago to be worthless. */
export async function pruneRateWindows(dataSource: DataSource, bucketPrefix: string, olderThanMs: number): Promise<void> {
  await dataSource.query(`DELETE FROM rate_windows WHERE starts_with(bucket, $1) AND window_start < now() - make_interval(secs => $2)`, [
    bucketPrefix,
    olderThanMs / 1000,
  ]);
}
