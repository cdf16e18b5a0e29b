import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull, QueryFailedError } from 'typeorm';
import { bindIdempotencyKey } from '../common/idempotency/idempotency.service';
import type { ReconciliationWindow } from '../common/reconciliation/reconciliation-loop';
import { recordCreation, TransitionOutcome } from '../common/state-machine/apply-transition';
import { FlowRecordRepository, UnsettledCount } from '../database/flow-record-repository';
import { WebIdentification } from '../identification/web/web-identification.entity';
import { WebIdentificationRepository } from '../identification/web/web-identification.repository';
import type { ActiveContent } from './pdf/pdf-inspection';
import { sha256Hex } from './sha256';
import type { MatchedBy } from './signed-document-matching';
import { SigningDocument } from './signing-document.entity';
import { SigningUnmatchedDocument } from './signing-unmatched-document.entity';
import { Signing } from './signing.entity';
import { moveSigning, signingMachine, SigningStatus } from './signing.state';
import type { DocumentInput, SignedDocumentVerification } from './signing.types';

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

// ── Creation ─────────────────────────────────────────────────────────────

/** PostgreSQL unique_violation: the partial index that allows one PENDING signing per identification. */
const UNIQUE_VIOLATION = '23505';
const ONE_PENDING_INDEX = 'signings_one_pending_per_identification';
/** The signings that hold their identification's sign session: one may be in flight at B-Trust. */
const IN_FLIGHT: SigningStatus[] = ['PENDING', 'OUTCOME_UNKNOWN'];

// ── Completion ───────────────────────────────────────────────────────────

/** The blind index of who first signed a document that verified, with the signings of identification $1. */
export const FIND_REFERENCE_SIGNER = `
  SELECT d.verification->'signer'->>'serialNumberIndex' AS signer_index
    FROM signing_documents d JOIN signings s ON s.id = d.signing_id
   WHERE s.web_identification_id = $1 AND (d.verification->>'valid')::boolean
     AND d.verification->'signer'->>'serialNumberIndex' IS NOT NULL
   ORDER BY s.signed_at, d.index
   LIMIT 1`;

// ── Operators' resolution ────────────────────────────────────────────────

/** The signing an operator settles, locked until the settling commits. */
export const LOCK_SIGNING_TO_RESOLVE = 'SELECT status, web_identification_id FROM signings WHERE id = $1 FOR UPDATE';

/** Another signing ($3 excepted) of identification $1 that already has resultId $2. */
export const FIND_OTHER_SIGNING_WITH_RESULT_ID = 'SELECT 1 FROM signings WHERE web_identification_id = $1 AND result_id = $2 AND id <> $3';

export type SigningChanges = Partial<Omit<Signing, 'id' | 'status' | 'owner'>>;

/** A new signing as its creation records it, before 3.1; its sign session is the identification's at that moment. */
export interface PendingSigning {
  id: string;
  owner: string;
  webIdentificationId: string;
  emailSignedDocuments: boolean;
  successUrl: string;
  cancelUrl: string;
}

/** A document to sign, with what inspecting it found. */
export interface DocumentToSign extends DocumentInput {
  activeContent: ActiveContent[];
}

/** The sign session a new signing uses, as its identification held it. */
export interface SignSessionInUse {
  clientIdentificator: string;
  signSessionId: string;
  expiresAt: Date | null;
}

/** What recording a new signing came to: recorded, or refused for want of its identification or because another holds the sign session. */
export type PendingSigningRecord =
  | { recorded: true; signSession: SignSessionInUse }
  | { recorded: false; refusal: 'IDENTIFICATION_NOT_FOUND' | 'SIGNING_IN_FLIGHT' };

/** A signed document from 3.3, paired with the original at `index`. */
export interface PairedDocument {
  index: number;
  content: Buffer;
  fileName: string | null;
  matchedBy: MatchedBy;
  verification: SignedDocumentVerification;
}

