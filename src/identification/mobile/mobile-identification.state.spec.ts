import { OPEN_MOBILE_IDENTIFICATION, UNFINISHED_MOBILE_IDENTIFICATION } from './mobile-identification.entity';
import { mobileIdentificationMachine } from './mobile-identification.state';

const statesIn = (sql: string) => [...sql.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]);

describe('mobile identification states', () => {
  it('keeps OUTCOME_UNKNOWN open: an operator or a refresh ends it, never a poll of its own', () => {
    expect(mobileIdentificationMachine.isFinal('OUTCOME_UNKNOWN')).toBe(false);
    expect(mobileIdentificationMachine.canMove('OUTCOME_UNKNOWN', 'PENDING')).toBe(true);
    expect(mobileIdentificationMachine.canMove('OUTCOME_UNKNOWN', 'FAILED')).toBe(true);
    expect(mobileIdentificationMachine.canMove('FAILED', 'OUTCOME_UNKNOWN')).toBe(false);
    expect(statesIn(OPEN_MOBILE_IDENTIFICATION)).not.toContain('OUTCOME_UNKNOWN');
  });

  it('indexes for the open-record gauges exactly the states that are not final, in the order the gauges ask for them', () => {
    const unfinished = mobileIdentificationMachine.states.filter((state) => !mobileIdentificationMachine.isFinal(state));
    expect(statesIn(UNFINISHED_MOBILE_IDENTIFICATION)).toEqual(unfinished);
  });
});
