import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FlowRecordRepository, UnsettledCount } from '../../database/flow-record-repository';
import { MobileIdentification } from './mobile-identification.entity';
import { mobileIdentificationMachine } from './mobile-identification.state';

// ── Metrics ──────────────────────────────────────────────────────────────

/*
 * A statement meant for a partial index repeats the index's condition word for word
 * (OPEN_MOBILE_IDENTIFICATION, UNFINISHED_MOBILE_IDENTIFICATION in the entity), so that
 * the planner sees it applies; a unit test compares the two.
 */

/** The pollers' backlog: polls fallen due and not answered yet (those under way included); served by the poll-due index. */
export const COUNT_POLLS_DUE = `
  SELECT count(*)::int AS due,
         COALESCE(EXTRACT(EPOCH FROM now() - min(next_poll_at)), 0)::float8 AS oldest
    FROM mobile_identifications
   WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS') AND next_poll_at <= now()`;

/** Every state that is not settled, served by the index mobile_identifications_unfinished. */
export const COUNT_UNSETTLED_MOBILE_IDENTIFICATIONS = `
  SELECT status AS state, count(*)::int AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
    FROM mobile_identifications
   WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS', 'OUTCOME_UNKNOWN')
   GROUP BY status`;

// ── Retention ────────────────────────────────────────────────────────────

/** The personal fields retention erases, as the audit row names them. */
const ERASED_FIELDS = ['identifier', 'dateOfBirth', 'phoneNumber', 'email', 'certificatePdf'];

/**
 * One batch of erasure (parameters: see FlowRecordRepository.eraseBatch). A record is
 * erased and audited together or not at all; SKIP LOCKED keeps off rows a poll is
 * changing right now.
 */
export const ERASE_FINISHED_MOBILE_IDENTIFICATIONS = `
  WITH due AS (
    SELECT t.id FROM mobile_identifications t
     WHERE t.status = ANY($1) AND t.purged_at IS NULL AND t.updated_at < $3
     ORDER BY t.updated_at
     LIMIT $6
     FOR UPDATE SKIP LOCKED
  ), purged AS (
    UPDATE mobile_identifications t
       SET identifier_encrypted = NULL, date_of_birth_encrypted = NULL, phone_number_encrypted = NULL,
           email_encrypted = NULL, certificate_pdf_encrypted = NULL, purged_at = $2
      FROM due WHERE t.id = due.id
    RETURNING t.id, t.status
  )
  INSERT INTO state_transitions (entity_type, entity_id, from_state, to_state, cause, detail)
  SELECT $4, purged.id, purged.status, purged.status, 'retention', $5::jsonb FROM purged
  RETURNING entity_id`;

/** The mobile identifications (scenario 1) and their audit trail. */
@Injectable()
export class MobileIdentificationRepository extends FlowRecordRepository<MobileIdentification> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, MobileIdentification, mobileIdentificationMachine);
  }

  // ── Metrics ──

  async pollsDue(): Promise<{ due: number; oldest: number }> {
    const [row]: Array<{ due: number; oldest: number }> = await this.dataSource.query(COUNT_POLLS_DUE);
    return row;
  }

  /** Only the unsettled states that hold records have a row. */
  unsettledCounts(): Promise<UnsettledCount[]> {
    return this.dataSource.query(COUNT_UNSETTLED_MOBILE_IDENTIFICATIONS);
  }

  // ── Retention ──

  /**
   * Erases the personal fields and the certificate of up to `limit` settled identifications
   * unchanged since before `cutoff`, sets `purged_at` and audits each; returns how many.
   */
  eraseFinishedBefore(cutoff: Date, now: Date, limit: number): Promise<number> {
    return this.eraseBatch(ERASE_FINISHED_MOBILE_IDENTIFICATIONS, ERASED_FIELDS, cutoff, now, limit);
  }
}
