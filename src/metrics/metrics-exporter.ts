import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { BtrustClient } from '../btrust/btrust.client';
import type { StateMachine } from '../common/state-machine/state-machine';
import { OPEN_MOBILE_IDENTIFICATION } from '../identification/mobile/mobile-identification.entity';
import { mobileIdentificationMachine } from '../identification/mobile/mobile-identification.state';
import { webIdentificationMachine } from '../identification/web/web-identification.state';
import { signingMachine } from '../signing/signing.state';
import { CasMetrics } from './cas-metrics';

/** Every state machine and the table of its records: the open-record gauges cover each machine's states that are not settled (final or resting). */
const RECORD_TABLES: Array<{ machine: StateMachine<string>; table: string }> = [
  { machine: mobileIdentificationMachine, table: 'mobile_identifications' },
  { machine: webIdentificationMachine, table: 'web_identifications' },
  { machine: signingMachine, table: 'signings' },
];

const DAY_SECONDS = 24 * 60 * 60;

/**
 * Renders the registry in the Prometheus text format, after refreshing the
 * gauges that describe shared state (inbox, poll schedule, job queues) from the database and
 * the certificate gauge from the client. When the database cannot answer,
 * those gauges read NaN ("unknown") instead of failing the whole scrape: the
 * process metrics and counters are most needed exactly then.
 */
@Injectable()
export class MetricsExporter {
  private readonly logger = new Logger(MetricsExporter.name);

  constructor(
    private readonly metrics: CasMetrics,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly btrust: BtrustClient,
  ) {}

  get contentType(): string {
    return this.metrics.registry.contentType;
  }

  async render(): Promise<string> {
    this.refreshCertificateExpiry();
    await Promise.all([this.refreshInbox(), this.refreshMobilePolls(), this.refreshJobQueues(), this.refreshOpenRecords()]);
    return this.metrics.registry.metrics();
  }

  private refreshCertificateExpiry(): void {
    const certificate = this.btrust.clientCertificateInfo();
    this.metrics.clientCertificateDaysLeft.reset();
    if (certificate) {
      const daysLeft = (certificate.notAfter.getTime() - Date.now()) / 1000 / DAY_SECONDS;
      this.metrics.clientCertificateDaysLeft.set({ subject: certificate.subject }, Math.round(daysLeft * 100) / 100);
    }
  }

  private async refreshInbox(): Promise<void> {
    const { inboxPending, inboxOldestPendingAge } = this.metrics;
    try {
      const [row]: Array<{ pending: number; oldest: number }> = await this.dataSource.query(
        `SELECT count(*)::int AS pending,
                COALESCE(EXTRACT(EPOCH FROM now() - min(received_at)), 0)::float8 AS oldest
           FROM callback_inbox WHERE outcome = 'PENDING'`,
      );
      inboxPending.set(row.pending);
      inboxOldestPendingAge.set(row.oldest);
    } catch (error) {
      await markUnknown(inboxPending, inboxOldestPendingAge);
      this.logger.warn({ err: error }, 'Metrics: could not read the callback inbox');
    }
  }

  /** The pollers' backlog: polls that have fallen due and not been answered yet (including those under way). */
  private async refreshMobilePolls(): Promise<void> {
    const { mobilePollsDue, mobilePollOldestDueAge } = this.metrics;
    try {
      const [row]: Array<{ due: number; oldest: number }> = await this.dataSource.query(
        `SELECT count(*)::int AS due,
                COALESCE(EXTRACT(EPOCH FROM now() - min(next_poll_at)), 0)::float8 AS oldest
           FROM mobile_identifications
          WHERE ${OPEN_MOBILE_IDENTIFICATION} AND next_poll_at <= now()`,
      );
      mobilePollsDue.set(row.due);
      mobilePollOldestDueAge.set(row.oldest);
    } catch (error) {
      await markUnknown(mobilePollsDue, mobilePollOldestDueAge);
      this.logger.warn({ err: error }, 'Metrics: could not read the mobile poll schedule');
    }
  }

  /**
   * Records in each state that is not settled (final or resting), and how old the oldest is (since its creation):
   * every open record has a bound, so a growing age means one is stuck. Each state gets a
   * sample, 0 when empty, so that an alert on it sees the series. The state list is written
   * into the SQL from the machines (constants, never input), so that a partial index over the
   * same list can serve it.
   */
  private async refreshOpenRecords(): Promise<void> {
    const { openRecords, openRecordOldestAge } = this.metrics;
    try {
      const counted = await Promise.all(
        RECORD_TABLES.map(async ({ machine, table }) => {
          const open = machine.states.filter((state) => !machine.isSettled(state));
          const rows: Array<{ state: string; count: number; oldest: number }> = await this.dataSource.query(
            `SELECT status AS state, count(*)::int AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
               FROM ${table} WHERE status IN (${open.map((state) => `'${state}'`).join(', ')}) GROUP BY status`,
          );
          return { entity: machine.entity, open, rows };
        }),
      );
      openRecords.reset();
      openRecordOldestAge.reset();
      for (const { entity, open, rows } of counted) {
        for (const state of open) {
          const row = rows.find((candidate) => candidate.state === state);
          openRecords.set({ entity, state }, row?.count ?? 0);
          openRecordOldestAge.set({ entity, state }, row?.oldest ?? 0);
        }
      }
    } catch (error) {
      await markUnknown(openRecords, openRecordOldestAge);
      this.logger.warn({ err: error }, 'Metrics: could not count the open records');
    }
  }

  /**
   * Reads pg-boss's own tables: a job is waiting when it is created or up for
   * retry and due (`start_after` passed); a job scheduled for later is not late, so it counts neither in depth nor in age.
   */
  private async refreshJobQueues(): Promise<void> {
    const { jobQueueDepth, jobQueueOldestAge } = this.metrics;
    try {
      const rows: Array<{ queue: string; depth: number; oldest: number }> = await this.dataSource.query(
        `SELECT q.name AS queue,
                count(j.id)::int AS depth,
                COALESCE(EXTRACT(EPOCH FROM now() - min(j.start_after)), 0)::float8 AS oldest
           FROM pgboss.queue q
           LEFT JOIN pgboss.job j ON j.name = q.name AND j.state < 'active' AND j.start_after <= now()
          WHERE NOT starts_with(q.name, '__pgboss__')
          GROUP BY q.name`,
      );
      jobQueueDepth.reset();
      jobQueueOldestAge.reset();
      for (const { queue, depth, oldest } of rows) {
        jobQueueDepth.set({ queue }, depth);
        jobQueueOldestAge.set({ queue }, oldest);
      }
    } catch (error) {
      await markUnknown(jobQueueDepth, jobQueueOldestAge);
      this.logger.warn({ err: error }, 'Metrics: could not read the job queues');
    }
  }
}

/** Keeps each series but says its value is not known for this scrape. */
async function markUnknown(...gauges: Array<Gauge<string>>): Promise<void> {
  for (const gauge of gauges) {
    for (const { labels } of (await gauge.get()).values) gauge.set(labels, Number.NaN);
  }
}
