import { StateMachine } from '../common/state-machine/state-machine';
import { OPEN_MOBILE_IDENTIFICATION, UNFINISHED_MOBILE_IDENTIFICATION } from '../identification/mobile/mobile-identification.entity';
import { COUNT_POLLS_DUE, COUNT_UNSETTLED_MOBILE_IDENTIFICATIONS } from '../identification/mobile/mobile-identification.repository';
import { mobileIdentificationMachine } from '../identification/mobile/mobile-identification.state';
import { OPEN_WEB_IDENTIFICATION } from '../identification/web/web-identification.entity';
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

  // PostgreSQL uses a partial index only for a query whose condition implies the index's.
  it.each([
    ['the polls due', COUNT_POLLS_DUE, 'mobile_identifications_poll_due', OPEN_MOBILE_IDENTIFICATION],
    ['the unsettled mobile identifications', COUNT_UNSETTLED_MOBILE_IDENTIFICATIONS, 'mobile_identifications_unfinished', UNFINISHED_MOBILE_IDENTIFICATION],
    ['the unsettled web identifications', COUNT_UNSETTLED_WEB_IDENTIFICATIONS, 'web_identifications_open', OPEN_WEB_IDENTIFICATION],
  ])('count %s under the condition of %s, word for word', (_, sql, __, condition) => {
    expect(sql).toContain(`WHERE ${condition}`);
  });
});
