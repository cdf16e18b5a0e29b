/** The schema pg-boss keeps its tables in; JobQueue configures pg-boss with it. */
export const JOB_SCHEMA = 'pgboss';

export interface JobInsertFrom {
  /** A parameter placeholder (e.g. `$9`) holding the queue's name. */
  queueParameter: string;
  /** The FROM item whose rows each become one job, e.g. a CTE's name. */
  rows: string;
  /** Which of those rows become jobs. */
  where: string;
  /** The job's data, a jsonb expression evaluated per row. */
  data: string;
}

/**
 * The INSERT pg-boss's `send()` runs for a job without options of its own
 * (every setting comes from its queue), written to be a data-modifying CTE
 * of the caller's statement. A row stored and its job enqueued in one
 * statement are atomic without a transaction and cost one round trip. It
 * mirrors pg-boss 10's `insertJob` plan; a test compares the two rows.
 */
export function jobInsertSql(from: JobInsertFrom): string {
  return `INSERT INTO ${JOB_SCHEMA}.job
      (id, name, data, priority, start_after, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT gen_random_uuid(), queue.name, ${from.data}, 0, now(), queue.dead_letter,
           COALESCE(queue.expire_seconds * interval '1s', interval '15 minutes'),
           now() + CAST(COALESCE((queue.retention_minutes * 60)::text, '14 days') AS interval),
           COALESCE(queue.retry_limit, 2),
           CASE WHEN COALESCE(queue.retry_backoff, false) THEN GREATEST(queue.retry_delay, 1) ELSE COALESCE(queue.retry_delay, 0) END,
           COALESCE(queue.retry_backoff, false),
           queue.policy
      FROM ${from.rows} JOIN ${JOB_SCHEMA}.queue queue ON queue.name = ${from.queueParameter}
     WHERE ${from.where}`;
}
