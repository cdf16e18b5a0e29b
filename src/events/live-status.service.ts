import { Injectable, MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { StateMachine } from '../common/state-machine/state-machine';
import { StateChangeListener } from './state-change-listener';
import { statusEvents } from './status-events';

/** Often enough for proxies and load balancers that drop connections idle for 30–60 s. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** Server-Sent Events of a record's status, for the `/events` endpoints. */
@Injectable()
export class LiveStatus {
  constructor(private readonly listener: StateChangeListener) {}

  /**
   * Reads the record once before answering, so an unknown or foreign id is a
   * 404 problem like on the GET endpoint, before any event is sent; the
   * stream then reads it again each time it needs the truth.
   */
  async follow<S extends string>(
    machine: StateMachine<S>,
    id: string,
    read: () => Promise<{ status: S }>,
  ): Promise<Observable<MessageEvent>> {
    await read();
    return statusEvents({ machine, id, readStatus: async () => (await read()).status }, this.listener, HEARTBEAT_INTERVAL_MS);
  }
}
