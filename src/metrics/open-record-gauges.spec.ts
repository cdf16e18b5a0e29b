import { StateMachine } from '../common/state-machine/state-machine';
import { COUNT_UNSETTLED_MOBILE_IDENTIFICATIONS } from '../identification/mobile/mobile-identification.repository';
import { mobileIdentificationMachine } from '../identification/mobile/mobile-identification.state';
import { COUNT_UNSETTLED_WEB_IDENTIFICATIONS } from '../identification/web/web-identification.repository';
import { webIdentificationMachine } from '../identification/web/web-identification.state';
import { COUNT_UNSETTLED_SIGNINGS } from '../signing/signing.repository';
import { signingMachine } from '../signing/signing.state';

/** The quoted state names of a statement's `status IN (...)`. */
const statesIn = (sql: string) => [.../status IN \(([^)]*)\)/.exec(sql)![1].matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]);

describe('open-record gauge statements', () => {
  // The states are written into each statement as literals, so that the partial index over the same
  // list serves it: a state added to a machine must reach its statement too, or its gauge reads 0 forever.
  it.each<[string, string, StateMachine<string>]>([
    ['mobile identifications', COUNT_UNSETTLED_MOBILE_IDENTIFICATIONS, mobileIdentificationMachine],
    ['web identifications', COUNT_UNSETTLED_WEB_IDENTIFICATIONS, webIdentificationMachine],
    ['signings', COUNT_UNSETTLED_SIGNINGS, signingMachine],
  ])('count the %s in exactly the states their machine does not settle', (_, sql, machine) => {
    const unsettled = machine.states.filter((state) => !machine.isSettled(state));
    expect(statesIn(sql).sort()).toEqual([...unsettled].sort());
  });
});
