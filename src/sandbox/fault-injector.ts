/**
 * Faults the control API arms for the next calls of one API operation, and
 * the count of calls per operation. Operation names are the relying-party
 * client's method names, so a test reads as the code it exercises.
 */

export const API_OPERATIONS = [
  'identification',
  'getIdentificationResult',
  'startWebIdentification',
  'createRegistration',
  'getWebIdentificationResult',
  'getSignedDocuments',
  'startSignSession',
  'getRegistrationStatus',
  'getWebIdentificationStatus',
] as const;

export type ApiOperation = (typeof API_OPERATIONS)[number];

export const TRANSPORT_FAULT_KINDS = ['http500', 'http503', 'delay', 'reset', 'malformed'] as const;
export const TAMPER_FAULT_KINDS = [
  'tamper-flip-byte',
  'tamper-append',
  'tamper-foreign-ca',
  'tamper-other-document',
  // Not a tampering of the documents sent: 3.3 answers with one more, signed, that was never sent.
  'extra-document',
] as const;

export type TransportFaultKind = (typeof TRANSPORT_FAULT_KINDS)[number];
export type TamperFaultKind = (typeof TAMPER_FAULT_KINDS)[number];
export type FaultKind = TransportFaultKind | TamperFaultKind;

export interface Fault {
  kind: FaultKind;
  delayMs: number;
}

interface ArmedFault extends Fault {
  remaining: number;
}

export class FaultDefinitionError extends Error {}

const MAX_DELAY_MS = 120_000;

export class FaultInjector {
  private readonly armed = new Map<ApiOperation, ArmedFault[]>();
  private readonly calls = new Map<ApiOperation, number>();

  /** Validates a control-API request body and arms it; throws FaultDefinitionError naming the bad field. */
  arm(definition: Record<string, unknown>): { operation: ApiOperation; kind: FaultKind; count: number; delayMs: number } {
    const { operation, kind, count, delayMs } = definition;
    if (!API_OPERATIONS.includes(operation as ApiOperation)) {
      throw new FaultDefinitionError(`operation must be one of ${API_OPERATIONS.join(', ')}`);
    }
    const isTransport = TRANSPORT_FAULT_KINDS.includes(kind as TransportFaultKind);
    const isTamper = TAMPER_FAULT_KINDS.includes(kind as TamperFaultKind);
    if (!isTransport && !isTamper) {
      throw new FaultDefinitionError(`kind must be one of ${[...TRANSPORT_FAULT_KINDS, ...TAMPER_FAULT_KINDS].join(', ')}`);
    }
    if (isTamper && operation !== 'getSignedDocuments') {
      throw new FaultDefinitionError('tamper faults apply to getSignedDocuments only');
    }
    const times = count === undefined ? 1 : count;
    if (!Number.isInteger(times) || (times as number) < 1) {
      throw new FaultDefinitionError('count must be a positive whole number');
    }
    const delay = delayMs === undefined ? 0 : delayMs;
    if (!Number.isInteger(delay) || (delay as number) < 0 || (delay as number) > MAX_DELAY_MS) {
      throw new FaultDefinitionError(`delayMs must be a whole number from 0 to ${MAX_DELAY_MS}`);
    }
    if (kind === 'delay' && delay === 0) {
      throw new FaultDefinitionError('a delay fault needs delayMs');
    }
    const fault: ArmedFault = { kind: kind as FaultKind, delayMs: delay as number, remaining: times as number };
    const queue = this.armed.get(operation as ApiOperation) ?? [];
    queue.push(fault);
    this.armed.set(operation as ApiOperation, queue);
    return { operation: operation as ApiOperation, kind: fault.kind, count: fault.remaining, delayMs: fault.delayMs };
  }

  /** Counts the call and returns the fault it must suffer, if any; faults fire in the order they were armed. */
  takeTransportFault(operation: ApiOperation): Fault | undefined {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    return this.take(operation, (kind) => TRANSPORT_FAULT_KINDS.includes(kind as TransportFaultKind));
  }

  /** Taken only when a signing result is actually being answered, so a pending result does not use it up. */
  takeTamperFault(): TamperFaultKind | undefined {
    return this.take('getSignedDocuments', (kind) => TAMPER_FAULT_KINDS.includes(kind as TamperFaultKind))?.kind as
      | TamperFaultKind
      | undefined;
  }

  clear(): void {
    this.armed.clear();
  }

  callCounts(): Record<ApiOperation, number> {
    return Object.fromEntries(API_OPERATIONS.map((operation) => [operation, this.calls.get(operation) ?? 0])) as Record<
      ApiOperation,
      number
    >;
  }

  resetCallCounts(): void {
    this.calls.clear();
  }

  armedFaults(): Array<{ operation: ApiOperation; kind: FaultKind; remaining: number; delayMs: number }> {
    return [...this.armed].flatMap(([operation, faults]) => faults.map((fault) => ({ operation, ...fault })));
  }

  private take(operation: ApiOperation, matches: (kind: FaultKind) => boolean): Fault | undefined {
    const queue = this.armed.get(operation);
    const fault = queue?.find((candidate) => matches(candidate.kind));
    if (!queue || !fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) queue.splice(queue.indexOf(fault), 1);
    return { kind: fault.kind, delayMs: fault.delayMs };
  }
}
