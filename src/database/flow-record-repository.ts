import { DataSource, EntityTarget, Repository } from 'typeorm';
import type { FailureColumns } from '../common/entity/failure-columns';
import type { ReconciliationWindow } from '../common/reconciliation/reconciliation-loop';
import type { StateMachine } from '../common/state-machine/state-machine';
import { StateTransition } from '../common/state-machine/state-transition.entity';

/** A record that moves through a state machine: a mobile or web identification, a signing. */
export interface FlowRecord {
  id: string;
  status: string;
  createdAt: Date;
}

/** A column to load, by property; embedded columns by their path (`failure.code`). */
export type RecordColumn<E> = (keyof E & string) | `failure.${keyof FailureColumns & string}`;

export interface NewestFirstFilters {
  status?: string;
  createdFrom?: Date;
  createdTo?: Date;
  /** Rows strictly after this record in the order (created_at, id) descending; it must exist. */
  after?: string;
}

/** How many records are in one unsettled state, and the age in seconds of the oldest (since its creation). */
export interface UnsettledCount {
  state: string;
  count: number;
  oldest: number;
}

/**
 * What every flow record's repository answers alike: the record by id, its
 * audit trail, and views of chosen columns (what operators see: the caller
 * leaves out the encrypted columns, so nothing personal is decrypted).
 * The SQL of one aggregate lives in its own repository, which extends this.
 */
export abstract class FlowRecordRepository<E extends FlowRecord> {
  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly target: EntityTarget<E>,
    protected readonly machine: StateMachine<E['status']>,
  ) {}

  /** The state machine's entity name: the audit trail's `entity_type`. */
  get entityType(): string {
    return this.machine.entity;
  }

  protected get records(): Repository<E> {
    return this.dataSource.getRepository(this.target);
  }

  exists(id: string): Promise<boolean> {
    return this.records.existsBy({ id } as never);
  }

  /** The whole record, as the feature's jobs load it (columns with `select: false` excepted). */
  findById(id: string): Promise<E | null> {
    return this.records.findOneBy({ id } as never);
  }

  /** Every status change of the record, oldest first. */
  auditTrail(id: string): Promise<StateTransition[]> {
    return this.dataSource.getRepository(StateTransition).find({
      where: { entityType: this.entityType, entityId: id },
      order: { at: 'ASC', id: 'ASC' },
    });
  }

  findView(id: string, columns: ReadonlyArray<RecordColumn<E>>): Promise<E | null> {
    return this.view(columns).where('record.id = :id', { id }).getOne();
  }

  /** Newest first on (created_at, id), so that rows created meanwhile neither repeat nor vanish between pages. */
  newestFirst(columns: ReadonlyArray<RecordColumn<E>>, filters: NewestFirstFilters, limit: number): Promise<E[]> {
    const builder = this.view(columns).orderBy('record.createdAt', 'DESC').addOrderBy('record.id', 'DESC').limit(limit);
    if (filters.status) builder.andWhere('record.status = :status', { status: filters.status });
    if (filters.createdFrom) builder.andWhere('record.createdAt >= :createdFrom', { createdFrom: filters.createdFrom });
    if (filters.createdTo) builder.andWhere('record.createdAt < :createdTo', { createdTo: filters.createdTo });
    if (filters.after) {
      // The anchor's timestamp is read in the database: it keeps microseconds a JavaScript Date would lose.
      builder.andWhere(
        (where) =>
          `(record.createdAt, record.id) < ${where
            .subQuery()
            .select('anchor.createdAt')
            .addSelect('anchor.id')
            .from(this.target, 'anchor')
            .where('anchor.id = :after')
            .getQuery()}`,
        { after: filters.after },
      );
    }
    return builder.getMany();
  }

  /**
   * Runs one batch of a retention erasure statement, whose parameters are: $1 settled states,
   * $2 now, $3 cutoff (last change before it), $4 entity type, $5 audit detail, $6 batch size.
   * Returns how many records it erased (one audit row each).
   */
  protected async eraseBatch(statement: string, erasedFields: readonly string[], cutoff: Date, now: Date, limit: number): Promise<number> {
    const rows: unknown[] = await this.dataSource.query(statement, [
      this.machine.settledStates,
      now,
      cutoff,
      this.entityType,
      JSON.stringify({ purged: erasedFields }),
      limit,
    ]);
    return rows.length;
  }

  /**
   * Runs a reconciliation claim statement, whose parameters are: $1 quiet period (s), $2 interval
   * (s), $3 batch size, $4 the states still waiting for the provider. Returns the claimed ids.
   */
  protected async claimDue(statement: string, window: ReconciliationWindow, openStates: readonly string[]): Promise<string[]> {
    const [claimed]: [Array<{ id: string }>, number] = await this.dataSource.query(statement, [
      window.quietPeriodSeconds,
      window.intervalSeconds,
      window.limit,
      openStates,
    ]);
    return claimed.map(({ id }) => id);
  }

  private view(columns: ReadonlyArray<RecordColumn<E>>) {
    return this.records.createQueryBuilder('record').select(columns.map((column) => `record.${column}`));
  }
}
