import { decideWebProgress, WebTiming } from './web-identification-progress';

const HOUR = 3_600_000;
const before: WebTiming = { now: 0, sessionDeadline: HOUR, reviewDeadline: null, graceMs: 30_000 };
const pastSession: WebTiming = { ...before, now: HOUR + 30_000 };

describe(decideWebProgress.name, () => {
  it('keeps a STARTED identification open until the web session and the grace have passed, then ends it at that last ask', () => {
    expect(decideWebProgress('STARTED', { kind: 'ONGOING' }, before)).toEqual({ kind: 'stay' });
    expect(decideWebProgress('STARTED', { kind: 'ONGOING' }, { ...before, now: HOUR + 29_999 })).toEqual({ kind: 'stay' });
    expect(decideWebProgress('STARTED', { kind: 'ONGOING' }, pastSession)).toMatchObject({ kind: 'end', status: 'EXPIRED', code: 'EXPIRED' });
  });

  it('moves to UNDER_REVIEW even past the web session, and never expires a review by that date', () => {
    expect(decideWebProgress('STARTED', { kind: 'UNDER_REVIEW' }, pastSession)).toEqual({ kind: 'review' });
    const reviewing = { ...pastSession, now: 10 * HOUR, reviewDeadline: 24 * HOUR };
    expect(decideWebProgress('UNDER_REVIEW', { kind: 'UNDER_REVIEW' }, reviewing)).toEqual({ kind: 'stay' });
    expect(decideWebProgress('UNDER_REVIEW', { kind: 'ONGOING' }, reviewing)).toEqual({ kind: 'stay' });
  });

  it('ends a review only past WEB_REVIEW_MAX_MS and the grace, as REVIEW_TIMED_OUT', () => {
    const timing = { ...before, reviewDeadline: 24 * HOUR };
    expect(decideWebProgress('UNDER_REVIEW', { kind: 'UNDER_REVIEW' }, { ...timing, now: 24 * HOUR + 29_999 })).toEqual({ kind: 'stay' });
    expect(decideWebProgress('UNDER_REVIEW', { kind: 'UNDER_REVIEW' }, { ...timing, now: 24 * HOUR + 30_000 })).toMatchObject({
      kind: 'end',
      status: 'EXPIRED',
      code: 'REVIEW_TIMED_OUT',
    });
  });

  it('confirms an approval by fetching the result, from STARTED or UNDER_REVIEW, past any date', () => {
    expect(decideWebProgress('STARTED', { kind: 'APPROVED', mayStillBeDenied: true }, pastSession)).toEqual({ kind: 'confirm' });
    expect(decideWebProgress('UNDER_REVIEW', { kind: 'APPROVED', mayStillBeDenied: false }, pastSession)).toEqual({ kind: 'confirm' });
  });

  it('ends failure steps FAILED with the step as the code, never EXPIRED', () => {
    for (const timing of [before, pastSession]) {
      expect(decideWebProgress('STARTED', { kind: 'FAILED', step: 'A_CHECK_FAILED' }, timing)).toMatchObject({
        kind: 'end',
        status: 'FAILED',
        code: 'A_CHECK_FAILED',
      });
    }
  });

  it('rejects a refusal before approval and denies one after it', () => {
    expect(decideWebProgress('UNDER_REVIEW', { kind: 'REFUSED', byAgent: true, step: null }, before)).toMatchObject({ kind: 'end', status: 'REJECTED' });
    expect(decideWebProgress('IDENTIFIED', { kind: 'REFUSED', byAgent: true, step: null }, pastSession)).toMatchObject({
      kind: 'end',
      status: 'DENIED',
      code: 'IDENTIFICATION_DENIED',
    });
  });

  it('leaves an IDENTIFIED identification resting on anything but a refusal, and a final one alone', () => {
    for (const kind of ['ONGOING', 'UNDER_REVIEW', 'CANCELLED', 'EXPIRED'] as const) {
      expect(decideWebProgress('IDENTIFIED', { kind }, pastSession)).toEqual({ kind: 'stay' });
    }
    expect(decideWebProgress('IDENTIFIED', { kind: 'FAILED', step: 'A_LATER_STEP_FAILED' }, pastSession)).toEqual({ kind: 'stay' });
    expect(decideWebProgress('DENIED', { kind: 'APPROVED', mayStillBeDenied: false }, before)).toEqual({ kind: 'stay' });
  });
});
