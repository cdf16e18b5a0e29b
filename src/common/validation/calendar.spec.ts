import { isIsoDate, isLeapYear, isPlausibleBirthDate, isRealCalendarDate, latestTodayOnEarth } from './calendar';

describe(isLeapYear.name, () => {
  it.each([
    [2024, true],
    [2000, true],
    [1600, true],
    [2023, false],
    [1900, false],
    [1800, false],
    [2100, false],
  ])('says %i is a leap year: %s', (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
  });
});

describe(isRealCalendarDate.name, () => {
  it.each([
    [2024, 2, 29],
    [2000, 2, 29],
    [2023, 1, 31],
    [2023, 4, 30],
    [2023, 12, 31],
    [0, 2, 29],
  ])('accepts %i-%i-%i', (year, month, day) => {
    expect(isRealCalendarDate(year, month, day)).toBe(true);
  });

  it.each([
    [2023, 2, 29],
    [1900, 2, 29],
    [2023, 2, 30],
    [2023, 4, 31],
    [2023, 6, 31],
    [2023, 9, 31],
    [2023, 11, 31],
    [2023, 1, 32],
    [2023, 0, 1],
    [2023, 13, 1],
    [2023, 1, 0],
    [2023, 1.5, 1],
    [2023, 1, Number.NaN],
  ])('refuses %i-%i-%i', (year, month, day) => {
    expect(isRealCalendarDate(year, month, day)).toBe(false);
  });
});

describe(isIsoDate.name, () => {
  it.each(['2024-02-29', '2000-02-29', '1978-05-16', '0001-01-01', '9999-12-31'])('accepts %s', (value) => {
    expect(isIsoDate(value)).toBe(true);
  });

  it.each([
    ['2023-02-29', 'a day that does not exist'],
    ['1900-02-29', 'a century that is not a leap year'],
    ['2024-04-31', '31 April'],
    ['2024-13-01', 'month 13'],
    ['2024-00-10', 'month 00'],
    ['2024-01-00', 'day 00'],
    ['0000-01-01', 'year zero'],
    ['2024-1-01', 'a one-digit month'],
    ['24-01-01', 'a two-digit year'],
    ['+2024-01-01', 'a signed year'],
    ['2024/01/01', 'slashes'],
    ['20240101', 'the basic format'],
    ['2024-01-01T00:00:00Z', 'a time'],
    [' 2024-01-01', 'a leading space'],
    ['2024-01-01\n', 'a trailing newline'],
    ['２０２４-01-01', 'full-width digits'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (value) => {
    expect(isIsoDate(value)).toBe(false);
  });
});

describe(latestTodayOnEarth.name, () => {
  it('is the date in UTC+14, a day ahead of UTC from 10:00 UTC on', () => {
    expect(latestTodayOnEarth(new Date('2026-05-16T09:59:59Z'))).toBe('2026-05-16');
    expect(latestTodayOnEarth(new Date('2026-05-16T10:00:00Z'))).toBe('2026-05-17');
    expect(latestTodayOnEarth(new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01');
  });
});

describe(isPlausibleBirthDate.name, () => {
  const now = new Date('2026-05-16T08:00:00Z');

  it.each(['1900-01-01', '1978-05-16', '2026-05-16'])('accepts %s', (value) => {
    expect(isPlausibleBirthDate(value, now)).toBe(true);
  });

  it.each(['1899-12-31', '1800-01-01', '2026-05-17', '2999-01-01', '0001-01-01', '1978-02-30', 'yesterday'])('refuses %s', (value) => {
    expect(isPlausibleBirthDate(value, now)).toBe(false);
  });
});
