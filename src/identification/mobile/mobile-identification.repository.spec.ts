import { OPEN_MOBILE_IDENTIFICATION } from './mobile-identification.entity';
import { CLAIM_DUE_POLLS, COUNT_OPEN } from './mobile-identification.repository';

describe('mobile identification statements', () => {
  // PostgreSQL uses a partial index only for a query whose condition implies the index's: the pollers'
  // claim and the open count would scan the table if their condition drifted from the poll-due index's.
  it.each([
    ['claims the due polls', CLAIM_DUE_POLLS],
    ['counts the open identifications', COUNT_OPEN],
  ])('%s under the condition of mobile_identifications_poll_due, word for word', (_, sql) => {
    expect(sql).toContain(`WHERE ${OPEN_MOBILE_IDENTIFICATION}`);
  });
});
