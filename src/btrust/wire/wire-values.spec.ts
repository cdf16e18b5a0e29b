import {
  decodeStrictBase64,
  looksLikePdf,
  parseProviderDate,
  readWireId,
  toWireDateOfBirth,
} from './wire-values';

describe(parseProviderDate.name, () => {
  it.each([
    ['2021-09-14T11:25:32.132+00:00', '2021-09-14T11:25:32.132Z'],
    ['2021-09-09T15:49:54.407246+03:00', '2021-09-09T12:49:54.407Z'],
    ['2022-02-16T16:36:43.616Z', '2022-02-16T16:36:43.616Z'],
    ['2021-09-10T20:59:59.000+0000', '2021-09-10T20:59:59.000Z'],
    ['2019-01-23T23.59.57.000+0000', '2019-01-23T23:59:57.000Z'],
    ['2021-09-10T20:59:59+02', '2021-09-10T18:59:59.000Z'],
    ['2021-09-10T20:59:59.5-01:30', '2021-09-10T22:29:59.500Z'],
    ['2021-09-10T20:59:59.123456789Z', '2021-09-10T20:59:59.123Z'],
    ['2021-09-10 20:59:59Z', '2021-09-10T20:59:59.000Z'],
  ])('reads %s as %s', (input, expected) => {
    expect(parseProviderDate(input)?.toISOString()).toBe(expected);
  });

  it.each([
    ['summer time', '2021-09-14T14:25:32.132', '2021-09-14T11:25:32.132Z'],
    ['winter time', '2021-01-14T14:25:32', '2021-01-14T12:25:32.000Z'],
    ["the sister API's compact form", '2019-01-23T23.59.57.000', '2019-01-23T21:59:57.000Z'],
    ['the last second before summer time', '2024-03-31T02:59:59', '2024-03-31T00:59:59.000Z'],
    ['the first second of summer time', '2024-03-31T04:00:00', '2024-03-31T01:00:00.000Z'],
    ['an hour that summer time skips, as the later instant', '2024-03-31T03:30:00', '2024-03-31T01:30:00.000Z'],
    ['an hour that occurs twice in autumn, as the later instant', '2024-10-27T03:30:00', '2024-10-27T01:30:00.000Z'],
    ['the first second of winter time', '2024-10-27T04:00:00', '2024-10-27T02:00:00.000Z'],
  ])('reads a date-time without a zone as Sofia time: %s', (_label, input, expected) => {
    expect(parseProviderDate(input)?.toISOString()).toBe(expected);
  });

  it('reads a date-time without a zone in the zone it is given', () => {
    expect(parseProviderDate('2021-09-14T14:25:32', 'UTC')?.toISOString()).toBe('2021-09-14T14:25:32.000Z');
    expect(parseProviderDate('2021-09-14T14:25:32', 'America/New_York')?.toISOString()).toBe('2021-09-14T18:25:32.000Z');
  });

  it('ignores the zone setting when the date carries an offset', () => {
    expect(parseProviderDate('2021-09-14T14:25:32Z', 'America/New_York')?.toISOString()).toBe('2021-09-14T14:25:32.000Z');
  });

  it.each([
    ['a day that does not exist', '2021-02-30T10:00:00Z'],
    ['an hour out of range', '2021-09-10T24:00:00Z'],
    ['a zone out of range', '2021-09-10T20:00:00+15:00'],
    ['a date only', '2021-09-10'],
    ['free text', 'tomorrow'],
    ['an empty string', ''],
    ['a number', 1631270399000],
    ['null', null],
    ['the document placeholder', 'string'],
  ])('returns null for %s', (_label, input) => {
    expect(parseProviderDate(input)).toBeNull();
  });
});

describe(toWireDateOfBirth.name, () => {
  it('rewrites an ISO date as dd-MM-yyyy', () => {
    expect(toWireDateOfBirth('1978-05-16')).toBe('16-05-1978');
    expect(toWireDateOfBirth('2004-02-29')).toBe('29-02-2004');
  });

  it.each(['16-05-1978', '1978-5-16', '2003-02-29', '1978-13-01', '', '1978-05-16T00:00:00Z'])(
    'refuses %p',
    (input) => {
      expect(toWireDateOfBirth(input)).toBeNull();
    },
  );
});

describe(readWireId.name, () => {
  it('keeps string ids and turns integer ids into strings', () => {
    expect(readWireId('95')).toBe('95');
    expect(readWireId(95)).toBe('95');
    expect(readWireId('245ccb3e-5105-4930-8855-b6b46b0edc3d')).toBe('245ccb3e-5105-4930-8855-b6b46b0edc3d');
  });

  it.each([[''], ['   '], [1.5], [-1], [Number.MAX_SAFE_INTEGER + 2], [true], [null], [undefined], [{}]])(
    'refuses %p',
    (input) => {
      expect(readWireId(input)).toBeNull();
    },
  );
});

describe(decodeStrictBase64.name, () => {
  it('decodes padded standard base64, tolerating line breaks', () => {
    const content = Buffer.from('%PDF-1.7 a small document');
    const encoded = content.toString('base64');
    expect(decodeStrictBase64(encoded)).toEqual(content);
    expect(decodeStrictBase64(`${encoded.slice(0, 8)}\r\n${encoded.slice(8)}`)).toEqual(content);
  });

  it.each([
    ['the document truncated with an ellipsis', 'JVBERi0xLjUN...'],
    ['unpadded base64', 'JVBERi0xLjYKJfbk/N8KMSAwIG9iago'],
    ['base64url alphabet', 'JVBERi0x-_8='],
    ['padding in the middle', 'JV==Ri0x'],
    ['an empty string', ''],
    ['spaces', 'JVBE Ri0x'],
  ])('refuses %s', (_label, input) => {
    expect(decodeStrictBase64(input)).toBeNull();
  });
});

describe(looksLikePdf.name, () => {
  it('recognises the PDF header, also after leading bytes', () => {
    expect(looksLikePdf(Buffer.from('%PDF-1.5\n'))).toBe(true);
    expect(looksLikePdf(Buffer.concat([Buffer.alloc(10), Buffer.from('%PDF-1.5')]))).toBe(true);
  });

  it('refuses other content', () => {
    expect(looksLikePdf(Buffer.from('<html>'))).toBe(false);
  });
});
