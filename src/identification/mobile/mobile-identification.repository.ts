import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { bindIdempotencyKey } from '../../common/idempotency/idempotency.service';
import { recordCreation, TransitionOutcome } from '../../common/state-machine/apply-transition';
import { FlowRecordRepository, UnsettledCount } from '../../database/flow-record-repository';
import { postgresPool } from '../../database/postgres-pool';
import type { MobileIdentificationSummary } from './dto/mobile-identification.view';
import { MobileIdentification } from './mobile-identification.entity';
import { mobileIdentificationMachine, MobileIdentificationStatus, moveMobileIdentification } from './mobile-identification.state';

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

// ── The API and the poller ───────────────────────────────────────────────

/*
 * "Not being polled by an instance right now": poll_claimed_until IS NULL OR poll_claimed_until < now().
 * The statements that claim open identifications repeat OPEN_MOBILE_IDENTIFICATION word for word
 * (see Metrics above).
 */

/** B-Trust accepted the request: its callbackId, the deadline, and the first poll. */
const RECORD_ACCEPTANCE = `UPDATE mobile_identifications SET provider_callback_id = $2, expires_at = $3, next_poll_at = $4, updated_at = now()
       WHERE id = $1`;

/** What the API shows of one identification ($1) of its owner ($2), without the encrypted personal fields. */
const SELECT_OWNED_SUMMARY = `SELECT id, status, doc_type AS "docType", identifier_masked AS "identifierMasked", expires_at AS "expiresAt",
              created_at AS "createdAt", completed_at AS "completedAt", identificator,
              identification_before AS "identificationBefore", json_build_object('code', failure_code, 'message', failure_message) AS failure
       FROM mobile_identifications WHERE id = $1 AND owner = $2`;

/** Up to $1 open identifications no instance is polling, whose poll is due, most overdue first, claimed for $2 seconds. */
export const CLAIM_DUE_POLLS = `UPDATE mobile_identifications SET poll_claimed_until = now() + make_interval(secs => $2)
        WHERE id IN (
          SELECT id FROM mobile_identifications
           WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS') AND (poll_claimed_until IS NULL OR poll_claimed_until < now()) AND next_poll_at <= now()
           ORDER BY next_poll_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING id, next_poll_at`;

/**
 * Claims identification $1 for $2 seconds for an operator's refresh: an open one, or an
 * OUTCOME_UNKNOWN one whose last ask failed, that no instance is polling.
 */
const CLAIM_FOR_REFRESH = `UPDATE mobile_identifications SET poll_claimed_until = now() + make_interval(secs => $2)
        WHERE id = $1 AND (status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS') OR (status = 'OUTCOME_UNKNOWN' AND provider_callback_id IS NOT NULL)) AND (poll_claimed_until IS NULL OR poll_claimed_until < now())
        RETURNING id`;

const RELEASE_POLL_CLAIMS = `UPDATE mobile_identifications SET poll_claimed_until = NULL WHERE id = ANY($1::uuid[])`;

export const COUNT_OPEN = `SELECT count(*)::int AS open FROM mobile_identifications WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`;

/** The columns a poll needs of identification $1. */
const SELECT_POLLING_STATE = `SELECT status, provider_callback_id, expires_at, created_at, language, poll_count, eid_certificate_misses
         FROM mobile_identifications WHERE id = $1`;

const LOCK_FOR_RESOLUTION = 'SELECT status, provider_callback_id FROM mobile_identifications WHERE id = $1 FOR UPDATE';

/** Whether an identification other than $2 holds B-Trust's callbackId $1. */
const CALLBACK_ID_HELD_BY_ANOTHER = 'SELECT 1 FROM mobile_identifications WHERE provider_callback_id = $1 AND id <> $2';

/** What a poll reads of an identification: never its encrypted personal fields. */
export type PollingState = Pick<
  MobileIdentification,
  'id' | 'status' | 'providerCallbackId' | 'expiresAt' | 'createdAt' | 'language' | 'pollCount' | 'eidCertificateMisses'
>;

/** Everything a move or a recorded poll can write besides the status itself. */
export type MobileChanges = Partial<Omit<MobileIdentification, 'id' | 'status' | 'owner'>>;

/**
 * An identification's row locked (FOR UPDATE) in a transaction of its own, for a change
 * that reads before it writes (an operator's resolution).
 */
export class LockedMobileIdentification {
  constructor(
    private readonly manager: EntityManager,
    readonly id: string,
    readonly status: MobileIdentificationStatus,
    readonly providerCallbackId: string | null,
  ) {}

  async callbackIdHeldByAnother(callbackId: string): Promise<boolean> {
    const [other]: unknown[] = await this.manager.query(CALLBACK_ID_HELD_BY_ANOTHER, [callbackId, this.id]);
    return other !== undefined;
  }

