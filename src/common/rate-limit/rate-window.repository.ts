import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { postgresPool } from '../../database/postgres-pool';

/**
 * Adds up to $3 slots to bucket $1's window starting at $2 (epoch ms), at
 * most up to the limit $4. Atomic under the row lock: both SET expressions
 * read the row as it was, and last_grant carries the grant out through
 * RETURNING. A full window updates nothing and returns no row.
 */
const TAKE_UP_TO_SQL = `INSERT INTO rate_windows (bucket, window_start, hits, last_grant)
       VALUES ($1, to_timestamp($2 / 1000.0), LEAST($3::integer, $4::integer), LEAST($3::integer, $4::integer))
       ON CONFLICT (bucket, window_start) DO UPDATE
         SET hits = rate_windows.hits + LEAST($3::integer, $4::integer - rate_windows.hits),
             last_grant = LEAST($3::integer, $4::integer - rate_windows.hits)
         WHERE rate_windows.hits < $4::integer
       RETURNING last_grant AS granted`;

/**
 * One hit in each bucket of $2 (limits in $3) for the window starting at $1
 * (epoch ms), upserted in the order given. A bucket at its limit sets `hits`
 * to NULL, which aborts the whole statement (see NOT_NULL_VIOLATION).
 */
const TAKE_ONE_SLOT_EACH_SQL = `WITH wanted (bucket, hit_limit) AS (SELECT * FROM unnest($2::text[], $3::integer[]))
       INSERT INTO rate_windows (bucket, window_start, hits)
       SELECT bucket, to_timestamp($1 / 1000.0), 1 FROM wanted ORDER BY bucket
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = CASE
         WHEN rate_windows.hits < (SELECT hit_limit FROM wanted WHERE wanted.bucket = excluded.bucket) THEN rate_windows.hits + 1
       END`;

const HITS_IN_WINDOW_SQL = 'SELECT bucket, hits FROM rate_windows WHERE window_start = to_timestamp($1 / 1000.0) AND bucket = ANY($2::text[])';

const DELETE_OLD_WINDOWS_OF_BUCKET_SQL = `DELETE FROM rate_windows WHERE bucket = $1 AND window_start < now() - make_interval(secs => $2)`;

const DELETE_OLD_WINDOWS_UNDER_PREFIX_SQL = `DELETE FROM rate_windows WHERE starts_with(bucket, $1) AND window_start < now() - make_interval(secs => $2)`;

/**
 * PostgreSQL's not_null_violation. A refused slot sets `hits` to NULL, which
 * aborts the whole statement: SQL has no RAISE, and this keeps "all slots or
 * none" inside one statement instead of a transaction of one round trip per
 * bucket.
 */
const NOT_NULL_VIOLATION = '23502';

export interface BucketHits {
  bucket: string;
  hits: number;
}

/**
 * The fixed-window counters (rate_windows), the only writer of its rows.
 * Taking slots is on hot paths (the mobile poller, every paid creation), so
 * those statements go straight to the driver's pool: one round trip, and a
 * refusal is an expected answer there, not a failed query for TypeORM's
 * error log.
 */
@Injectable()
export class RateWindowRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Takes as many of `wanted` slots as the bucket's window still has below `limit`; returns how many (possibly none). */
  async takeUpTo(bucket: string, windowStart: number, wanted: number, limit: number): Promise<number> {
    const { rows } = await postgresPool(this.dataSource).query<{ granted: number }>(TAKE_UP_TO_SQL, [bucket, windowStart, wanted, limit]);
    return rows[0]?.granted ?? 0;
  }

  /**
   * Takes one slot in each bucket's window, or none at all: false when one of
   * them is at its limit. The buckets are upserted in the order given, so
   * callers that give them in one order never deadlock.
   */
  async takeOneSlotEach(windowStart: number, slots: ReadonlyArray<{ bucket: string; limit: number }>): Promise<boolean> {
    try {
      await postgresPool(this.dataSource).query(TAKE_ONE_SLOT_EACH_SQL, [
        windowStart,
        slots.map((slot) => slot.bucket),
        slots.map((slot) => slot.limit),
      ]);
      return true;
    } catch (error) {
      if (isRefusedSlot(error)) return false;
      throw error;
    }
  }

  async hitsIn(windowStart: number, buckets: readonly string[]): Promise<BucketHits[]> {
    return this.dataSource.query(HITS_IN_WINDOW_SQL, [windowStart, buckets]);
  }

  /** Deletes one bucket's windows that started more than `olderThanMs` ago. */
  async deleteOldWindowsOf(bucket: string, olderThanMs: number): Promise<void> {
    await this.dataSource.query(DELETE_OLD_WINDOWS_OF_BUCKET_SQL, [bucket, olderThanMs / 1000]);
  }

  /** Deletes the windows of every bucket under a prefix that started more than `olderThanMs` ago. */
  async deleteOldWindowsUnder(bucketPrefix: string, olderThanMs: number): Promise<void> {
    await this.dataSource.query(DELETE_OLD_WINDOWS_UNDER_PREFIX_SQL, [bucketPrefix, olderThanMs / 1000]);
  }
}

function isRefusedSlot(error: unknown): boolean {
  const { code, table, column } = error as { code?: string; table?: string; column?: string };
  return code === NOT_NULL_VIOLATION && table === 'rate_windows' && column === 'hits';
}
