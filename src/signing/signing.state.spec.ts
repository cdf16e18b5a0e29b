import { signingMachine } from './signing.state';

describe('signingMachine', () => {
  it('leaves PENDING for every outcome and nothing else', () => {
    for (const to of ['SIGNED', 'REJECTED', 'EXPIRED', 'FAILED', 'OUTCOME_UNKNOWN'] as const) expect(signingMachine.canMove('PENDING', to)).toBe(true);
    expect(signingMachine.finalStates.sort()).toEqual(['EXPIRED', 'FAILED', 'REJECTED', 'SIGNED']);
  });

  it('lets an operator or B-Trust\'s signed documents settle an OUTCOME_UNKNOWN signing', () => {
    for (const to of ['PENDING', 'SIGNED', 'FAILED'] as const) expect(signingMachine.canMove('OUTCOME_UNKNOWN', to)).toBe(true);
    expect(signingMachine.isFinal('OUTCOME_UNKNOWN')).toBe(false);
  });

  it('never reopens or re-decides a finished signing', () => {
    expect(signingMachine.canMove('SIGNED', 'FAILED')).toBe(false);
    expect(signingMachine.canMove('REJECTED', 'PENDING')).toBe(false);
    expect(signingMachine.canMove('FAILED', 'OUTCOME_UNKNOWN')).toBe(false);
  });
});
