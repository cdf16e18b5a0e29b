import { Inject, Injectable, MessageEvent } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { StateMachine } from '../common/state-machine/state-machine';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { CasMetrics } from '../metrics/cas-metrics';
import { LiveStatusError, LiveStatusErrorCode } from './live-status.errors';
import { LiveStreamSlots, StreamLimit } from './live-stream-slots';
import { StateChangeListener } from './state-change-listener';
import { statusEvents } from './status-events';

/** Often enough for proxies and load balancers that drop connections idle for 30–60 s. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/**
 * A slot frees the moment a stream closes, which nothing here can predict:
 * a short pause before asking again.
 */
const RETRY_AFTER_SECONDS = 10;

/** Server-Sent Events of a record's status, for the `/events` endpoints. */
@Injectable()
export class LiveStatus {
  private readonly slots: LiveStreamSlots;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedAppConfig,
    private readonly listener: StateChangeListener,
    private readonly metrics: CasMetrics,
  ) {
    this.slots = new LiveStreamSlots(config.liveStatus);
  }

  /**
   * Takes one of the owner's stream slots (429 past either cap), then reads
   * the record once before answering, so an unknown or foreign id is a 404
   * problem like on the GET endpoint, before any event is sent; the stream
   * then reads it again each time it needs the truth. The slot is given back
   * when the response closes (`closed`), however it ends: a final status, the
   * client gone (also before the stream began), a failed first read.
   */
  async follow<S extends string>(
    owner: string,
    machine: StateMachine<S>,
    id: string,
    read: () => Promise<{ status: S }>,
    closed: AbortSignal,
  ): Promise<Observable<MessageEvent>> {
    const slot = this.slots.take(owner);
    if (!slot.taken) {
      this.metrics.liveStreamsRefused.inc({ limit: slot.limit });
      throw this.tooManyStreams(slot.limit);
    }
    const release = () => {
      slot.release();
      this.metrics.liveStreams.set(this.slots.open);
    };
    this.metrics.liveStreams.set(this.slots.open);
    if (closed.aborted) release();
    else closed.addEventListener('abort', release, { once: true });
    await read();
    return statusEvents({ machine, id, readStatus: async () => (await read()).status }, this.listener, HEARTBEAT_INTERVAL_MS);
  }

  private tooManyStreams(limit: StreamLimit): LiveStatusError {
    const { maxStreamsPerUser, maxStreams } = this.config.liveStatus;
    return new LiveStatusError(
      LiveStatusErrorCode.TOO_MANY_STREAMS,
      limit === 'user'
        ? `At most ${maxStreamsPerUser} live-status streams may be open per user; close one (a stream that ended with final: true needs no reconnection).`
        : 'This server instance holds as many live-status streams as it may; try again shortly.',
      { limit, retryAfterSeconds: RETRY_AFTER_SECONDS },
      RETRY_AFTER_SECONDS,
    );
  }
}
