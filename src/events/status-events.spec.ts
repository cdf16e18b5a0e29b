import type { MessageEvent } from '@nestjs/common';
import { StateMachine } from '../common/state-machine/state-machine';
import type { StateChangeSubscriber } from './state-change-listener';
import { StateChangeFeed, statusEvents } from './status-events';

type Door = 'CLOSED' | 'AJAR' | 'OPEN' | 'BROKEN';
const door = new StateMachine<Door>('door', {
  CLOSED: ['AJAR', 'OPEN', 'BROKEN'],
  AJAR: ['OPEN', 'BROKEN'],
  OPEN: [],
  BROKEN: [],
});

class FakeFeed implements StateChangeFeed {
  readonly subscribers = new Set<StateChangeSubscriber>();
  subscribe(entity: string, id: string, subscriber: StateChangeSubscriber): () => void {
    expect([entity, id]).toEqual(['door', 'front']);
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }
  each(action: (subscriber: StateChangeSubscriber) => void): void {
    for (const subscriber of [...this.subscribers]) action(subscriber);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

const open: Array<{ unsubscribe(): void }> = [];
afterEach(() => open.splice(0).forEach((subscription) => subscription.unsubscribe()));

function follow(readStatus: () => Promise<Door>, heartbeatMs = 60_000) {
  const feed = new FakeFeed();
  const events: MessageEvent[] = [];
  let completed = false;
  let failed: unknown;
  const subscription = statusEvents({ machine: door, id: 'front', readStatus }, feed, heartbeatMs).subscribe({
    next: (event) => events.push(event),
    complete: () => (completed = true),
    error: (error) => (failed = error),
  });
  open.push(subscription);
  const statuses = () => events.filter((event) => event.type === 'status').map((event) => (event.data as { status: string }).status);
  return { feed, events, statuses, subscription, done: () => completed, failure: () => failed };
}

describe(statusEvents.name, () => {
  it('sends the current status first, then each change, and completes after a final one', async () => {
    const stream = follow(async () => 'CLOSED');
    await settle();
    stream.feed.each((subscriber) => subscriber.changed('AJAR'));
    await settle();
    expect(stream.done()).toBe(false);
    stream.feed.each((subscriber) => subscriber.changed('OPEN'));
    await settle();

    expect(stream.statuses()).toEqual(['CLOSED', 'AJAR', 'OPEN']);
    expect(stream.events.map((event) => event.data)).toEqual([
      { id: 'front', status: 'CLOSED', final: false },
      { id: 'front', status: 'AJAR', final: false },
      { id: 'front', status: 'OPEN', final: true },
    ]);
    expect(stream.done()).toBe(true);
    expect(stream.feed.subscribers.size).toBe(0);
  });

  it('completes at once when the record is already final', async () => {
    const stream = follow(async () => 'BROKEN');
    await settle();
    expect(stream.statuses()).toEqual(['BROKEN']);
    expect(stream.done()).toBe(true);
    expect(stream.feed.subscribers.size).toBe(0);
  });

  it('follows changes before the first read, so a change during that read is not lost', async () => {
    let status: Door = 'CLOSED';
    let subscribersDuringRead = -1;
    let feed: FakeFeed | undefined;
    const stream = follow(async () => {
      subscribersDuringRead = feed?.subscribers.size ?? 0;
      return status;
    });
    feed = stream.feed;
    expect(feed.subscribers.size).toBe(1);
    status = 'AJAR';
    feed.each((subscriber) => subscriber.changed('AJAR'));
    await settle();
    expect(subscribersDuringRead).toBe(1);
    expect(stream.statuses()).toEqual(['AJAR']);
  });

  it('reads the record again instead of going backwards on a stale or out-of-order notification', async () => {
    let status: Door = 'AJAR';
    let reads = 0;
    const stream = follow(async () => {
      reads++;
      return status;
    });
    await settle();
    stream.feed.each((subscriber) => subscriber.changed('CLOSED'));
    await settle();
    expect(reads).toBe(2);
    expect(stream.statuses()).toEqual(['AJAR']);

    status = 'OPEN';
    stream.feed.each((subscriber) => subscriber.changed('OPEN'));
    await settle();
    expect(stream.statuses()).toEqual(['AJAR', 'OPEN']);
  });

  it('catches up by reading again after changes were missed (resync)', async () => {
    let status: Door = 'CLOSED';
    const stream = follow(async () => status);
    await settle();
    status = 'BROKEN';
    stream.feed.each((subscriber) => subscriber.resync());
    await settle();
    expect(stream.statuses()).toEqual(['CLOSED', 'BROKEN']);
    expect(stream.done()).toBe(true);
  });

  it('completes when the server shuts down, and stops following when the client leaves', async () => {
    const closing = follow(async () => 'CLOSED');
    await settle();
    closing.feed.each((subscriber) => subscriber.closed());
    expect(closing.done()).toBe(true);
    expect(closing.feed.subscribers.size).toBe(0);

    const leaving = follow(async () => 'CLOSED');
    await settle();
    leaving.subscription.unsubscribe();
    expect(leaving.feed.subscribers.size).toBe(0);
  });

  it('sends heartbeat comments while nothing changes, and none after the stream ends', async () => {
    const stream = follow(async () => 'CLOSED', 20);
    await new Promise((resolve) => setTimeout(resolve, 70));
    const heartbeats = stream.events.filter((event) => event.comment !== undefined && event.data === undefined).length;
    expect(heartbeats).toBeGreaterThanOrEqual(2);
    stream.subscription.unsubscribe();
    const sent = stream.events.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.events.length).toBe(sent);
  });

  it('ends the stream with the error when reading the record fails', async () => {
    const stream = follow(async () => {
      throw new Error('database gone');
    });
    await settle();
    expect(stream.failure()).toEqual(new Error('database gone'));
    expect(stream.feed.subscribers.size).toBe(0);
  });
});
