import { readWebReviewProgress, WebProgressReport } from './web-review-progress';

const inProgress: WebProgressReport = { status: 'START_WEB_SESSION', step: 'WEB_IDV_REGISTRATION', registrationStatus: 'STARTED', reviewStatus: 'N_A' };

describe(readWebReviewProgress.name, () => {
  it('keeps a session the person is still in, and unknown values, in progress', () => {
    expect(readWebReviewProgress(inProgress)).toEqual({ kind: 'ONGOING' });
    expect(readWebReviewProgress({ status: 'SOMETHING_NEW', step: null, registrationStatus: null, reviewStatus: null })).toEqual({ kind: 'ONGOING' });
  });

  it('reads COMPLETED, FINALIZE_REJECT and ALLOW_DENY without a sign session as an agent reviewing', () => {
    expect(readWebReviewProgress({ ...inProgress, registrationStatus: 'COMPLETED', reviewStatus: 'N_A' })).toEqual({ kind: 'UNDER_REVIEW' });
    expect(readWebReviewProgress({ ...inProgress, status: 'IN_PROGRESS', registrationStatus: 'COMPLETED', reviewStatus: 'FINALIZE_REJECT' })).toEqual({ kind: 'UNDER_REVIEW' });
    expect(readWebReviewProgress({ ...inProgress, registrationStatus: 'COMPLETED', reviewStatus: 'ALLOW_DENY' })).toEqual({ kind: 'UNDER_REVIEW' });
  });

  it('lets FINALIZE_REJECT win over a scenario 5 status that looks like a sign session', () => {
    expect(readWebReviewProgress({ status: 'CREATE_SIGN_SESSION_REQUEST', step: null, registrationStatus: 'COMPLETED', reviewStatus: 'FINALIZE_REJECT' })).toEqual({
      kind: 'UNDER_REVIEW',
    });
  });

  it('reads a finalized registration or a created sign session as approved, and says whether an agent may still deny it', () => {
    expect(readWebReviewProgress({ ...inProgress, registrationStatus: 'FINALIZED', reviewStatus: 'ALLOW_DENY' })).toEqual({ kind: 'APPROVED', mayStillBeDenied: true });
    expect(readWebReviewProgress({ ...inProgress, registrationStatus: 'FINALIZED', reviewStatus: 'ALLOWED' })).toEqual({ kind: 'APPROVED', mayStillBeDenied: false });
    expect(readWebReviewProgress({ ...inProgress, status: 'CREATE_SIGN_SESSION_REQUEST', registrationStatus: null, reviewStatus: null })).toMatchObject({ kind: 'APPROVED' });
    expect(readWebReviewProgress({ ...inProgress, step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED' })).toMatchObject({ kind: 'APPROVED' });
  });

  it('reads a denial and a rejection as refusals, an agent\'s when the review says DENIED', () => {
    expect(readWebReviewProgress({ ...inProgress, registrationStatus: 'REJECTED', reviewStatus: 'N_A' })).toEqual({ kind: 'REFUSED', byAgent: false, step: null });
    // After an automatic approval: scenario 5 still shows the sign session, scenario 4 the denial.
    expect(
      readWebReviewProgress({ status: 'CREATE_SIGN_SESSION_REQUEST', step: 'SIGN_SESSION_ID_SUCCESSFULLY_CREATED', registrationStatus: 'REJECTED', reviewStatus: 'DENIED' }),
    ).toEqual({ kind: 'REFUSED', byAgent: true, step: null });
  });

  it('reads the failure steps as failures that keep the step, also beside an EXPIRED registration', () => {
    expect(readWebReviewProgress({ ...inProgress, step: 'WEB_IDV_REGISTRATION_FAILED' })).toEqual({ kind: 'FAILED', step: 'WEB_IDV_REGISTRATION_FAILED' });
    expect(
      readWebReviewProgress({ ...inProgress, step: 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED', registrationStatus: 'EXPIRED' }),
    ).toEqual({ kind: 'FAILED', step: 'UPDATE_DOCUMENTS_WITH_CERTIFICATE_DATA_FAILED' });
    expect(readWebReviewProgress({ ...inProgress, step: 'SOME_NEW_STEP_FAILED' })).toEqual({ kind: 'FAILED', step: 'SOME_NEW_STEP_FAILED' });
    expect(readWebReviewProgress({ ...inProgress, step: 'WEB_IDV_REGISTRATION_FAILED', registrationStatus: 'REJECTED' })).toEqual({
      kind: 'REFUSED',
      byAgent: false,
      step: 'WEB_IDV_REGISTRATION_FAILED',
    });
  });

  it('recognises the person cancelling and the registration expiring', () => {
    expect(readWebReviewProgress({ ...inProgress, status: 'PROCESS_IS_CANCELED_BY_USER' })).toEqual({ kind: 'CANCELLED' });
    expect(readWebReviewProgress({ ...inProgress, registrationStatus: 'EXPIRED' })).toEqual({ kind: 'EXPIRED' });
  });
});
