import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const METRICS_PREFIX = 'btrust_cas_';

/** Why a webhook was not taken into processing, or why processing did not apply it. */
export type CallbackRejection =
  | 'CALLBACK_NOT_FOUND'
  | 'INVALID_CALLBACK'
  | 'MISMATCH'
  | 'UNHANDLED'
  | 'FAILED';

/**
 * Every metric the server exposes, in a registry of its own: each server
 * (and each of several instances, even two in one test process) counts only
 * what it did itself, and Prometheus sums the instances.
 *
 * prom-client's default process metrics (CPU, memory, event loop, GC) keep
 * their standard names without the prefix, so stock Node.js dashboards work.
 */
@Injectable()
export class CasMetrics {
  readonly registry = new Registry();

  readonly btrustCalls = new Counter({
    name: `${METRICS_PREFIX}btrust_calls_total`,
    help: 'B-Trust calls by operation and outcome: ok, or the BtrustError code (retries of a GET count as one call).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly btrustCallDuration = new Histogram({
    name: `${METRICS_PREFIX}btrust_call_duration_seconds`,
    help: 'Duration of B-Trust calls, including retries of a GET, by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [this.registry],
  });

  readonly btrustConfigurationFaults = new Counter({
    name: `${METRICS_PREFIX}btrust_configuration_faults_total`,
    help: 'B-Trust calls refused with 401/403 (our client certificate or our grant for the operation), by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly openRecords = new Gauge({
    name: `${METRICS_PREFIX}open_records`,
    help: 'Records in a state that is not final, by entity and state (all instances; computed at scrape).',
    labelNames: ['entity', 'state'] as const,
    registers: [this.registry],
  });

  readonly openRecordOldestAge = new Gauge({
    name: `${METRICS_PREFIX}open_record_oldest_age_seconds`,
    help: 'Age since creation of the oldest record in each state that is not final, 0 when none (computed at scrape).',
    labelNames: ['entity', 'state'] as const,
    registers: [this.registry],
  });

  readonly stateTransitions = new Counter({
    name: `${METRICS_PREFIX}state_transitions_total`,
    help: 'Committed state changes by entity and the state reached (creations count as reaching the first state).',
    labelNames: ['entity', 'state'] as const,
    registers: [this.registry],
  });

  readonly callbacksReceived = new Counter({
    name: `${METRICS_PREFIX}callbacks_received_total`,
    help: 'Webhook deliveries (with a JSON body) that reached the callback endpoint, whatever became of them.',
    registers: [this.registry],
  });

  readonly callbacksDeduplicated = new Counter({
    name: `${METRICS_PREFIX}callbacks_deduplicated_total`,
    help: 'Webhook deliveries answered but not processed again because the same one was already in the inbox.',
    registers: [this.registry],
  });

  readonly callbacksRejected = new Counter({
    name: `${METRICS_PREFIX}callbacks_rejected_total`,
    help: 'Webhooks refused or not applied, by reason (CALLBACK_NOT_FOUND, INVALID_CALLBACK, MISMATCH, UNHANDLED, FAILED).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly callbacksUnexpectedIds = new Counter({
    name: `${METRICS_PREFIX}callbacks_unexpected_ids_total`,
    help:
      'Webhooks processed although an id was not the one expected, by field: relyingPartyId (not our header\'s) or ' +
      'sessionId (none of its flow\'s ids). Not refusals: the webhook is a hint and the fetch over mutual TLS the evidence.',
    labelNames: ['field'] as const,
    registers: [this.registry],
  });

  readonly inboxPending = new Gauge({
    name: `${METRICS_PREFIX}callback_inbox_pending`,
    help: 'Webhooks stored in the inbox and not yet processed (all instances; computed at scrape).',
    registers: [this.registry],
  });

  readonly inboxOldestPendingAge = new Gauge({
    name: `${METRICS_PREFIX}callback_inbox_oldest_pending_age_seconds`,
    help: 'Age of the oldest unprocessed webhook in the inbox, 0 when none (computed at scrape).',
    registers: [this.registry],
  });

  readonly mobilePollsDue = new Gauge({
    name: `${METRICS_PREFIX}mobile_polls_due`,
    help: 'Open mobile identifications whose poll is due and not yet answered, including polls under way (all instances; computed at scrape).',
    registers: [this.registry],
  });

  readonly mobilePollOldestDueAge = new Gauge({
    name: `${METRICS_PREFIX}mobile_poll_oldest_due_age_seconds`,
    help: 'How long the most overdue unanswered poll has been due, 0 when none (computed at scrape).',
    registers: [this.registry],
  });

  readonly jobQueueDepth = new Gauge({
    name: `${METRICS_PREFIX}job_queue_depth`,
    help: 'Jobs due and waiting for a worker, per pg-boss queue (all instances; computed at scrape).',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly jobQueueOldestAge = new Gauge({
    name: `${METRICS_PREFIX}job_queue_oldest_age_seconds`,
    help: 'How long the longest-waiting due job of each pg-boss queue has been due, 0 when none (computed at scrape).',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly reconciliationRecoveries = new Counter({
    name: `${METRICS_PREFIX}reconciliation_recoveries_total`,
    help: 'Records moved on by reconciliation (a webhook that never arrived), by entity.',
    labelNames: ['entity'] as const,
    registers: [this.registry],
  });

  readonly signedPdfVerifications = new Counter({
    name: `${METRICS_PREFIX}signed_pdf_verifications_total`,
    help: 'Verifications of signed PDFs returned by B-Trust, by result (valid, invalid).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly clientCertificateDaysLeft = new Gauge({
    name: `${METRICS_PREFIX}btrust_client_certificate_expiry_days`,
    help: 'Days until the B-Trust mutual-TLS client certificate expires (negative once expired; absent without one).',
    labelNames: ['subject'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: `${METRICS_PREFIX}rate_limited_total`,
    help: 'Paid creations refused with 429, by the limit that was exceeded (user, ip).',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly liveStreams = new Gauge({
    name: `${METRICS_PREFIX}live_status_streams`,
    help: 'Live-status (Server-Sent Events) streams this instance holds open.',
    registers: [this.registry],
  });

  readonly liveStreamsRefused = new Counter({
    name: `${METRICS_PREFIX}live_status_streams_refused_total`,
    help: 'Live-status streams refused with 429, by the cap that was reached (user, instance).',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The reason label has a closed set of values: typed, so a typo cannot invent a series. */
  countCallbackRejected(reason: CallbackRejection): void {
    this.callbacksRejected.inc({ reason });
  }
}
