/**
 * A state machine written once, as data: which state may follow which.
 * Every change of an entity's status goes through `applyTransition` with its
 * machine, whatever caused it (an API call, a webhook, a poll, an operator).
 */
export class StateMachine<S extends string> {
  private readonly finals: ReadonlySet<S>;

  constructor(
    readonly entity: string,
    private readonly transitions: Readonly<Record<S, readonly S[]>>,
  ) {
    this.finals = new Set((Object.keys(transitions) as S[]).filter((state) => transitions[state].length === 0));
  }

  canMove(from: S, to: S): boolean {
    return this.transitions[from]?.includes(to) ?? false;
  }

  isFinal(state: S): boolean {
    return this.finals.has(state);
  }

  get states(): S[] {
    return Object.keys(this.transitions) as S[];
  }

  get finalStates(): S[] {
    return [...this.finals];
  }
}
