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
