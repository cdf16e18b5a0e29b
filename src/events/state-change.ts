/** One committed status change, as `applyTransition` announces it on the state-changes channel. */
export interface StateChange {
  /** The state machine's entity name, e.g. `mobile_identification`. */
  entity: string;
  id: string;
  status: string;
}

/** The notification's payload, or undefined when it is not one (nothing else should use the channel). */
export function parseStateChange(payload: string | undefined): StateChange | undefined {
  if (!payload) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { entity, id, status } = parsed as Record<string, unknown>;
  if (typeof entity !== 'string' || typeof id !== 'string' || typeof status !== 'string') return undefined;
  return { entity, id, status };
}
