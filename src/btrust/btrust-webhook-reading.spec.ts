import { readWebhook } from './btrust-webhook-reading';

describe(readWebhook.name, () => {
  it('reads 2.4 (CREATE_SIGN_SESSION_REQUEST) as an identification whose result can be fetched', () => {
    expect(readWebhook({ processState: 'CREATE_SIGN_SESSION_REQUEST', providerCode: 'OK' })).toEqual({
      concerns: 'IDENTIFICATION',
      resultAnnounced: true,
      refusalHinted: false,
    });
  });

  it('reads 3.2 (SIGN_SESSION) as a signing whose documents can be fetched, even with code REJECTED', () => {
    expect(readWebhook({ processState: 'SIGN_SESSION', providerCode: 'REJECTED' })).toEqual({
      concerns: 'SIGNING',
      resultAnnounced: true,
      refusalHinted: true,
    });
  });

  it('reads a REJECTED identification webhook as a hint to ask for the status, not to fetch 2.5', () => {
    expect(readWebhook({ processState: 'CREATE_SIGN_SESSION_REQUEST', providerCode: 'REJECTED' })).toEqual({
      concerns: 'IDENTIFICATION',
      resultAnnounced: false,
      refusalHinted: true,
    });
  });

  it.each(['PROCESS_IS_CANCELED_BY_USER', 'WEB_IDV_REGISTRATION', 'SOMETHING_NEW'])(
    'reads a processState the document does not name (%s) as an identification status change to ask about',
    (processState) => {
      expect(readWebhook({ processState, providerCode: null })).toEqual({ concerns: 'IDENTIFICATION', resultAnnounced: false, refusalHinted: false });
    },
  );
});