/** A signed document from 3.3 that matches no original, at `position` in B-Trust's answer. */
export interface UnmatchedDocument {
  position: number;
  fileName: string | null;
  content: Buffer;
}

/** How a signing ends with B-Trust's signed documents, and what they hand on to its identification. */
export interface SigningCompletion {
  to: SigningStatus;
  cause: string;
  changes: SigningChanges;
  detail: Record<string, unknown>;
  paired: PairedDocument[];
  unmatched: UnmatchedDocument[];
  /** The identification's next sign session, when B-Trust handed one back. */
  nextSignSession: { id: string; expiresAt: Date | null } | null;
}

/** A signing locked for an operator's settling, and what that settling may do inside its transaction. */
export interface LockedSigning {
  status: SigningStatus;
  webIdentificationId: string;
  /** Whether another signing of the same identification already has this resultId. */
  resultIdTakenByAnother(resultId: string): Promise<boolean>;
  move(to: SigningStatus, cause: string, changes: SigningChanges, detail: Record<string, unknown>): Promise<TransitionOutcome<Signing>>;
}

/** The reconciliation loop's claim: open rows due for a check ($1 quiet s, $2 interval s, $3 limit, $4 statuses), stamped checked. */
const CLAIM_DUE_FOR_RECONCILIATION = `UPDATE signings SET last_reconciled_at = now()
   WHERE id IN (
     SELECT id FROM signings
      WHERE status = ANY($4::text[])
        AND created_at < now() - make_interval(secs => $1)
        AND (last_reconciled_at IS NULL OR last_reconciled_at < now() - make_interval(secs => $2))
      ORDER BY last_reconciled_at NULLS FIRST
      LIMIT $3
      FOR UPDATE SKIP LOCKED)
   RETURNING id`;

