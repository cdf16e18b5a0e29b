import { decideUnsigned } from './signed-documents-answer';

describe(decideUnsigned.name, () => {
  const deadline = 1_000_000;
  const before = { now: deadline - 1, deadline, graceMs: 30_000 };
  const inGrace = { now: deadline + 10_000, deadline, graceMs: 30_000 };
  const after = { now: deadline + 30_000, deadline, graceMs: 30_000 };

  it('waits on a "not yet" answer until the deadline and its grace have passed', () => {
    expect(decideUnsigned('NOT_YET', before, false)).toEqual({ kind: 'wait' });
    expect(decideUnsigned('NOT_YET', inGrace, false)).toEqual({ kind: 'wait' });
    expect(decideUnsigned('NOT_YET', after, false)).toMatchObject({ kind: 'end', status: 'EXPIRED', code: 'EXPIRED' });
    expect(decideUnsigned('DEFINITIVE', after, false)).toMatchObject({ kind: 'end', status: 'EXPIRED' });
  });

  it('ends REJECTED when B-Trust\'s webhook said REJECTED and 3.3 has no documents', () => {
    expect(decideUnsigned('NOT_YET', before, true)).toMatchObject({ kind: 'end', status: 'REJECTED', code: 'REJECTED' });
    expect(decideUnsigned('NOT_YET', after, true)).toMatchObject({ kind: 'end', status: 'REJECTED' });
  });

  it.each(['TRANSIENT', 'CONFIGURATION_FAULT', 'UNKNOWN_OUTCOME'] as const)('never ends on %s, before or after the deadline', (answerClass) => {
    expect(decideUnsigned(answerClass, before, true)).toEqual({ kind: 'retry' });
    expect(decideUnsigned(answerClass, after, false)).toEqual({ kind: 'retry' });
  });
});
