import { Injectable } from '@nestjs/common';
import { BtrustError } from '../btrust/btrust.errors';
import { providerFailure } from '../btrust/provider-failure';
import { RequestError } from '../common/problem/request-error';
import { StateTransition } from '../common/state-machine/state-transition.entity';
import type { FlowRecord, FlowRecordRepository, RecordColumn } from '../database/flow-record-repository';
import { MobileIdentification } from '../identification/mobile/mobile-identification.entity';
import { MobileIdentificationRepository } from '../identification/mobile/mobile-identification.repository';
import { mobileIdentificationMachine } from '../identification/mobile/mobile-identification.state';
import { MobileIdentificationsService } from '../identification/mobile/mobile-identifications.service';
import { WebIdentification } from '../identification/web/web-identification.entity';
import { WebIdentificationRepository } from '../identification/web/web-identification.repository';
import { webIdentificationMachine } from '../identification/web/web-identification.state';
import { WebIdentificationsService } from '../identification/web/web-identifications.service';
import { Signing } from '../signing/signing.entity';
import { SigningRepository } from '../signing/signing.repository';
import { signingMachine } from '../signing/signing.state';
import { SigningReconciliationService } from '../signing/signing-reconciliation.service';
import { SigningsService } from '../signing/signings.service';
import { AdminError, AdminErrorCode } from './admin.errors';
import { AdminListQuery } from './dto/admin-list-query.dto';
import { SigningUnmatchedDocument } from '../signing/signing-unmatched-document.entity';
import { onlyWithStartedProblems, ResolveMobileIdentificationDto, ResolveOutcomeUnknownDto, ResolveSigningDto } from './dto/resolve-outcome.dto';
import { OperatorActionContext, OperatorActionLog } from './operator-action-log';

/** A kind of record the operator API can list, trace and refresh. */
export interface AdminRecordKind<E extends AdminRecord> {
  /** The state machine's entity name: the audit trail's `entity_type`. */
  entityType: string;
  /** For messages: "The mobile identification was not found." */
  label: string;
  /**
   * What the operator views read: encrypted personal columns are never loaded, so never decrypted.
   * Embedded columns are named by their path (`failure.code`).
   */
  columns: Array<RecordColumn<E>>;
}

export type AdminRecord = FlowRecord;

const RECORD_COLUMNS = ['id', 'owner', 'status', 'createdAt', 'updatedAt', 'failure.code', 'failure.message'] as const;

export const MOBILE_IDENTIFICATIONS: AdminRecordKind<MobileIdentification> = {
  entityType: mobileIdentificationMachine.entity,
  label: 'The mobile identification',
  columns: [
    ...RECORD_COLUMNS,
    'docType',
    'identifierMasked',
    'providerCallbackId',
    'providerStatus',
    'expiresAt',
    'completedAt',
    'pollCount',
    'lastPolledAt',
    'nextPollAt',
  ],
};
export const WEB_IDENTIFICATIONS: AdminRecordKind<WebIdentification> = {
  entityType: webIdentificationMachine.entity,
  label: 'The web identification',
  columns: [
    ...RECORD_COLUMNS,
    'providerStatus',
    'providerStep',
    'registrationStatus',
    'reviewStatus',
    'expiresAt',
    'reviewStartedAt',
    'identifiedAt',
    'lastReconciledAt',
  ],
};
export const SIGNINGS: AdminRecordKind<Signing> = {
  entityType: signingMachine.entity,
  label: 'The signing',
  columns: [...RECORD_COLUMNS, 'webIdentificationId', 'resultId', 'expiresAt', 'signedAt', 'lastReconciledAt', 'unmatchedDocuments'],
};

export interface Page<E> {
  items: E[];
  nextCursor: string | null;
}

/** The operator API's work: every method is one audited operator action. */
@Injectable()
export class AdminRecordsService {
  /** Each kind's repository, by its entity type. */
  private readonly repositories: ReadonlyMap<string, FlowRecordRepository<AdminRecord>>;

