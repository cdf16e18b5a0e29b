import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FlowRecordRepository, UnsettledCount } from '../database/flow-record-repository';
import { Signing } from './signing.entity';
import { signingMachine } from './signing.state';

/*
 * The signings (scenario 3) with their documents (signing_documents) and the
 * signed documents that matched none of them (signing_unmatched_documents).
 */

// ── Metrics ──────────────────────────────────────────────────────────────

/** Every state that is not settled. */
export const COUNT_UNSETTLED_SIGNINGS = `
  SELECT status AS state, count(*)::int AS count, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
    FROM signings
   WHERE status IN ('PENDING', 'OUTCOME_UNKNOWN')
   GROUP BY status`;

// ── Retention ────────────────────────────────────────────────────────────

/** The personal fields retention erases, as the audit row names them: all in the signing's documents. */
const ERASED_FIELDS = ['documents.original', 'documents.signed', 'documents.signerName'];

/**
 * One batch of erasure (parameters: see FlowRecordRepository.eraseBatch): the documents'
 * contents and signer's name go, their hashes stay. The unmatched documents are kept (they
 * may be signed contracts). A signing and its documents are erased and audited together
 * or not at all; SKIP LOCKED keeps off rows a webhook or reconciliation is changing right now.
 */
export const ERASE_FINISHED_SIGNINGS = `
  WITH due AS (
    SELECT t.id FROM signings t
     WHERE t.status = ANY($1) AND t.purged_at IS NULL AND t.updated_at < $3
     ORDER BY t.updated_at
     LIMIT $6
     FOR UPDATE SKIP LOCKED
  ), purged AS (
    UPDATE signings t
       SET purged_at = $2
      FROM due WHERE t.id = due.id
    RETURNING t.id, t.status
  ), documents AS (
    UPDATE signing_documents c
       SET original_encrypted = NULL, signed_encrypted = NULL, signer_name_encrypted = NULL
      FROM purged WHERE c.signing_id = purged.id
  )
  INSERT INTO state_transitions (entity_type, entity_id, from_state, to_state, cause, detail)
  SELECT $4, purged.id, purged.status, purged.status, 'retention', $5::jsonb FROM purged
  RETURNING entity_id`;

@Injectable()
export class SigningRepository extends FlowRecordRepository<Signing> {
  constructor(@InjectDataSource() dataSource: DataSource) {
    super(dataSource, Signing, signingMachine);
  }

  // ── Metrics ──

  /** Only the unsettled states that hold records have a row. */
  unsettledCounts(): Promise<UnsettledCount[]> {
    return this.dataSource.query(COUNT_UNSETTLED_SIGNINGS);
  }

  // ── Retention ──

  /**
   * Erases the documents of up to `limit` settled signings unchanged since before `cutoff`,
   * sets `purged_at` and audits each; returns how many signings.
   */
  eraseFinishedBefore(cutoff: Date, now: Date, limit: number): Promise<number> {
    return this.eraseBatch(ERASE_FINISHED_SIGNINGS, ERASED_FIELDS, cutoff, now, limit);
  }
}