  move(to: MobileIdentificationStatus, cause: string, changes: MobileChanges, detail?: Record<string, unknown>): Promise<TransitionOutcome<MobileIdentification>> {
    return moveMobileIdentification.within(this.manager, this.id, to, cause, changes, detail);
  }
}

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

  // ── The API and the poller ──

  /**
   * Inserts a new identification (personal fields encrypted by the entity) with the first
   * row of its audit trail, and ties the request's idempotency key to it, in one transaction.
   * Fills in what the database generates (createdAt, updatedAt, pollCount) from the INSERT's RETURNING.
   */
  async insertNew(identification: MobileIdentification): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(MobileIdentification, identification);
      await recordCreation(manager, mobileIdentificationMachine, identification.id, identification.status, 'api');
      await bindIdempotencyKey(manager, identification.id);
    });
  }

  async recordAcceptance(id: string, callbackId: string, expiresAt: Date, firstPollAt: Date): Promise<void> {
    await postgresPool(this.dataSource).query(RECORD_ACCEPTANCE, [id, callbackId, expiresAt, firstPollAt]);
  }

  /**
   * What the API shows of one identification, for the busiest route: no query building or
   * entity hydration, and the encrypted personal fields are neither read nor decrypted.
   */
  async findOwnedSummary(owner: string, id: string): Promise<MobileIdentificationSummary | undefined> {
    const { rows } = await postgresPool(this.dataSource).query<MobileIdentificationSummary>(SELECT_OWNED_SUMMARY, [id, owner]);
    return rows[0];
  }

  /** The owner's identification with its eID certificate (decrypted), or null. */
  findOwnedWithCertificate(owner: string, id: string): Promise<MobileIdentification | null> {
    return this.records
      .createQueryBuilder('identification')
      .addSelect('identification.certificatePdf')
      .where('identification.id = :id AND identification.owner = :owner', { id, owner })
      .getOne();
  }

  /** Moves the identification in a transaction of its own (see moveMobileIdentification). */
  move(id: string, to: MobileIdentificationStatus, cause: string, changes?: MobileChanges): Promise<TransitionOutcome<MobileIdentification>> {
    return moveMobileIdentification.alone(this.dataSource, id, to, cause, changes);
  }

  /**
   * Runs `work` on the identification's row locked in one transaction (undefined if there is
   * none); what it throws rolls back everything it wrote.
   */
  withLocked<T>(id: string, work: (locked: LockedMobileIdentification | undefined) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const [row]: Array<{ status: MobileIdentificationStatus; provider_callback_id: string | null }> = await manager.query(LOCK_FOR_RESOLUTION, [id]);
      return work(row ? new LockedMobileIdentification(manager, id, row.status, row.provider_callback_id) : undefined);
    });
  }

  /**
   * Claims up to `limit` identifications whose poll is due, most overdue first, for this
   * instance alone for `leaseMs`; returns their ids in that order.
   */
  async claimDuePolls(limit: number, leaseMs: number): Promise<string[]> {
    const { rows } = await postgresPool(this.dataSource).query<{ id: string; next_poll_at: Date }>(CLAIM_DUE_POLLS, [limit, leaseMs / 1000]);
    // RETURNING comes in the order rows were updated, not the subquery's.
    return rows.sort((a, b) => a.next_poll_at.getTime() - b.next_poll_at.getTime()).map((row) => row.id);
  }

  /** Claims one identification for an operator's refresh; false if it is not refreshable or an instance is polling it. */
  async claimForRefresh(id: string, leaseMs: number): Promise<boolean> {
    const [claimed]: [unknown[], number] = await this.dataSource.query(CLAIM_FOR_REFRESH, [id, leaseMs / 1000]);
    return claimed.length > 0;
  }

  /** Hands back claims that were not polled. */
  async releasePollClaims(ids: string[]): Promise<void> {
    await this.dataSource.query(RELEASE_POLL_CLAIMS, [ids]);
  }

  async countOpen(): Promise<number> {
    const [{ open }]: Array<{ open: number }> = await this.dataSource.query(COUNT_OPEN);
    return open;
  }

  /**
   * The columns a poll needs, in one query: the most frequent query of a busy server, so it
   * neither hydrates the entity nor decrypts its personal fields.
   */
  async pollingState(id: string): Promise<PollingState | undefined> {
    const {
      rows: [row],
    } = await postgresPool(this.dataSource).query<{
      status: MobileIdentificationStatus;
      provider_callback_id: string | null;
      expires_at: Date | null;
      created_at: Date;
      language: string;
      poll_count: number;
      eid_certificate_misses: number;
    }>(SELECT_POLLING_STATE, [id]);
    if (!row) return undefined;
    return {
      id,
      status: row.status,
      providerCallbackId: row.provider_callback_id,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      language: row.language,
      pollCount: row.poll_count,
      eidCertificateMisses: row.eid_certificate_misses,
    };
  }

  /** Writes a poll's answer that leaves the status as it is, and releases the claim; a failure's columns left out stay. */
  async recordPoll(id: string, changes: Omit<MobileChanges, 'failure'> & { failure?: Partial<MobileIdentification['failure']> }): Promise<void> {
    await this.records.update(id, { ...changes, pollClaimedUntil: null });
  }
}
