import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Fixed-window counters shared by every server instance: one row per bucket
 * and window, incremented atomically.
 */
@Entity({ name: 'rate_windows' })
export class RateWindow {
  @PrimaryColumn({ type: 'text' })
  bucket: string;

  @PrimaryColumn({ name: 'window_start', type: 'timestamptz' })
  windowStart: Date;

  @Column({ type: 'integer' })
  hits: number;

  /**
   * Slots the latest batch taker got: written by the same statement that
   * adds them to `hits`, so that the statement can return it (PostgreSQL's
   * RETURNING sees only the new row).
   */
  @Column({ name: 'last_grant', type: 'integer', default: 0 })
  lastGrant: number;
}
