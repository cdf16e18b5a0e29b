import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';

export type JobHandler<T extends object> = (data: T, job: { id: string; name: string }) => Promise<void>;

export interface WorkOptions {
  pollingIntervalSeconds?: number;
  /** Workers of this queue in this instance. */
  concurrency?: number;
  /** Jobs a worker fetches at once and handles side by side; at most concurrency × batchSize at a time. */
  batchSize?: number;
}

export type QueueOptions = Omit<PgBoss.Queue, 'name'>;

/** The schema pg-boss keeps its tables in; the webhook path inserts its jobs there itself (CallbackInboxRepository). */
const JOB_SCHEMA = 'pgboss';

/** PostgreSQL's deadlock_detected. */
const DEADLOCK_DETECTED = '40P01';
const QUEUE_CREATION_ATTEMPTS = 5;

/**
 * Durable jobs on the application's own PostgreSQL (pg-boss). Several server
 * instances share the queues; pg-boss hands each job to one of them.
 */
@Injectable()
export class JobQueue implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobQueue.name);
  private readonly boss: PgBoss;
  private readonly queues = new Set<string>();

  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedAppConfig) {
    this.boss = new PgBoss({
      connectionString: config.database.url,
      schema: JOB_SCHEMA,
      application_name: 'btrust-cas-jobs',
      max: 5,
      // Completed and failed jobs are evidence for operators for a week, then pruned.
      deleteAfterDays: 7,
      // Maintenance hands out again the jobs of an instance that died holding them (after their
      // expireInSeconds); pg-boss's default of two minutes would leave them idle that much longer.
      maintenanceIntervalSeconds: 30,
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'Job queue error'));
  }

  async onModuleInit(): Promise<void> {
    await this.boss.start();
  }

  /** Workers finish the jobs they hold before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: this.config.shutdownTimeoutMs });
  }

  /**
   * pg-boss creates a queue's partition and attaches it to its job table:
   * two instances creating different queues at once on a new database can
   * deadlock on that table, and PostgreSQL then rolls one of them back.
   * Creating a queue is idempotent, so the one rolled back tries again.
   */
  async createQueue(name: string, options: QueueOptions = {}): Promise<void> {
    if (this.queues.has(name)) return;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.boss.createQueue(name, { name, ...options });
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= QUEUE_CREATION_ATTEMPTS) throw error;
        this.logger.log({ queue: name, attempt }, 'Queue creation met another instance creating queues: trying again');
      }
    }
    this.queues.add(name);
  }

  /** Returns the job id, or null when a singleton key already holds a queued job. */
  async send<T extends object>(
    name: string,
    data: T,
    options: PgBoss.SendOptions = {},
  ): Promise<string | null> {
    return this.boss.send(name, data, options);
  }

  async work<T extends object>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): Promise<void> {
    // pg-boss 10 runs one batch at a time per worker; concurrency means several workers.
    for (let worker = 0; worker < (options.concurrency ?? 1); worker++) {
      let workerId: string | undefined;
      workerId = await this.boss.work<T>(
        name,
        { batchSize: options.batchSize ?? 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
        async (jobs) => {
          try {
            const settled = await Promise.allSettled(jobs.map((job) => handler(job.data, { id: job.id, name: job.name })));
            // pg-boss 10 fails a whole batch when its handler throws. A job that failed is failed here on
            // its own, so that only it is retried; completing the batch then passes over it.
            await Promise.all(
              settled.map((outcome, index) => (outcome.status === 'rejected' ? this.boss.fail(name, jobs[index].id, outcome.reason) : undefined)),
            );
          } finally {
            // pg-boss 10 sleeps the polling interval after every fetch, even one that found a job,
            // which caps a worker at one batch per interval. A worker that just did one looks again at once.
            if (workerId) this.boss.notifyWorker(workerId);
          }
        },
      );
    }
  }

  async getJobState(name: string, id: string): Promise<string | undefined> {
    const job = await this.boss.getJobById(name, id);
    return job?.state;
  }
}
