import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** The audit trail: one row per applied status change, never updated or deleted. */
@Entity({ name: 'state_transitions' })
@Index(['entityType', 'entityId', 'at'])
export class StateTransition {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ name: 'entity_type', type: 'text' })
  entityType: string;

  @Column({ name: 'entity_id', type: 'uuid' })
  entityId: string;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState: string | null;

  @Column({ name: 'to_state', type: 'text' })
  toState: string;

  /** What moved it: `api`, `poll`, `callback`, `reconcile`, `operator`… */
  @Column({ type: 'text' })
  cause: string;

  /** Non-personal context (provider codes, job ids). Never identifiers or documents. */
  @Column({ type: 'jsonb', nullable: true })
  detail: Record<string, unknown> | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
