import { LiveStreamSlots, SlotDecision } from './live-stream-slots';

const released = (decision: SlotDecision) => {
  if (!decision.taken) throw new Error(`refused by the ${decision.limit} cap`);
  return decision.release;
};

describe(LiveStreamSlots.name, () => {
  it('refuses an owner past the per-user cap while others still get slots', () => {
    const slots = new LiveStreamSlots({ maxStreamsPerUser: 2, maxStreams: 10 });
    released(slots.take('alice'));
    released(slots.take('alice'));
    expect(slots.take('alice')).toEqual({ taken: false, limit: 'user' });
    released(slots.take('bob'));
    expect(slots.open).toBe(3);
  });

  it('refuses everyone past the instance cap', () => {
    const slots = new LiveStreamSlots({ maxStreamsPerUser: 2, maxStreams: 3 });
    released(slots.take('alice'));
    released(slots.take('alice'));
    released(slots.take('bob'));
    expect(slots.take('carol')).toEqual({ taken: false, limit: 'instance' });
    expect(slots.take('alice')).toEqual({ taken: false, limit: 'user' });
  });

  it('frees a slot on release, once however often release is called', () => {
    const slots = new LiveStreamSlots({ maxStreamsPerUser: 1, maxStreams: 2 });
    const release = released(slots.take('alice'));
    released(slots.take('bob'));
    release();
    release();
    expect(slots.open).toBe(1);
    released(slots.take('alice'));
    expect(slots.take('carol')).toEqual({ taken: false, limit: 'instance' });
  });
});
