import { BtrustCallbackFormatError } from '../btrust.errors';
import { parseBtrustCallback } from './webhook.wire';
import { fixture, withValue } from '../../../test/support/btrust-wire-answers';

describe(parseBtrustCallback.name, () => {
  it('reads callback.identification.json (resultId a string, ids numbers)', () => {
    expect(parseBtrustCallback(fixture('callback.identification.json'))).toEqual({
      requestId: '315',
      relyingPartyId: '24102167',
      processState: 'CREATE_SIGN_SESSION_REQUEST',
      sessionId: '245ccb3e-5105-4930-8855-b6b46b0edc3d',
      resultId: '95',
      providerCode: 'OK',
      message: 'The request has been executed successfully.',
      dataMessage: 'The request with resultID 95 completed successfully',
    });
  });

  it('reads callback.signing.json (resultId a number)', () => {
    expect(parseBtrustCallback(fixture('callback.signing.json'))).toMatchObject({
      requestId: '327',
      relyingPartyId: '24102167',
      processState: 'SIGN_SESSION',
      sessionId: '491d8265-c299-41b7-b8bc-9daafdce077c',
      resultId: '109',
    });
  });

  it('accepts a callback without the informative fields', () => {
    const body = fixture('callback.signing.json');
    delete body.code;
    delete body.message;
    delete body.data.dataMessage;
    expect(parseBtrustCallback(body)).toMatchObject({ providerCode: null, message: null, dataMessage: null });
  });

  function problemsOf(body: unknown): readonly string[] {
    try {
      parseBtrustCallback(body);
    } catch (error) {
      expect(error).toBeInstanceOf(BtrustCallbackFormatError);
      return (error as BtrustCallbackFormatError).problems;
    }
    throw new Error('expected the callback to be refused');
  }

  it.each([null, 'text', [], 42])('refuses a body that is not an object: %p', (body) => {
    expect(problemsOf(body)).toEqual(['the body is not a JSON object']);
  });

  it('lists every problem of a malformed callback', () => {
    const body = { code: 'OK', requestId: 1.5, data: { processState: 7, sessionId: '', resultId: { id: 1 } } };
    const problems = problemsOf(body);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('requestId'),
        expect.stringContaining('relyingPartyId'),
        expect.stringContaining('data.processState'),
        expect.stringContaining('data.sessionId'),
        expect.stringContaining('data.resultId'),
      ]),
    );
  });

  it('refuses a callback without data', () => {
    const body = fixture('callback.identification.json');
    delete body.data;
    expect(problemsOf(body)).toEqual(expect.arrayContaining(['data is missing or is not an object']));
  });

  it('refuses ids with control characters or of unreasonable length', () => {
    const body = withValue(fixture('callback.identification.json'), ['data', 'sessionId'], 'a\nb');
    expect(problemsOf(body)).toEqual([expect.stringContaining('data.sessionId')]);
    const long = withValue(fixture('callback.identification.json'), ['data', 'resultId'], '9'.repeat(201));
    expect(problemsOf(long)).toEqual([expect.stringContaining('data.resultId')]);
  });

  it.each([
    [['requestId'], '315\u0000'],
    [['relyingPartyId'], '24102167\u0085'],
    [['data', 'processState'], 'SIGN_SESSION\u0000'],
    [['data', 'sessionId'], '245ccb3e\u007f'],
    [['data', 'resultId'], '95\u0000'],
    [['code'], 'OK\u0000'],
    [['code'], 'OK\n'],
    [['message'], 'executed\u0000successfully'],
    [['message'], 'executed\u009bsuccessfully'],
    [['data', 'dataMessage'], 'completed\u0000'],
  ])('refuses %j holding a control character', (path, value) => {
    const body = withValue(fixture('callback.identification.json'), path, value);
    expect(problemsOf(body)).toEqual([expect.stringContaining(path.join('.'))]);
  });

  it('keeps tabs and line breaks in the provider\'s free-text messages', () => {
    const body = withValue(withValue(fixture('callback.identification.json'), ['message'], 'line one\r\nline two'), ['data', 'dataMessage'], 'a\tb\nc');
    expect(parseBtrustCallback(body)).toMatchObject({ message: 'line one\r\nline two', dataMessage: 'a\tb\nc' });
  });
});
