/**
 * A state machine written once, as data: which state may follow which.
 * Every change of an entity's status goes through `applyTransition` with its
 * machine, whatever caused it (an API call, a webhook, a poll, an operator).
 *
 * A final state has no way out. A resting state has one, but the flow has
 * reached its result there and waits for nothing: it is not an open record
 * (no deadline, not in the open-record gauges), a live-status stream ends on
 * it, and retention treats it as finished.
 */
export class StateMachine<S extends string> {
  private readonly finals: ReadonlySet<S>;
  private readonly resting: ReadonlySet<S>;

  constructor(
    readonly entity: string,
    private readonly transitions: Readonly<Record<S, readonly S[]>>,
    options: { resting?: readonly S[] } = {},
  ) {
    this.finals = new Set((Object.keys(transitions) as S[]).filter((state) => transitions[state].length === 0));
    this.resting = new Set(options.resting ?? []);
  }

  canMove(from: S, to: S): boolean {
    return this.transitions[from]?.includes(to) ?? false;
  }

  isFinal(state: S): boolean {
    return this.finals.has(state);
  }

  /** Final or resting: the flow has its result. */
  isSettled(state: S): boolean {
    return this.finals.has(state) || this.resting.has(state);
  }

  get states(): S[] {
    return Object.keys(this.transitions) as S[];
  }

  get finalStates(): S[] {
    return [...this.finals];
  }

  get settledStates(): S[] {
    return this.states.filter((state) => this.isSettled(state));
  }
}
