import { DEFAULT_READINGS, READING_VALUES } from './sandbox-readings';
import { notReadyYet, rejected, unknownId } from './provider-refusal';

describe('provider refusals', () => {
  it.each(READING_VALUES.rejectedStatus)('rejectedStatus=%i: a REJECTED answer about a known record has that status', (status) => {
    expect(rejected('test', { rejectedStatus: status })).toMatchObject({ httpStatus: status, code: 'REJECTED' });
  });

  it('answers an unknown id 404 REJECTED, whatever the readings', () => {
    expect(unknownId('test')).toMatchObject({ httpStatus: 404, code: 'REJECTED' });
  });

  it.each([
    ['404-not-found', 404, 'NOT_FOUND'],
    ['404-rejected', 404, 'REJECTED'],
    ['400-rejected', 400, 'REJECTED'],
  ] as const)('notYetAnswer=%s: a result asked for too early is %i %s', (notYetAnswer, httpStatus, code) => {
    expect(notReadyYet('test', { ...DEFAULT_READINGS, notYetAnswer })).toMatchObject({ httpStatus, code });
  });
});
