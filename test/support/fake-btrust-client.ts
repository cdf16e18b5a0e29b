import { BtrustError } from '../../src/btrust/btrust.errors';
import { errorForAnswer, errorForTransportFailure } from '../../src/btrust/btrust-failure-mapping';
import type { BtrustPort } from '../../src/btrust/btrust-port';
import type { BtrustOperation } from '../../src/btrust/wire/provider-answer';

/** The provider operations of the port, by their client method names. */
export type PortOperation = {
  [Name in keyof BtrustPort]: BtrustPort[Name] extends (...args: never[]) => Promise<unknown> ? Name : never;
}[keyof BtrustPort];

type ArgumentsOf<Name extends PortOperation> = Parameters<BtrustPort[Name]>;
type ResultOf<Name extends PortOperation> = Awaited<ReturnType<BtrustPort[Name]>>;

/** One scripted answer: a result, the error the client would throw, or a function of the call's arguments giving either. */
export type ScriptedAnswer<Name extends PortOperation> =
  | ResultOf<Name>
  | BtrustError
  | ((...args: ArgumentsOf<Name>) => ResultOf<Name> | BtrustError | Promise<ResultOf<Name> | BtrustError>);

export interface RecordedCall<Name extends PortOperation = PortOperation> {
  operation: Name;
  args: ArgumentsOf<Name>;
}

/**
 * B-Trust at the port boundary, in process: each operation answers what the
 * test scripted for it, in order, and every call is recorded. Answers have
 * the shapes the real client returns (typed results; BtrustError built by the
 * client's own failure mapping, so answerClass is what production computes).
 * An unscripted call fails the test that made it.
 */
export class FakeBtrustClient implements BtrustPort {
  readonly calls: RecordedCall[] = [];
  private readonly queued = new Map<PortOperation, Array<ScriptedAnswer<PortOperation>>>();
  private readonly standing = new Map<PortOperation, ScriptedAnswer<PortOperation>>();

  /** The next calls of `operation` get these answers, one each, in order. */
  answerNext<Name extends PortOperation>(operation: Name, ...answers: Array<ScriptedAnswer<Name>>): this {
    this.queued.set(operation, [...(this.queued.get(operation) ?? []), ...(answers as Array<ScriptedAnswer<PortOperation>>)]);
    return this;
  }

  /** Every call of `operation` once the queued answers are used up gets this one. */
  answerAlways<Name extends PortOperation>(operation: Name, answer: ScriptedAnswer<Name>): this {
    this.standing.set(operation, answer as ScriptedAnswer<PortOperation>);
    return this;
  }

  /** The arguments of each call of `operation`, oldest first. */
  callsOf<Name extends PortOperation>(operation: Name): Array<ArgumentsOf<Name>> {
    return this.calls.filter((call) => call.operation === operation).map((call) => call.args as ArgumentsOf<Name>);
  }

  /** Forgets the scripts and the recorded calls. */
  reset(): void {
    this.calls.length = 0;
    this.queued.clear();
    this.standing.clear();
  }

  identification(...args: ArgumentsOf<'identification'>) {
    return this.call('identification', args);
  }

  getIdentificationResult(...args: ArgumentsOf<'getIdentificationResult'>) {
    return this.call('getIdentificationResult', args);
  }

  startWebIdentification(...args: ArgumentsOf<'startWebIdentification'>) {
    return this.call('startWebIdentification', args);
  }

  createRegistration(...args: ArgumentsOf<'createRegistration'>) {
    return this.call('createRegistration', args);
  }

  getWebIdentificationResult(...args: ArgumentsOf<'getWebIdentificationResult'>) {
    return this.call('getWebIdentificationResult', args);
  }

  getSignedDocuments(...args: ArgumentsOf<'getSignedDocuments'>) {
    return this.call('getSignedDocuments', args);
  }

  startSignSession(...args: ArgumentsOf<'startSignSession'>) {
    return this.call('startSignSession', args);
  }

  getRegistrationStatus(...args: ArgumentsOf<'getRegistrationStatus'>) {
    return this.call('getRegistrationStatus', args);
  }

  getWebIdentificationStatus(...args: ArgumentsOf<'getWebIdentificationStatus'>) {
    return this.call('getWebIdentificationStatus', args);
  }

  private async call<Name extends PortOperation>(operation: Name, args: ArgumentsOf<Name>): Promise<ResultOf<Name>> {
    this.calls.push({ operation, args } as RecordedCall);
    const answer = (this.queued.get(operation)?.shift() ?? this.standing.get(operation)) as ScriptedAnswer<Name> | undefined;
    if (answer === undefined) throw new Error(`FakeBtrustClient: no answer scripted for ${operation}`);
    const given = typeof answer === 'function' ? await answer(...args) : answer;
    if (given instanceof BtrustError) throw given;
    return given;
  }
}

/**
 * The error the real client throws for an HTTP answer of B-Trust that is not
 * a usable success, e.g. `providerAnswered('getIdentificationResult', 400, 'REJECTED')`.
 */
export function providerAnswered(operation: BtrustOperation, httpStatus: number, providerCode?: string, message = 'scripted answer'): BtrustError {
  const error = errorForAnswer({ operation, httpStatus, body: providerCode === undefined ? undefined : { code: providerCode, message } });
  if (!error) throw new Error(`HTTP ${httpStatus} ${providerCode ?? ''} is a success, not an error`);
  return error;
}

/**
 * The error the real client throws when a call got no answer: `connected`
 * says whether the TLS channel was up (the request may have reached B-Trust).
 */
export function noAnswer(operation: BtrustOperation, code: 'ETIMEDOUT' | 'ECONNRESET' | 'ECONNREFUSED', connected: boolean): BtrustError {
  return errorForTransportFailure(operation, Object.assign(new Error(`scripted ${code}`), { code }), { connected });
}
