import type { AnswerClass } from '../../btrust/btrust-reading-policy';
import { decidePoll, PollAnswer, PollDecision } from './mobile-poll-decision';

const DEADLINE = Date.parse('2026-12-01T12:00:00Z');
const GRACE = 30_000;
const BEFORE = DEADLINE - 60_000;
const IN_GRACE = DEADLINE + 10_000;
const LAST_ASK = DEADLINE + GRACE;
const certificate = { misses: 0, attempts: 3 };

const at = (now: number) => ({ now, deadline: DEADLINE, graceMs: GRACE });
const failed = (answerClass: AnswerClass): PollAnswer => ({ kind: 'failed', answerClass, reason: 'The request is rejected.' });
const kindOf = (decision: PollDecision) => (decision.kind === 'end' ? decision.status : decision.kind);

describe(decidePoll.name, () => {
  it.each<[string, PollAnswer, string, string, string]>([
    // answer, before the deadline, in the grace after it, at the last ask
    ['finished with the certificate', { kind: 'finished', hasCertificate: true }, 'complete', 'complete', 'complete'],
    ['pending', { kind: 'pending' }, 'ask-again', 'ask-again', 'EXPIRED'],
    ['DEFINITIVE', failed('DEFINITIVE'), 'REJECTED', 'EXPIRED', 'EXPIRED'],
    ['NOT_YET (a 404: the provider lost or does not know it)', failed('NOT_YET'), 'ask-again', 'ask-again', 'EXPIRED'],
    ['TRANSIENT', failed('TRANSIENT'), 'ask-again', 'ask-again', 'OUTCOME_UNKNOWN'],
    ['CONFIGURATION_FAULT', failed('CONFIGURATION_FAULT'), 'ask-again', 'ask-again', 'OUTCOME_UNKNOWN'],
  ])('%s: %s before the deadline, %s just after it, %s at the last ask', (_label, answer, before, inGrace, lastAsk) => {
    expect(kindOf(decidePoll(answer, at(BEFORE), certificate))).toBe(before);
    expect(kindOf(decidePoll(answer, at(IN_GRACE), certificate))).toBe(inGrace);
    expect(kindOf(decidePoll(answer, at(LAST_ASK), certificate))).toBe(lastAsk);
    expect(kindOf(decidePoll(answer, at(LAST_ASK + 3_600_000), certificate))).toBe(lastAsk);
  });

  it('ends REJECTED with the provider\'s message, and EXPIRED with a code of its own', () => {
    expect(decidePoll(failed('DEFINITIVE'), at(BEFORE), certificate)).toEqual({
      kind: 'end',
      status: 'REJECTED',
      code: 'REJECTED',
      message: 'The request is rejected.',
    });
    expect(decidePoll({ kind: 'pending' }, at(LAST_ASK), certificate)).toMatchObject({ status: 'EXPIRED', code: 'EXPIRED' });
    expect(decidePoll(failed('TRANSIENT'), at(LAST_ASK), certificate)).toMatchObject({ code: 'PROVIDER_OUTCOME_UNKNOWN' });
  });

  it('asks again for a missing certificate until the configured attempts, deadline or not, then FAILS', () => {
    const missing: PollAnswer = { kind: 'finished', hasCertificate: false };
    expect(decidePoll(missing, at(BEFORE), { misses: 0, attempts: 3 })).toEqual({ kind: 'certificate-missing', misses: 1 });
    expect(decidePoll(missing, at(LAST_ASK), { misses: 1, attempts: 3 })).toEqual({ kind: 'certificate-missing', misses: 2 });
    expect(decidePoll(missing, at(BEFORE), { misses: 2, attempts: 3 })).toMatchObject({ kind: 'end', status: 'FAILED', code: 'EID_CERTIFICATE_MISSING', misses: 3 });
    expect(decidePoll(missing, at(BEFORE), { misses: 0, attempts: 1 })).toMatchObject({ status: 'FAILED', code: 'EID_CERTIFICATE_MISSING' });
  });
});