@Injectable()
export class SigningRepository extends FlowRecordRepository<Signing> {
  constructor(
    @InjectDataSource() dataSource: DataSource,
    private readonly webIdentifications: WebIdentificationRepository,
  ) {
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

  // ── Reading ──

  findOwned(owner: string, id: string): Promise<Signing | null> {
    return this.records.findOneBy({ id, owner });
  }

  /** The documents without their contents, in the request's order. */
  documentsOf(signingId: string): Promise<SigningDocument[]> {
    return this.documents.find({ where: { signingId }, order: { index: 'ASC' } });
  }

  /** One document with its signed content (null until signed). */
  findWithSignedContent(signingId: string, index: number): Promise<SigningDocument | null> {
    return this.documents
      .createQueryBuilder('document')
      .addSelect('document.signed')
      .where('document.signingId = :id AND document.index = :index', { id: signingId, index })
      .getOne();
  }

  /** The unmatched documents without their contents, in the order they were kept. */
  unmatchedDocumentsOf(signingId: string): Promise<SigningUnmatchedDocument[]> {
    return this.unmatchedDocuments.find({ where: { signingId }, order: { position: 'ASC' } });
  }

  findUnmatchedWithContent(signingId: string, position: number): Promise<SigningUnmatchedDocument | null> {
    return this.unmatchedDocuments
      .createQueryBuilder('document')
      .addSelect('document.content')
      .where('document.signingId = :signingId AND document.position = :position', { signingId, position })
      .getOne();
  }

  // ── Moves ──

  /** Moves a signing (moveSigning) in a transaction of its own. */
  move(id: string, to: SigningStatus, cause: string, changes: SigningChanges): Promise<TransitionOutcome<Signing>> {
    return moveSigning.alone(this.dataSource, id, to, cause, changes);
  }

  // ── Creation ──

  /**
   * Records a PENDING signing with its documents, its first audit row and the request's
   * idempotency key, in one transaction. The row lock on the identification serializes
   * signings of one identification, so `admit` (which throws to refuse) and the in-flight
   * check see the latest sign session; the partial unique index is the guarantee should
   * anything bypass the lock.
   */
  async recordPending(
    signing: PendingSigning,
    documents: DocumentToSign[],
    admit: (identification: WebIdentification) => void,
  ): Promise<PendingSigningRecord> {
    try {
      return await this.dataSource.transaction(async (manager): Promise<PendingSigningRecord> => {
        const identification = await manager
          .getRepository(WebIdentification)
          .findOne({ where: { id: signing.webIdentificationId }, lock: { mode: 'pessimistic_write' } });
        if (!identification) return { recorded: false, refusal: 'IDENTIFICATION_NOT_FOUND' };
        admit(identification);
        if (await manager.getRepository(Signing).existsBy({ webIdentificationId: signing.webIdentificationId, status: In(IN_FLIGHT) })) {
          return { recorded: false, refusal: 'SIGNING_IN_FLIGHT' };
        }
        await manager.insert(Signing, { ...signing, status: 'PENDING', signSessionId: identification.signSessionId! });
        // One statement per document: the driver builds each message in memory, so one at a time keeps that small.
        for (const [index, document] of documents.entries()) {
          await manager.insert(SigningDocument, {
            signingId: signing.id,
            index,
            fileName: document.fileName,
            title: document.title,
            original: document.content,
            originalSha256: sha256Hex(document.content),
            visibleSignature: document.visibleSignature ?? null,
            archive: document.archive ?? null,
            activeContent: document.activeContent,
          });
        }
        await recordCreation(manager, signingMachine, signing.id, 'PENDING', 'api');
        await bindIdempotencyKey(manager, signing.id);
        return {
          recorded: true,
          signSession: {
            clientIdentificator: identification.clientIdentificator!,
            signSessionId: identification.signSessionId!,
            expiresAt: identification.signSessionExpiresAt,
          },
        };
      });
    } catch (error) {
      if (isUniqueViolation(error, ONE_PENDING_INDEX)) return { recorded: false, refusal: 'SIGNING_IN_FLIGHT' };
      throw error;
    }
  }

  /** What 3.1 answered for a signing it started. */
  async recordStarted(id: string, started: Pick<Signing, 'resultId' | 'clientDocumentUrl' | 'expiresAt'>): Promise<void> {
    await this.records.update(id, started);
  }

  // ── Completion ──

  /** The blind index of who signed with this identification first, from a document that verified. */
  async referenceSignerOf(identificationId: string): Promise<string | null> {
    const rows: Array<{ signer_index: string }> = await this.dataSource.query(FIND_REFERENCE_SIGNER, [identificationId]);
    return rows[0]?.signer_index ?? null;
  }

  /** The original content of one document; null once retention erased it. */
  async originalOf(document: Pick<SigningDocument, 'signingId' | 'index'>): Promise<Buffer | null> {
    const row = await this.documents
      .createQueryBuilder('document')
      .select(['document.signingId', 'document.index', 'document.original'])
      .where('document.signingId = :signingId AND document.index = :index', { signingId: document.signingId, index: document.index })
      .getOneOrFail();
    return row.original;
  }

  /**
   * In one transaction: the signing's move, every returned document (paired ones onto their
   * originals, the others as unmatched) and the identification's next sign session. Another
   * answer of 3.3 may have ended the signing first: what this one returned beyond it is kept
   * all the same, but the paired documents and the sign session are written only by the move.
   */
  completeWith(signing: Signing, completion: SigningCompletion): Promise<TransitionOutcome<Signing>> {
    return this.dataSource.transaction(async (manager) => {
      const moved = await moveSigning.within(manager, signing.id, completion.to, completion.cause, completion.changes, completion.detail);
      await keepUnmatched(manager, signing.id, completion.unmatched);
      if (moved.result !== 'moved') return moved;
      for (const document of completion.paired) {
        await manager.update(
          SigningDocument,
          { signingId: signing.id, index: document.index },
          {
            signed: document.content,
            signedSha256: sha256Hex(document.content),
            signedFileName: document.fileName,
            matchedBy: document.matchedBy,
            ...storedVerification(document.verification),
          },
        );
      }
      if (completion.nextSignSession) {
        await this.webIdentifications.handOnSignSessionWithin(manager, signing.webIdentificationId, signing.signSessionId, completion.nextSignSession);
      }
      return moved;
    });
  }

  // ── Operators' resolution ──

  /**
   * Runs `settle` in one transaction with the signing's row locked; it gets null when there is
   * no such signing, and throws to settle nothing.
   */
  settleLocked<T>(id: string, settle: (signing: LockedSigning | null) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const [row]: Array<{ status: SigningStatus; web_identification_id: string }> = await manager.query(LOCK_SIGNING_TO_RESOLVE, [id]);
      if (!row) return settle(null);
      return settle({
        status: row.status,
        webIdentificationId: row.web_identification_id,
        resultIdTakenByAnother: async (resultId) => {
          const [other]: unknown[] = await manager.query(FIND_OTHER_SIGNING_WITH_RESULT_ID, [row.web_identification_id, resultId, id]);
          return other !== undefined;
        },
        move: (to, cause, changes, detail) => moveSigning.within(manager, id, to, cause, changes, detail),
      });
    });
  }

  // ── Reconciliation ──

  /**
   * Claims up to `limit` PENDING signings created more than the quiet period ago and not
   * checked within the interval, and stamps them checked (CLAIM_DUE_FOR_RECONCILIATION).
   */
  claimDueForReconciliation(window: ReconciliationWindow): Promise<string[]> {
    return this.claimDue(CLAIM_DUE_FOR_RECONCILIATION, window, ['PENDING']);
  }

  // ── Webhooks ──

  /** The signing of this identification that 3.1 gave this resultId. */
  findByResultId(identificationId: string, resultId: string): Promise<Signing | null> {
    return this.records.findOneBy({ webIdentificationId: identificationId, resultId });
  }

  /** The PENDING signing of this identification on this sign session whose 3.1 answer carried no resultId. */
  findPendingWithoutResultId(identificationId: string, signSessionId: string): Promise<Signing | null> {
    return this.records.findOneBy({ webIdentificationId: identificationId, signSessionId, resultId: IsNull(), status: 'PENDING' });
  }

  private get documents() {
    return this.dataSource.getRepository(SigningDocument);
  }

  private get unmatchedDocuments() {
    return this.dataSource.getRepository(SigningUnmatchedDocument);
  }
}

