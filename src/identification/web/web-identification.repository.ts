import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SessionIdMatch } from '../../callbacks/callback-inbox.entity';
import type { ReconciliationWindow } from '../../common/reconciliation/reconciliation-loop';
import { recordCreation, TransitionOutcome } from '../../common/state-machine/apply-transition';
import { FlowRecordRepository, UnsettledCount } from '../../database/flow-record-repository';
import { postgresPool } from '../../database/postgres-pool';
import { WebIdentification } from './web-identification.entity';
import { moveWebIdentification, OPEN_WEB_IDENTIFICATION_STATUSES, webIdentificationMachine, WebIdentificationStatus } from './web-identification.state';

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
 * such a record waits for that and for a signing still in flight (PENDING, or OUTCOME_UNKNOWN until
 * an operator settles it: the sign session may be signing at B-Trust). A record is erased and audited together or not at all;
 * SKIP LOCKED keeps off rows a webhook or reconciliation is changing right now.
 */
export const ERASE_FINISHED_WEB_IDENTIFICATIONS = `
  WITH due AS (
    SELECT t.id FROM web_identifications t
     WHERE t.status = ANY($1) AND t.purged_at IS NULL AND t.updated_at < $3
       AND (t.sign_session_expires_at IS NULL OR t.sign_session_expires_at < $2)
       AND NOT EXISTS (SELECT 1 FROM signings s WHERE s.web_identification_id = t.id AND s.status IN ('PENDING', 'OUTCOME_UNKNOWN'))
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

// ── Flow ─────────────────────────────────────────────────────────────────

/** Counts one more 2.5 answer without the eID certificate and returns how many there have been. */
const COUNT_CERTIFICATE_MISS_SQL = `
  UPDATE web_identifications SET eid_certificate_misses = eid_certificate_misses + 1, updated_at = now() WHERE id = $1
  RETURNING eid_certificate_misses AS misses`;

/** What the create request gives a new identification; it starts STARTED. */
export type NewWebIdentification = Pick<WebIdentification, 'id' | 'owner' | 'reason' | 'language' | 'successUrl' | 'cancelUrl' | 'externalRef'>;

// ── Webhooks ─────────────────────────────────────────────────────────────

/*
 * Which of a web identification flow's ids a webhook's sessionId ($2) is: the web session (2.1),
 * the registration's session (2.2), a sign session one of its signings used (3.1), or the sign
 * session it was handed last (2.5, 3.3).
 *
 * Reading: the document calls all of these `sessionId` and its examples carry more than one of
 * them in webhooks, so the answer is recorded for operators and never decides whether a webhook
 * is processed; the resultId ties it.
 */

/**
 * A webhook's first read: most webhooks in a burst are repeats for an identification already
 * final, settled by this one statement, so it carries the sessionId's match as well. The match
 * is read with it again once B-Trust has been asked (sessionIdMatchOf).
 */
const WEBHOOK_SUBJECT_SQL = `
  SELECT w.status, w.result_id AS "resultId", CASE
      WHEN w.web_session_id = $2 THEN 'WEB_SESSION'
      WHEN w.registration_session_id = $2 THEN 'REGISTRATION_SESSION'
      WHEN EXISTS (SELECT 1 FROM signings s WHERE s.web_identification_id = w.id AND s.sign_session_id = $2) THEN 'SIGN_SESSION_USED'
      WHEN w.sign_session_id = $2 THEN 'SIGN_SESSION_HANDED'
      ELSE 'NONE'
    END AS "sessionIdMatch"
    FROM web_identifications w WHERE w.id = $1`;

/** What a webhook's first read knows of its identification. */
export type WebhookSubject = Pick<WebIdentification, 'status' | 'resultId'> & { sessionIdMatch: SessionIdMatch };

/** The reconciliation loop's claim: open rows due for a check ($1 quiet s, $2 interval s, $3 limit, $4 statuses), stamped checked. */
const CLAIM_DUE_FOR_RECONCILIATION = `UPDATE web_identifications SET last_reconciled_at = now()
   WHERE id IN (
     SELECT id FROM web_identifications
      WHERE status = ANY($4::text[])
        AND created_at < now() - make_interval(secs => $1)
        AND (last_reconciled_at IS NULL OR last_reconciled_at < now() - make_interval(secs => $2))
      ORDER BY last_reconciled_at NULLS FIRST
      LIMIT $3
      FOR UPDATE SKIP LOCKED)
   RETURNING id`;

/**
 * The identification's next sign session ($1, expiring $2), which B-Trust handed back with the signed
 * documents: it replaces only the one the signing used ($4), so a later one already stored stays.
 */
const HAND_ON_SIGN_SESSION = `
  UPDATE web_identifications SET sign_session_id = $1, sign_session_expires_at = COALESCE($2, sign_session_expires_at), updated_at = now()
   WHERE id = $3 AND sign_session_id = $4`;

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

  // ── Flow ──

  /**
   * Inserts a new identification (STARTED) and its first audit row in one transaction, with what
   * `alongside` writes in it (the idempotency key's binding, the callback URL): the record and
   * its callback URL exist before the first provider call, or neither does.
   */
  insertStarted<T>(identification: NewWebIdentification, alongside: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.insert(WebIdentification, { ...identification, status: 'STARTED' });
      await recordCreation(manager, webIdentificationMachine, identification.id, 'STARTED', 'api');
      return alongside(manager);
    });
  }

  /** 2.1's answer: the web session and its result id. */
  async recordWebSession(id: string, started: Pick<WebIdentification, 'webSessionId' | 'resultId' | 'expiresAt'>): Promise<void> {
    await this.records.update(id, started);
  }

  /** 2.2's answer: the registration and where the person is sent. */
  async recordRegistration(
    id: string,
    registration: Pick<WebIdentification, 'registrationId' | 'registrationSessionId' | 'redirectUrl' | 'registrationStatus' | 'expiresAt'>,
  ): Promise<void> {
    await this.records.update(id, registration);
  }

  /** 4.1's answer on its own, as B-Trust's latest word. */
  async recordRegistrationAnswer(id: string, answer: Pick<WebIdentification, 'registrationStatus' | 'reviewStatus'>): Promise<void> {
    await this.records.update(id, { ...answer, providerUpdatedAt: new Date() });
  }

  /** What scenarios 5 and 4 reported in a reconciliation, as B-Trust's latest word. */
  async recordProviderReport(
    id: string,
    report: Pick<WebIdentification, 'providerStatus' | 'providerStep' | 'registrationStatus' | 'reviewStatus'>,
  ): Promise<void> {
    await this.records.update(id, { ...report, providerUpdatedAt: new Date(), lastReconciledAt: new Date() });
  }

  /** Counts a 2.5 answer that came without the eID certificate; returns how many have so far. */
  async countCertificateMiss(id: string): Promise<number> {
    const [[{ misses }]]: [[{ misses: number }], number] = await this.dataSource.query(COUNT_CERTIFICATE_MISS_SQL, [id]);
    return misses;
  }

  /**
   * Moves an identification in a transaction of its own (the bound transition): the only way its
   * status changes. The eID certificate is written here, through the entity's encryption.
   */
  move(id: string, to: WebIdentificationStatus, cause: string, changes?: Partial<WebIdentification>): Promise<TransitionOutcome<WebIdentification>> {
    return moveWebIdentification.alone(this.dataSource, id, to, cause, changes);
  }

  /** The owner's identification, without its eID certificate. */
  findOwned(owner: string, id: string): Promise<WebIdentification | null> {
    return this.records.findOneBy({ id, owner });
  }

  /** The owner's identification with its eID certificate decrypted. */
  findOwnedWithCertificate(owner: string, id: string): Promise<WebIdentification | null> {
    return this.records
      .createQueryBuilder('identification')
      .addSelect('identification.eidCertificatePdf')
      .where('identification.id = :id AND identification.owner = :owner', { id, owner })
      .getOne();
  }

  /** The whole record of an identification known to exist (it was read a moment ago). */
  getById(id: string): Promise<WebIdentification> {
    return this.records.findOneByOrFail({ id });
  }

  // ── Webhooks ──

  /** A webhook's first read of its identification (see WEBHOOK_SUBJECT_SQL); undefined when there is none. */
  async findWebhookSubject(id: string, sessionId: string | null): Promise<WebhookSubject | undefined> {
    const { rows } = await postgresPool(this.dataSource).query<WebhookSubject>({
      name: 'webhook-identification',
      text: WEBHOOK_SUBJECT_SQL,
      values: [id, sessionId],
    });
    return rows[0];
  }

  /** Which of the flow's ids a webhook's sessionId is, once B-Trust has been asked: a sign session it has just handed out counts as known. */
  async sessionIdMatchOf(identificationId: string, sessionId: string | null): Promise<SessionIdMatch> {
    return (await this.findWebhookSubject(identificationId, sessionId))?.sessionIdMatch ?? 'NONE';
  }

  // ── Reconciliation ──

  /**
   * Claims up to `limit` open web identifications (OPEN_WEB_IDENTIFICATION_STATUSES) created more than the quiet period ago and not
   * checked within the interval, and stamps them checked (CLAIM_DUE_FOR_RECONCILIATION).
   */
  claimDueForReconciliation(window: ReconciliationWindow): Promise<string[]> {
    return this.claimDue(CLAIM_DUE_FOR_RECONCILIATION, window, OPEN_WEB_IDENTIFICATION_STATUSES);
  }

  // ── Signing ──

  /**
   * Inside a signing's completion: the identification's next sign session, handed back by B-Trust
   * with the signed documents, replaces the one the signing used (and only that one).
   */
  async handOnSignSessionWithin(
    manager: EntityManager,
    identificationId: string,
    usedSignSessionId: string | null,
    next: { id: string; expiresAt: Date | null },
  ): Promise<void> {
    await manager.query(HAND_ON_SIGN_SESSION, [next.id, next.expiresAt, identificationId, usedSignSessionId]);
  }
}
