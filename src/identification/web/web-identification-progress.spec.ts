import { interpretWebProgress, ProviderProgress } from './web-identification-progress';

const open: ProviderProgress = { status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION', registrationStatus: 'STARTED', reviewStatus: 'N_A' };

describe(interpretWebProgress.name, () => {
  it('keeps a session in progress open until it expires', () => {
    expect(interpretWebProgress(open, false)).toBe('OPEN');
    expect(interpretWebProgress(open, true)).toBe('EXPIRED');
  });

  it('recognises a cancellation by the person', () => {
    expect(interpretWebProgress({ ...open, status: 'PROCESS_IS_CANCELED_BY_USER' }, false)).toBe('CANCELLED');
  });

  it('recognises a refusal by the registration or its review', () => {
    expect(interpretWebProgress({ ...open, registrationStatus: 'REJECTED' }, false)).toBe('REJECTED');
    expect(interpretWebProgress({ ...open, registrationStatus: 'COMPLETED', reviewStatus: 'DENIED' }, false)).toBe('REJECTED');
    expect(interpretWebProgress({ ...open, registrationStatus: 'EXPIRED' }, false)).toBe('EXPIRED');
  });

  it('treats a created sign session or a finalized registration as identified', () => {
    expect(interpretWebProgress({ ...open, status: 'CREATE_SIGN_SESSION_REQUEST' }, false)).toBe('IDENTIFIED');
    expect(interpretWebProgress({ ...open, step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED' }, false)).toBe('IDENTIFIED');
    expect(interpretWebProgress({ ...open, registrationStatus: 'FINALIZED', reviewStatus: 'ALLOW_DENY' }, true)).toBe('IDENTIFIED');
  });

  it('keeps unknown provider values open rather than guessing', () => {
    expect(interpretWebProgress({ status: 'SOMETHING_NEW', step: null, registrationStatus: null, reviewStatus: null }, false)).toBe('OPEN');
  });
});