/**
 * Stores the returned documents that match no original, each once (by its
 * SHA-256), at its position in B-Trust's answer or after those already kept,
 * and counts them on the signing.
 */
async function keepUnmatched(manager: EntityManager, signingId: string, unmatched: UnmatchedDocument[]): Promise<void> {
  if (unmatched.length === 0) return;
  const repository = manager.getRepository(SigningUnmatchedDocument);
  const kept = await repository.find({ where: { signingId }, select: { position: true, sha256: true } });
  const positions = new Set(kept.map((document) => document.position));
  const hashes = new Set(kept.map((document) => document.sha256));
  for (const document of unmatched) {
    const hash = sha256Hex(document.content);
    if (hashes.has(hash)) continue;
    const position = positions.has(document.position) ? Math.max(...positions) + 1 : document.position;
    await repository.insert({ signingId, position, fileName: document.fileName, content: document.content, sha256: hash, size: document.content.length });
    positions.add(position);
    hashes.add(hash);
  }
  await manager.update(Signing, { id: signingId }, { unmatchedDocuments: positions.size });
}

/** The signer's name goes to its encrypted column; the verification's JSON keeps no personal data in clear. */
function storedVerification(verification: SignedDocumentVerification): Pick<SigningDocument, 'verification' | 'signerName'> {
  const { signer } = verification;
  return {
    verification: { ...verification, signer: signer ? { ...signer, commonName: null } : null },
    signerName: signer?.commonName ?? null,
  };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: string; constraint?: string }) : undefined;
  return driverError?.code === UNIQUE_VIOLATION && driverError.constraint === constraint;
}
