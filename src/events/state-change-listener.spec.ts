import { STATE_CHANGES_CHANNEL } from '../common/state-machine/apply-transition';
import { LISTEN_TO_STATE_CHANGES_SQL } from './state-change-listener';

describe('LISTEN_TO_STATE_CHANGES_SQL', () => {
  it('listens on the channel applyTransition announces on', () => {
    expect(LISTEN_TO_STATE_CHANGES_SQL).toBe(`LISTEN ${STATE_CHANGES_CHANNEL}`);
  });
});
