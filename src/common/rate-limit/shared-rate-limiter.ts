import { DataSource } from 'typeorm';

/**
 * A fixed-window rate limit enforced in PostgreSQL, so that N server
 * instances together stay under one cap (e.g. provider polls per second).
 */
export class SharedRateLimiter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bucket: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Takes one slot in the current window, or says how long to wait for the next one. */
  async tryAcquire(now = Date.now()): Promise<{ acquired: true } | { acquired: false; retryAfterMs: number }> {
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    const rows: Array<{ hits: number }> = await this.dataSource.query(
      `INSERT INTO rate_windows (bucket, window_start, hits) VALUES ($1, to_timestamp($2 / 1000.0), 1)
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_windows.hits + 1
       RETURNING hits`,
      [this.bucket, windowStart],
    );
    if (rows[0].hits <= this.limit) return { acquired: true };
    return { acquired: false, retryAfterMs: windowStart + this.windowMs - now };
  }

  /** Waits for a slot; callers run in background jobs, never on a request path. */
  async acquire(): Promise<void> {
    for (;;) {
      const attempt = await this.tryAcquire();
      if (attempt.acquired) return;
      await new Promise((resolve) => setTimeout(resolve, attempt.retryAfterMs + Math.random() * 20));
    }
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
