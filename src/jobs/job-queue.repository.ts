import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How many jobs of one queue wait, and the age in seconds of the oldest wait. */
export interface QueueBacklog {
  queue: string;
  depth: number;
  oldest: number;
}

// ── Metrics ──────────────────────────────────────────────────────────────

/**
 * pg-boss's own tables, read: a job waits when it is created or up for retry and due
 * (`start_after` passed); one scheduled for later is not late, so it counts neither in depth
 * nor in age. Every queue but pg-boss's internal ones gets a row, 0 when empty.
 */
const COUNT_WAITING_JOBS = `
  SELECT q.name AS queue,
         count(j.id)::int AS depth,
         COALESCE(EXTRACT(EPOCH FROM now() - min(j.start_after)), 0)::float8 AS oldest
    FROM pgboss.queue q
    LEFT JOIN pgboss.job j ON j.name = q.name AND j.state < 'active' AND j.start_after <= now()
   WHERE NOT starts_with(q.name, '__pgboss__')
   GROUP BY q.name`;

/** The durable job queues' state as stored by pg-boss (JobQueue drives pg-boss itself). */
@Injectable()
export class JobQueueRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  waitingJobs(): Promise<QueueBacklog[]> {
    return this.dataSource.query(COUNT_WAITING_JOBS);
  }
}
