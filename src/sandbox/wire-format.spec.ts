import {
  compactUtc,
  errorBody,
  languageOf,
  okEnvelope,
  providerDate,
  sofiaLocalWithMicroseconds,
  sofiaLocalWithoutOffset,
  utcWithOffset,
} from './wire-format';

describe('wire format', () => {
  it.each([
    [undefined, 'en'],
    ['bg', 'bg'],
    ['bg-BG,bg;q=0.9,en;q=0.8', 'bg'],
    ['en-US,bg;q=0.5', 'en'],
    ['de', 'en'],
  ])('reads Accept-language %p as %s', (header, language) => {
    expect(languageOf(header)).toBe(language);
  });

  it('localizes the OK envelope as the document shows', () => {
    expect(okEnvelope({ status: 'START_WEB_SESSION' }, 'bg').message).toBe('Заявката е успешно изпълнена.');
    expect(okEnvelope({}, 'en')).toEqual({ data: {}, responseCode: 'OK', code: 'OK', message: 'The request has been executed successfully.' });
  });

  it('puts data: null only in the REJECTED body', () => {
    expect(errorBody('REJECTED', 'en')).toEqual({ data: null, code: 'REJECTED', message: 'The request is rejected.' });
    expect(errorBody('UNAUTHORIZED', 'en')).toEqual({ code: 'UNAUTHORIZED', message: 'The request is unauthorized.' });
  });

  it('prints dates in the document forms', () => {
    const summer = new Date('2021-09-09T12:49:54.407Z');
    expect(utcWithOffset(summer)).toBe('2021-09-09T12:49:54.407+00:00');
    expect(sofiaLocalWithMicroseconds(summer)).toBe('2021-09-09T15:49:54.407000+03:00');
    expect(sofiaLocalWithMicroseconds(new Date('2022-01-15T22:30:00.005Z'))).toBe('2022-01-16T00:30:00.005000+02:00');
  });

  it('prints the other date forms the document does not rule out', () => {
    const summer = new Date('2021-09-14T11:25:32.132Z');
    expect(sofiaLocalWithoutOffset(summer)).toBe('2021-09-14T14:25:32.132');
    expect(sofiaLocalWithoutOffset(new Date('2022-01-15T22:30:00.005Z'))).toBe('2022-01-16T00:30:00.005');
    expect(compactUtc(new Date('2019-01-23T23:59:57.000Z'))).toBe('2019-01-23T23.59.57.000+0000');
  });

  it.each([
    ['offset', 'utc-offset', '2021-09-14T11:25:32.132+00:00'],
    ['offset', 'sofia-offset-microseconds', '2021-09-14T14:25:32.132000+03:00'],
    ['offset', 'utc-z', '2021-09-14T11:25:32.132Z'],
    ['no-offset', 'utc-offset', '2021-09-14T14:25:32.132'],
    ['no-offset', 'sofia-offset-microseconds', '2021-09-14T14:25:32.132'],
    ['compact', 'utc-z', '2021-09-14T11.25.32.132+0000'],
  ] as const)('dates=%s prints a date usually in the %s form as %s', (reading, usual, printed) => {
    expect(providerDate(new Date('2021-09-14T11:25:32.132Z'), reading, usual)).toBe(printed);
  });
});
