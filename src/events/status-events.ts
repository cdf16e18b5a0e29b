import type { MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { StateMachine } from '../common/state-machine/state-machine';
import type { StateChangeSubscriber } from './state-change-listener';

/** The `data` of every `status` event. */
export interface StatusEventData {
  id: string;
  status: string;
  /** True for the last event: the server closes the stream after it, and the client should not reconnect. */
  final: boolean;
}

/** The SSE event type of a status; heartbeats are comments, which clients ignore. */
export const STATUS_EVENT = 'status';

export interface FollowedRecord<S extends string> {
  machine: StateMachine<S>;
  id: string;
  /** Reads the committed status (owner-scoped: the same read as the GET endpoint). */
  readStatus: () => Promise<S>;
}

export interface StateChangeFeed {
  subscribe(entity: string, id: string, subscriber: StateChangeSubscriber): () => void;
}

/**
 * The live status of one record: the current status first, then each change,
 * completing after a final status. A heartbeat comment keeps proxies from
 * closing a quiet connection.
 *
 * Changes are followed before the first read, so none falls between the two.
 * A notified status is emitted as it is only when the machine allows it as
 * the next move from the last one sent; anything else (a notification that
 * overtook the read, or a change missed while the listener was down) is
 * answered by reading the record again. Reads and emits run one at a time, so
 * the client never sees a status go backwards.
 */
export function statusEvents<S extends string>(
  record: FollowedRecord<S>,
  feed: StateChangeFeed,
  heartbeatMs: number,
): Observable<MessageEvent> {
  const { machine, id } = record;
  return new Observable<MessageEvent>((subscriber) => {
    let last: S | undefined;
    let queue = Promise.resolve();

    const emit = (status: S): void => {
      if (subscriber.closed || status === last) return;
      last = status;
      const final = machine.isSettled(status);
      subscriber.next({ type: STATUS_EVENT, data: { id, status, final } satisfies StatusEventData });
      if (final) subscriber.complete();
    };
    const enqueue = (step: () => Promise<void> | void): void => {
      queue = queue.then(step).catch((error: unknown) => subscriber.error(error));
    };
    const reread = () => enqueue(async () => emit(await record.readStatus()));

    const unsubscribe = feed.subscribe(machine.entity, id, {
      changed: (status) =>
        enqueue(() => (last !== undefined && machine.canMove(last, status as S) ? emit(status as S) : reread())),
      resync: reread,
      closed: () => subscriber.complete(),
    });
    reread();
    const heartbeat = setInterval(() => subscriber.next({ comment: 'heartbeat' }), heartbeatMs);

    return () => {
      clearInterval(heartbeat);
      unsubscribe();
    };
  });
}