  constructor(
    private readonly actions: OperatorActionLog,
    private readonly mobileIdentifications: MobileIdentificationsService,
    private readonly webIdentifications: WebIdentificationsService,
    private readonly signings: SigningsService,
    private readonly signingReconciliation: SigningReconciliationService,
    mobileIdentificationRecords: MobileIdentificationRepository,
    webIdentificationRecords: WebIdentificationRepository,
    signingRecords: SigningRepository,
  ) {
    this.repositories = new Map<string, FlowRecordRepository<AdminRecord>>(
      [mobileIdentificationRecords, webIdentificationRecords, signingRecords].map((repository) => [repository.entityType, repository]),
    );
  }

  /** Newest first, keyset-paged on (created_at, id) so that rows created meanwhile neither repeat nor vanish. */
  list<E extends AdminRecord>(
    context: OperatorActionContext,
    kind: AdminRecordKind<E>,
    query: AdminListQuery & { status?: string },
  ): Promise<Page<E>> {
    const filters = { status: query.status, createdFrom: query.createdFrom, createdTo: query.createdTo, limit: query.limit, cursor: query.cursor };
    return this.actions.audited(
      context,
      { action: 'list', targetType: kind.entityType, detail: { filters: withoutUndefined(filters) } },
      () => this.page(kind, query),
      (page) => ({ returned: page.items.length }),
    );
  }

  auditTrail<E extends AdminRecord>(context: OperatorActionContext, kind: AdminRecordKind<E>, id: string): Promise<StateTransition[]> {
    return this.actions.audited(context, { action: 'read_audit_trail', targetType: kind.entityType, targetId: id }, async () => {
      await this.assertExists(kind, id);
      return this.repositoryOf(kind).auditTrail(id);
    });
  }

  /** One poll of B-Trust now, through the same path as the pollers. */
  refreshMobileIdentification(context: OperatorActionContext, id: string): Promise<MobileIdentification> {
    return this.refresh(context, MOBILE_IDENTIFICATIONS, id, async () => {
      await this.mobileIdentifications.pollOnce(id);
    });
  }

  /** Scenarios 5 and 4 now, through the same path as reconciliation. */
  refreshWebIdentification(context: OperatorActionContext, id: string): Promise<WebIdentification> {
    return this.refresh(context, WEB_IDENTIFICATIONS, id, async (identification) => {
      await this.webIdentifications.reconcile(identification, 'operator');
    });
  }

  /** 3.3 now, through the same path as reconciliation. */
  refreshSigning(context: OperatorActionContext, id: string): Promise<Signing> {
    return this.refresh(context, SIGNINGS, id, async (signing) => {
      await this.signingReconciliation.reconcile(signing, 'operator');
    });
  }

  /** Settles an OUTCOME_UNKNOWN mobile identification as the operator found it at B-Trust. */
  resolveMobileIdentification(context: OperatorActionContext, id: string, body: ResolveMobileIdentificationDto): Promise<MobileIdentification> {
    return this.resolve(context, MOBILE_IDENTIFICATIONS, id, body, ['callbackId', 'validUntil'], () =>
      this.mobileIdentifications.resolveOutcomeUnknown(
        id,
        body.outcome === 'STARTED'
          ? { outcome: 'STARTED', callbackId: body.callbackId as string, validUntil: body.validUntil ? new Date(body.validUntil) : undefined, note: body.note }
          : { outcome: 'NOT_STARTED', note: body.note },
      ),
    );
  }

  /** Settles an OUTCOME_UNKNOWN signing as the operator found it at B-Trust. */
  resolveSigning(context: OperatorActionContext, id: string, body: ResolveSigningDto): Promise<Signing> {
    return this.resolve(context, SIGNINGS, id, body, ['resultId', 'expiresAt'], () =>
      this.signingReconciliation.resolveOutcomeUnknown(
        id,
        body.outcome === 'STARTED'
          ? { outcome: 'STARTED', resultId: body.resultId as string, expiresAt: body.expiresAt ? new Date(body.expiresAt) : undefined, note: body.note }
          : { outcome: 'NOT_STARTED', note: body.note },
      ),
    );
  }

