import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { parseStateChange } from './state-change';

/** What a follower of one record is told. */
export interface StateChangeSubscriber {
  /** A committed change of the record's status. */
  changed(status: string): void;
  /** Changes may have been missed (the listening connection was down): read the status again. */
  resync(): void;
  /** The server is shutting down: end the stream, the client reconnects elsewhere. */
  closed(): void;
}

/**
 * The channel applyTransition announces on (STATE_CHANGES_CHANNEL), written
 * out: LISTEN takes a name, not a parameter. The listener's own connection
 * runs it, not a repository: it is a session command, it touches no table.
 */
export const LISTEN_TO_STATE_CHANGES_SQL = 'LISTEN cas_state_changes';

const FIRST_RETRY_DELAY_MS = 250;
const MAX_RETRY_DELAY_MS = 10_000;

/**
 * One `LISTEN` connection per server instance, fanned out in process to the
 * followers of each record. Every instance hears every committed change, so
 * a change made by another instance (a webhook, a poll) reaches the browsers
 * connected to this one. A dedicated client, not the pool: a pooled
 * connection that listens would be handed to other queries, and its
 * notifications lost when the pool closes it.
 */
@Injectable()
export class StateChangeListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StateChangeListener.name);
  private readonly subscribers = new Map<string, Set<StateChangeSubscriber>>();
  private client: Client | undefined;
  private retryDelayMs = FIRST_RETRY_DELAY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedAppConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    // Open streams would hold the HTTP server's shutdown until their records reach a final state.
    for (const subscriber of this.allSubscribers()) subscriber.closed();
    this.subscribers.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** True while the LISTEN connection is up (changes are being heard). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Followers currently registered, across all records (each open stream is one). */
  get subscriberCount(): number {
    let count = 0;
    for (const set of this.subscribers.values()) count += set.size;
    return count;
  }

  /** Follows one record; call the returned function to stop. */
  subscribe(entity: string, id: string, subscriber: StateChangeSubscriber): () => void {
    if (this.stopped) {
      subscriber.closed();
      return () => undefined;
    }
    const key = keyOf(entity, id);
    let set = this.subscribers.get(key);
    if (!set) {
      set = new Set();
      this.subscribers.set(key, set);
    }
    set.add(subscriber);
    return () => {
      const current = this.subscribers.get(key);
      if (!current) return;
      current.delete(subscriber);
      if (current.size === 0) this.subscribers.delete(key);
    };
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.database.url,
      application_name: 'btrust-cas-live-status',
      connectionTimeoutMillis: 5_000,
      // A connection that silently died (no RST from a failed-over database) is noticed and replaced.
      keepAlive: true,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(
        { err: error?.message, retryInMs: this.retryDelayMs },
        'Live status connection to PostgreSQL lost: reconnecting',
      );
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      const change = parseStateChange(message.payload);
      if (!change) return;
      for (const subscriber of [...(this.subscribers.get(keyOf(change.entity, change.id)) ?? [])]) subscriber.changed(change.status);
    });

    try {
      await client.connect();
      await client.query(LISTEN_TO_STATE_CHANGES_SQL);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (lost) return;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    const reconnected = this.retryDelayMs !== FIRST_RETRY_DELAY_MS;
    this.client = client;
    this.retryDelayMs = FIRST_RETRY_DELAY_MS;
    if (reconnected) this.logger.log('Live status connection to PostgreSQL restored');
    // Whatever changed while nobody listened was not heard: every follower reads its record again.
    for (const subscriber of this.allSubscribers()) subscriber.resync();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retryTimer);
    // Jitter: after a database restart, many instances should not all reconnect at the same instant.
    const delay = this.retryDelayMs * (0.5 + Math.random() / 2);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, MAX_RETRY_DELAY_MS);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  private allSubscribers(): StateChangeSubscriber[] {
    return [...this.subscribers.values()].flatMap((set) => [...set]);
  }
}

function keyOf(entity: string, id: string): string {
  return `${entity}:${id}`;
}
