import { isValidLnc, maskIdentifier, parseEgn } from './bulgarian-identifiers';

/** Check digits below were computed by hand from the published weights. */
describe(parseEgn.name, () => {
  it.each([
    ['7805166742', '1978-05-16', 'male'],
    ['8501014470', '1985-01-01', 'female'],
    ['0543011238', '2005-03-01', 'female'],
    ['0042294562', '2000-02-29', 'male'],
    ['0442291110', '2004-02-29', 'female'],
    ['9952319991', '2099-12-31', 'female'],
    ['0021010008', '1800-01-01', 'male'],
    ['9932310006', '1899-12-31', 'male'],
  ])('reads %s as born %s, %s', (egn, birthDate, sex) => {
    expect(parseEgn(egn)).toEqual({ ok: true, birthDate, sex });
  });

  it('accepts a check digit of 0 when the weighted sum leaves a remainder of 10', () => {
    expect(parseEgn('0442291110')).toEqual(expect.objectContaining({ ok: true }));
    expect(parseEgn('7800166740')).toEqual({ ok: false, reason: 'DATE' });
  });

  it.each(['7805166742', '0543011238', '0442291110', '9932310006'])(
    'refuses %s with any other last digit as CHECKSUM',
    (egn) => {
      const wrongDigits = '0123456789'.split('').filter((digit) => digit !== egn[9]);
      for (const digit of wrongDigits) {
        expect(parseEgn(egn.slice(0, 9) + digit)).toEqual({ ok: false, reason: 'CHECKSUM' });
      }
    },
  );

  it('refuses two swapped neighbouring digits as CHECKSUM', () => {
    expect(parseEgn('7805166472')).toEqual({ ok: false, reason: 'CHECKSUM' });
  });

  it('reads the sex from the parity of the 9th digit', () => {
    expect(parseEgn('8501014470')).toEqual(expect.objectContaining({ sex: 'female' }));
    expect(parseEgn('7805166742')).toEqual(expect.objectContaining({ sex: 'male' }));
  });

  // Every value here carries a correct check digit, so only the date can be at fault.
  it.each([
    ['0002290001', '29 February 1900, not a leap year'],
    ['0022290006', '29 February 1800, not a leap year'],
    ['2342290005', '29 February 2023'],
    ['7804316745', '31 April'],
    ['7805006744', 'day 00'],
    ['7805326748', 'day 32'],
    ['7800166740', 'month 00'],
    ['7813166740', 'month 13'],
    ['7820166744', 'month 20, between the 1900s and the 1800s ranges'],
    ['7833166745', 'month 33, past the 1800s range'],
    ['7840166749', 'month 40, between the 1800s and the 2000s ranges'],
    ['7853166740', 'month 53, past the 2000s range'],
  ])('refuses %s (%s) as DATE', (egn) => {
    expect(parseEgn(egn)).toEqual({ ok: false, reason: 'DATE' });
  });

  it.each([
    '',
    '780516674',
    '78051667421',
    '78O5166742',
    ' 7805166742',
    '7805166742 ',
    '7805166742\n',
    '780516-6742',
    '+780516674',
    '７８０５１６６７４２',
    '٧٨٠٥١٦٦٧٤٢',
  ])('refuses %j as FORMAT', (egn) => {
    expect(parseEgn(egn)).toEqual({ ok: false, reason: 'FORMAT' });
  });

  it('refuses a value that is not a string as FORMAT', () => {
    expect(parseEgn(7805166742 as unknown as string)).toEqual({ ok: false, reason: 'FORMAT' });
  });
});

describe(isValidLnc.name, () => {
  it.each(['1001000004', '1234567893', '9876543217', '0000000000'])('accepts %s', (lnc) => {
    expect(isValidLnc(lnc)).toBe(true);
  });

  it.each(['1001000004', '1234567893', '9876543217'])('refuses %s with any other last digit', (lnc) => {
    for (const digit of '0123456789'.split('').filter((d) => d !== lnc[9])) {
      expect(isValidLnc(lnc.slice(0, 9) + digit)).toBe(false);
    }
  });

  it('refuses two swapped neighbouring digits', () => {
    expect(isValidLnc('1234567983')).toBe(false);
  });

  it('does not accept an EGN whose check digit only fits the EGN weights', () => {
    expect(isValidLnc('7805166742')).toBe(false);
  });

  it.each(['', '123456789', '12345678934', '123456789O', ' 1234567893', '1234567893\n', '１２３４５６７８９３'])(
    'refuses the malformed %j',
    (lnc) => expect(isValidLnc(lnc)).toBe(false),
  );
});

describe(maskIdentifier.name, () => {
  it.each([
    ['7805166742', '******6742'],
    ['1234567893', '******7893'],
    ['dnikolov@borica.bg', 'd*******@borica.bg'],
    ['Ivan.Petrov+cas@mail.example.bg', 'I**************@mail.example.bg'],
    ['a@b.bg', '*@b.bg'],
    ['+359888133443', '+359******443'],
    ['+12025550123', '+1*******123'],
    ['+79161234567', '+7*******567'],
    ['+442071234567', '+44*******567'],
    ['+27821234567', '+27******567'],
    ['+4915112345678', '+49********678'],
    ['+380441234567', '+380******567'],
  ])('masks %s as %s', (value, masked) => {
    expect(maskIdentifier(value)).toBe(masked);
  });

  it.each([
    ['', ''],
    ['123', '***'],
    ['1234', '****'],
    ['12345', '****5'],
    ['1234567', '****567'],
    ['12345678', '****5678'],
  ])('hides at least four characters of the short value %j', (value, masked) => {
    expect(maskIdentifier(value)).toBe(masked);
  });

  it('masks a number that is not valid E.164 like any other identifier', () => {
    expect(maskIdentifier('+0359888133')).toBe('*******8133');
  });

  it('masks by characters, never splitting a surrogate pair', () => {
    expect(maskIdentifier('😀😀😀😀😁')).toBe('****😁');
  });

  it.each(['7805166742', 'dnikolov@borica.bg', 'ab@c', '+359888133443', '+12345678', 'abcd', 'AB123456', 'x@@y'])(
    'never returns the whole of %j',
    (value) => {
      const masked = maskIdentifier(value);
      expect(masked).not.toBe(value);
      expect(masked).toContain('*');
    },
  );
});
