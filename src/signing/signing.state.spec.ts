import { signingMachine } from './signing.state';

describe('signingMachine', () => {
  it('leaves PENDING for every outcome and nothing else', () => {
    for (const to of ['SIGNED', 'REJECTED', 'EXPIRED', 'FAILED'] as const) expect(signingMachine.canMove('PENDING', to)).toBe(true);
    expect(signingMachine.finalStates.sort()).toEqual(['EXPIRED', 'FAILED', 'REJECTED', 'SIGNED']);
  });

  it('never reopens or re-decides a finished signing', () => {
    expect(signingMachine.canMove('SIGNED', 'FAILED')).toBe(false);
    expect(signingMachine.canMove('REJECTED', 'PENDING')).toBe(false);
  });
});
