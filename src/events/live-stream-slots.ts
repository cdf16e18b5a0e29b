import type { LiveStatusConfig } from '../config/app-config';

/** Which cap refused a stream: the owner's, or the instance's. */
export type StreamLimit = 'user' | 'instance';

export type SlotDecision = { taken: true; release: () => void } | { taken: false; limit: StreamLimit };

/**
 * Counts the live-status streams this instance holds open, per owner and in
 * all, against the configured caps. In memory: a stream lives on one
 * instance's socket, and its slot dies with it.
 */
export class LiveStreamSlots {
  private readonly perOwner = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: LiveStatusConfig) {}

  /** Streams open now, across all owners. */
  get open(): number {
    return this.total;
  }

  /** Takes a slot for one more stream of `owner`; `release` gives it back, however often it is called. */
  take(owner: string): SlotDecision {
    const owned = this.perOwner.get(owner) ?? 0;
    if (owned >= this.limits.maxStreamsPerUser) return { taken: false, limit: 'user' };
    if (this.total >= this.limits.maxStreams) return { taken: false, limit: 'instance' };
    this.perOwner.set(owner, owned + 1);
    this.total++;
    let released = false;
    return {
      taken: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.perOwner.get(owner) ?? 1) - 1;
        if (left === 0) this.perOwner.delete(owner);
        else this.perOwner.set(owner, left);
      },
    };
  }
}
