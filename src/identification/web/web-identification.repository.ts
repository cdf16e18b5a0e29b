import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { SessionIdMatch } from '../../callbacks/callback-inbox.entity';
import { FlowRecordRepository, UnsettledCount } from '../../database/flow-record-repository';
import { postgresPool } from '../../database/postgres-pool';
import { WebIdentification } from './web-identification.entity';
import { sessionIdMatchOf } from './web-identification-session-ids';
import { webIdentificationMachine } from './web-identification.state';

// ── Metrics ──────────────────────────────────────────────────────────────

/**
 * Every state that is not settled (IDENTIFIED rests). Its condition repeats that of the index
 * web_identifications_open (OPEN_WEB_IDENTIFICATION) word for word, so that the index serves
 * it; a unit test compares the two.
 */
export const COUNT_UNSETTLED_WEB_IDENTIFICATIONS = `
  SELECT status AS state, count(*)::int AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
    FROM web_identifications
   WHERE status IN ('STARTED', 'UNDER_REVIEW')
   GROUP BY status`;

// ── Retention ────────────────────────────────────────────────────────────

/** The personal fields retention erases, as the audit row names them. */
const ERASED_FIELDS = ['eidCertificatePdf'];

/**
 * One batch of erasure (parameters: see FlowRecordRepository.eraseBatch). IDENTIFIED is
 * settled (resting), but its sign session may still sign documents until it expires, so
 * such a record waits for that and for its pending signing. A record is erased and audited together or not at all;
 * SKIP LOCKED keeps off rows a webhook or reconciliation is changing right now.
 */
export const ERASE_FINISHED_WEB_IDENTIFICATIONS = `
  WITH due AS (
    SELECT t.id FROM web_identifications t
     WHERE t.status = ANY($1) AND t.purged_at IS NULL AND t.updated_at < $3
       AND (t.sign_session_expires_at IS NULL OR t.sign_session_expires_at < $2)
       AND NOT EXISTS (SELECT 1 FROM signings s WHERE s.web_identification_id = t.id AND s.status = 'PENDING')
     ORDER BY t.updated_at
     LIMIT $6
     FOR UPDATE SKIP LOCKED
  ), purged AS (
    UPDATE web_identifications t
       SET eid_certificate_pdf_encrypted = NULL, purged_at = $2
      FROM due WHERE t.id = due.id
    RETURNING t.id, t.status
  )
  INSERT INTO state_transitions (entity_type, entity_id, from_state, to_state, cause, detail)
  SELECT $4, purged.id, purged.status, purged.status, 'retention', $5::jsonb FROM purged
  RETURNING entity_id`;

/** The web identifications (scenarios 2, 4, 5) and their audit trail. */
@Injectable()
export class WebIdentificationRepository extends FlowRecordRepository<WebIdentification> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, WebIdentification, webIdentificationMachine);
  }

  // ── Metrics ──

  /** Only the unsettled states that hold records have a row. */
  unsettledCounts(): Promise<UnsettledCount[]> {
    return this.dataSource.query(COUNT_UNSETTLED_WEB_IDENTIFICATIONS);
  }

  // ── Retention ──

  /**
   * Erases the eID certificate of up to `limit` settled identifications unchanged since
   * before `cutoff` and no longer able to sign, sets `purged_at` and audits each; returns how many.
   */
  eraseFinishedBefore(cutoff: Date, now: Date, limit: number): Promise<number> {
    return this.eraseBatch(ERASE_FINISHED_WEB_IDENTIFICATIONS, ERASED_FIELDS, cutoff, now, limit);
  }

  // ── Webhooks ──

  /** Which of the flow's ids a webhook's sessionId is, once B-Trust has been asked (see web-identification-session-ids.ts). */
  sessionIdMatchOf(identificationId: string, sessionId: string | null): Promise<SessionIdMatch> {
    return sessionIdMatchOf(postgresPool(this.dataSource), identificationId, sessionId);
  }
}
