import { DataSource } from 'typeorm';
import { postgresPool } from '../../database/postgres-pool';

/**
 * A fixed-window rate limit enforced in PostgreSQL, so that N server
 * instances together stay under one cap (e.g. provider polls per second).
 * Slots are taken in batches: one statement per batch instead of one per
 * slot, so that the window's row is not a queue of single-slot commits.
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
    // One statement, atomic under the row lock: both SET expressions read the row as it was, and
    // last_grant carries the grant out through RETURNING. A full window updates nothing and returns no row.
    const { rows } = await postgresPool(this.dataSource).query<{ granted: number }>(
      `INSERT INTO rate_windows (bucket, window_start, hits, last_grant)
       VALUES ($1, to_timestamp($2 / 1000.0), LEAST($3::integer, $4::integer), LEAST($3::integer, $4::integer))
       ON CONFLICT (bucket, window_start) DO UPDATE
         SET hits = rate_windows.hits + LEAST($3::integer, $4::integer - rate_windows.hits),
             last_grant = LEAST($3::integer, $4::integer - rate_windows.hits)
         WHERE rate_windows.hits < $4::integer
       RETURNING last_grant AS granted`,
      [this.bucket, windowStart, wanted, this.limit],
    );
    return { granted: rows[0]?.granted ?? 0, nextWindowInMs };
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

/**
 * PostgreSQL's not_null_violation. A refused slot sets `hits` to NULL, which
 * aborts the whole statement: SQL has no RAISE, and this keeps "all slots or
 * none" inside one statement instead of a transaction of one round trip per
 * bucket.
 */
const NOT_NULL_VIOLATION = '23502';

/**
 * Takes one slot in every bucket's current fixed window, or none at all: a
 * request refused by one limit does not use up another (a user refused for
 * their busy office IP keeps their own allowance), and refused attempts are
 * not counted. One statement: the buckets are upserted in name order (so
 * concurrent callers on any instance never deadlock), and a bucket at its
 * limit aborts the statement, which undoes the slots already taken in it.
 */
export async function tryAcquireSlots(
  dataSource: DataSource,
  slots: readonly RateLimitSlot[],
  windowMs: number,
  now = Date.now(),
): Promise<SlotsDecision> {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const ordered = [...slots].sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  const buckets = ordered.map((slot) => slot.bucket);
  try {
    // Straight to the driver's pool: a refusal is an expected answer here, not a failed query for TypeORM's error log.
    await postgresPool(dataSource).query(
      `WITH wanted (bucket, hit_limit) AS (SELECT * FROM unnest($2::text[], $3::integer[]))
       INSERT INTO rate_windows (bucket, window_start, hits)
       SELECT bucket, to_timestamp($1 / 1000.0), 1 FROM wanted ORDER BY bucket
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = CASE
         WHEN rate_windows.hits < (SELECT hit_limit FROM wanted WHERE wanted.bucket = excluded.bucket) THEN rate_windows.hits + 1
       END`,
      [windowStart, buckets, ordered.map((slot) => slot.limit)],
    );
    return { acquired: true };
  } catch (error) {
    if (!isRefusedSlot(error)) throw error;
  }
  // Rare path: name the limit that refused. Hits only grow within a window, so a full bucket is still full.
  const full: Array<{ bucket: string; hits: number }> = await dataSource.query(
    'SELECT bucket, hits FROM rate_windows WHERE window_start = to_timestamp($1 / 1000.0) AND bucket = ANY($2::text[])',
    [windowStart, buckets],
  );
  const exceeded = ordered.find((slot) => full.some((row) => row.bucket === slot.bucket && row.hits >= slot.limit)) ?? ordered[0];
  return { acquired: false, exceeded, retryAfterMs: windowStart + windowMs - now };
}

function isRefusedSlot(error: unknown): boolean {
  const { code, table, column } = error as { code?: string; table?: string; column?: string };
  return code === NOT_NULL_VIOLATION && table === 'rate_windows' && column === 'hits';
}

/** Deletes the windows of every bucket under a prefix that ended long enough ago to be worthless. */
export async function pruneRateWindows(dataSource: DataSource, bucketPrefix: string, olderThanMs: number): Promise<void> {
  await dataSource.query(`DELETE FROM rate_windows WHERE starts_with(bucket, $1) AND window_start < now() - make_interval(secs => $2)`, [
    bucketPrefix,
    olderThanMs / 1000,
  ]);
}
