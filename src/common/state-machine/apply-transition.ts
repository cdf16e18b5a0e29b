import { Logger } from '@nestjs/common';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, QueryRunner } from 'typeorm';
import { StateMachine } from './state-machine';

/** The PostgreSQL channel on which committed status changes are announced. */
export const STATE_CHANGES_CHANNEL = 'cas_state_changes';

export interface StatusRow<S extends string> extends ObjectLiteral {
  id: string;
  status: S;
}

export type TransitionOutcome<E> =
  | { result: 'moved'; from: string; entity: E }
  | { result: 'unchanged'; entity: E }
  | { result: 'refused'; from: string; entity: E };

export interface TransitionRequest<S extends string, E extends StatusRow<S>> {
  target: EntityTarget<E>;
  machine: StateMachine<S>;
  id: string;
  to: S;
  cause: string;
  /** Columns written together with the new status (results, timestamps, failure). */
  changes?: Partial<E>;
  detail?: Record<string, unknown>;
}

const logger = new Logger('StateTransitions');

export interface RecordedTransition {
  entity: string;
  state: string;
}

/**
 * The transitions written so far in the transaction a query runner holds.
 * Observers (metrics) read them once the transaction commits, so a
 * rolled-back transition is never counted.
 */
export function transitionsRecordedIn(queryRunner: QueryRunner): RecordedTransition[] {
  const data = queryRunner.data as { stateTransitions?: RecordedTransition[] };
  data.stateTransitions ??= [];
  return data.stateTransitions;
}

/**
 * Moves one entity to a new status inside the caller's transaction: locks
 * the row, checks the machine, writes the status and its companion columns,
 * appends the audit row and announces the change (delivered on commit).
 * Reaching the current status again is a no-op, which makes duplicate
 * callbacks and concurrent polls harmless; an illegal move is refused and
 * logged, never applied.
 */
export async function applyTransition<S extends string, E extends StatusRow<S>>(
  manager: EntityManager,
  request: TransitionRequest<S, E>,
): Promise<TransitionOutcome<E>> {
  const repository = manager.getRepository<E>(request.target);
  const current = await repository.findOne({
    where: { id: request.id } as never,
    lock: { mode: 'pessimistic_write' },
  });
  if (!current) throw new Error(`${request.machine.entity} ${request.id} does not exist`);

  const from = current.status;
  if (from === request.to) return { result: 'unchanged', entity: current };
  if (!request.machine.canMove(from, request.to)) {
    logger.warn(
      { entity: request.machine.entity, id: request.id, from, to: request.to, cause: request.cause },
      'Refused an illegal state transition',
    );
    return { result: 'refused', from, entity: current };
  }

  const updated = repository.merge(current, { ...(request.changes ?? {}), status: request.to } as never);
  await repository.save(updated as never);
  await appendAudit(manager, request.machine.entity, request.id, from, request.to, request.cause, request.detail);
  return { result: 'moved', from, entity: updated };
}

/** One machine's transition bound to its entity: the one way its services move that entity. */
export interface BoundTransition<S extends string, E extends StatusRow<S>> {
  /** Inside the caller's transaction. */
  within(manager: EntityManager, id: string, to: S, cause: string, changes?: Partial<E>, detail?: Record<string, unknown>): Promise<TransitionOutcome<E>>;
  /** In a transaction of its own, committed when this resolves. */
  alone(dataSource: DataSource, id: string, to: S, cause: string, changes?: Partial<E>): Promise<TransitionOutcome<E>>;
}

/**
 * Binds applyTransition once to an entity and its machine. A move without
 * an audit detail of its own records the failure code it sets, if any;
 * `companions` gives the columns every move to `to` writes as well.
 */
export function boundTransition<S extends string, E extends StatusRow<S> & { failure: { code: string | null } }>(
  target: EntityTarget<E>,
  machine: StateMachine<S>,
  companions?: (to: S) => Partial<E>,
): BoundTransition<S, E> {
  const within: BoundTransition<S, E>['within'] = (manager, id, to, cause, changes = {}, detail) =>
    applyTransition<S, E>(manager, {
      target,
      machine,
      id,
      to,
      cause,
      changes: companions ? { ...changes, ...companions(to) } : changes,
      detail: detail ?? (changes.failure?.code ? { code: changes.failure.code } : undefined),
    });
  return { within, alone: (dataSource, id, to, cause, changes) => dataSource.transaction((manager) => within(manager, id, to, cause, changes)) };
}

/** Records the first state of a new entity in the audit trail. */
export async function recordCreation(
  manager: EntityManager,
  machine: StateMachine<string>,
  id: string,
  state: string,
  cause: string,
): Promise<void> {
  await appendAudit(manager, machine.entity, id, null, state, cause);
}

async function appendAudit(
  manager: EntityManager,
  entity: string,
  id: string,
  from: string | null,
  to: string,
  cause: string,
  detail?: Record<string, unknown>,
): Promise<void> {
  // One statement, one round trip: the audit row and the announcement (delivered on commit) go together.
  await manager.query(
    `WITH audit AS (
       INSERT INTO state_transitions (entity_type, entity_id, from_state, to_state, cause, detail) VALUES ($1, $2, $3, $4, $5, $6)
     )
     SELECT pg_notify($7, $8)`,
    [entity, id, from, to, cause, detail ? JSON.stringify(detail) : null, STATE_CHANGES_CHANNEL, JSON.stringify({ entity, id, status: to })],
  );
  if (manager.queryRunner) transitionsRecordedIn(manager.queryRunner).push({ entity, state: to });
}