  /** The signed documents B-Trust returned for a signing that match none of its originals. */
  unmatchedDocuments(context: OperatorActionContext, id: string): Promise<SigningUnmatchedDocument[]> {
    return this.actions.audited(
      context,
      { action: 'read_unmatched_documents', targetType: SIGNINGS.entityType, targetId: id },
      () => this.signings.unmatchedDocumentsOf(id),
      (documents) => ({ returned: documents.length }),
    );
  }

  /** One unmatched signed document's PDF. */
  unmatchedDocument(context: OperatorActionContext, id: string, position: number): Promise<{ fileName: string; content: Buffer }> {
    return this.actions.audited(
      context,
      { action: 'download_unmatched_document', targetType: SIGNINGS.entityType, targetId: id, detail: { position } },
      () => this.signings.unmatchedDocument(id, position),
    );
  }

  /**
   * One audited resolution: the body is checked before anything is written, the feature's
   * service makes the move (cause `operator`), and the record is returned as operators see it.
   */
  private resolve<E extends AdminRecord>(
    context: OperatorActionContext,
    kind: AdminRecordKind<E>,
    id: string,
    body: ResolveOutcomeUnknownDto,
    startedFields: string[],
    settle: () => Promise<void>,
  ): Promise<E> {
    const detail = { outcome: body.outcome, ...(body.note ? { note: body.note } : {}) };
    return this.actions.audited(
      context,
      { action: 'resolve', targetType: kind.entityType, targetId: id, detail },
      async () => {
        const problems = onlyWithStartedProblems(body, startedFields);
        if (problems.length > 0) throw RequestError.invalid(problems);
        await settle();
        return this.view(kind, id);
      },
      (record) => ({ status: record.status }),
    );
  }

  private refresh<E extends AdminRecord>(
    context: OperatorActionContext,
    kind: AdminRecordKind<E>,
    id: string,
    askProvider: (record: E) => Promise<void>,
  ): Promise<E> {
    return this.actions.audited(
      context,
      { action: 'refresh', targetType: kind.entityType, targetId: id },
      async () => {
        // The services' own paths take the whole record, as their jobs do.
        const record = await this.repositoryOf(kind).findById(id);
        if (!record) throw RequestError.notFound(kind.label);
        try {
          await askProvider(record);
        } catch (error) {
          if (error instanceof BtrustError) throw providerFailure(error);
          throw error;
        }
        return this.view(kind, id);
      },
      (record) => ({ status: record.status }),
    );
  }

  private async assertExists<E extends AdminRecord>(kind: AdminRecordKind<E>, id: string): Promise<void> {
    if (!(await this.repositoryOf(kind).exists(id))) throw RequestError.notFound(kind.label);
  }

  private async view<E extends AdminRecord>(kind: AdminRecordKind<E>, id: string): Promise<E> {
    const record = await this.repositoryOf(kind).findView(id, kind.columns);
    if (!record) throw RequestError.notFound(kind.label);
    return record;
  }

  private async page<E extends AdminRecord>(kind: AdminRecordKind<E>, query: AdminListQuery & { status?: string }): Promise<Page<E>> {
    const repository = this.repositoryOf(kind);
    if (query.cursor && !(await repository.exists(query.cursor))) {
      throw new AdminError(AdminErrorCode.INVALID_CURSOR, 'The cursor names no record of this kind; start again without it.');
    }
    const filters = {
      status: query.status,
      createdFrom: query.createdFrom ? new Date(query.createdFrom) : undefined,
      createdTo: query.createdTo ? new Date(query.createdTo) : undefined,
      after: query.cursor,
    };
    // One more than the page: whether it exists says whether there is a next page.
    const rows = await repository.newestFirst(kind.columns, filters, query.limit + 1);
    const items = rows.slice(0, query.limit);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].id : null };
  }

  private repositoryOf<E extends AdminRecord>(kind: AdminRecordKind<E>): FlowRecordRepository<E> {
    return this.repositories.get(kind.entityType) as unknown as FlowRecordRepository<E>;
  }
}

function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}
