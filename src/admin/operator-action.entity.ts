import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Who did what through the operator API, and how it ended. Rows are only ever inserted. */
@Entity({ name: 'operator_actions' })
@Index(['actor', 'at'])
@Index(['targetType', 'targetId'])
export class OperatorAction {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  /** The operator's token subject (`sub`). */
  @Column({ type: 'text' })
  actor: string;

  /** `list`, `read_audit_trail`, `refresh`, `resolve`. */
  @Column({ type: 'text' })
  action: string;

  /** The state machine's entity name: `mobile_identification`, `web_identification`, `signing`. */
  @Column({ name: 'target_type', type: 'text' })
  targetType: string;

  /** The record acted on; null for a listing. */
  @Column({ name: 'target_id', type: 'uuid', nullable: true })
  targetId: string | null;

  /** `succeeded`, or `failed` with the problem code in `detail`. */
  @Column({ type: 'text' })
  outcome: string;

  /** Non-personal context: filters of a listing, the status after a refresh, a resolution's outcome and note, a failure's code. */
  @Column({ type: 'jsonb', nullable: true })
  detail: Record<string, unknown> | null;

  /** Ties the row to the request's log lines. */
  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
