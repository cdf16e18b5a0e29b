import { Injectable, Logger } from '@nestjs/common';
import type { Gauge } from 'prom-client';
import { BtrustClient } from '../btrust/btrust.client';
import { CallbackInboxRepository } from '../callbacks/callback-inbox.repository';
import type { StateMachine } from '../common/state-machine/state-machine';
import type { UnsettledCount } from '../database/flow-record-repository';
import { MobileIdentificationRepository } from '../identification/mobile/mobile-identification.repository';
import { mobileIdentificationMachine } from '../identification/mobile/mobile-identification.state';
import { WebIdentificationRepository } from '../identification/web/web-identification.repository';
import { webIdentificationMachine } from '../identification/web/web-identification.state';
import { JobQueueRepository } from '../jobs/job-queue.repository';
import { SigningRepository } from '../signing/signing.repository';
import { signingMachine } from '../signing/signing.state';
import { CasMetrics } from './cas-metrics';

/** A state machine and how to count its records: the open-record gauges cover each machine's states that are not settled (final or resting). */
interface UnsettledRecords {
  machine: StateMachine<string>;
  count: () => Promise<UnsettledCount[]>;
}

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
  private readonly unsettledRecords: UnsettledRecords[];

  constructor(
    private readonly metrics: CasMetrics,
    private readonly btrust: BtrustClient,
    private readonly inbox: CallbackInboxRepository,
    private readonly mobileIdentifications: MobileIdentificationRepository,
    private readonly jobQueues: JobQueueRepository,
    webIdentifications: WebIdentificationRepository,
    signings: SigningRepository,
  ) {
    this.unsettledRecords = [
      { machine: mobileIdentificationMachine, count: () => mobileIdentifications.unsettledCounts() },
      { machine: webIdentificationMachine, count: () => webIdentifications.unsettledCounts() },
      { machine: signingMachine, count: () => signings.unsettledCounts() },
    ];
  }

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
      const row = await this.inbox.pendingBacklog();
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
      const row = await this.mobileIdentifications.pollsDue();
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
   * sample, 0 when empty, so that an alert on it sees the series. One statement per kind of
   * record, side by side, each served by the partial index over the same state list.
   */
  private async refreshOpenRecords(): Promise<void> {
    const { openRecords, openRecordOldestAge } = this.metrics;
    try {
      const counted = await Promise.all(
        this.unsettledRecords.map(async ({ machine, count }) => {
          const open = machine.states.filter((state) => !machine.isSettled(state));
          return { entity: machine.entity, open, rows: await count() };
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

  /** Jobs waiting that are due: one scheduled for later is not late, so it counts neither in depth nor in age. */
  private async refreshJobQueues(): Promise<void> {
    const { jobQueueDepth, jobQueueOldestAge } = this.metrics;
    try {
      const rows = await this.jobQueues.waitingJobs();
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
