import { isE164Phone, isEmailAddress } from './contact';

describe(isE164Phone.name, () => {
  it.each(['+359888133443', '+12025550123', '+442071234567', '+12345678', '+123456789012345'])(
    'accepts %s',
    (phone) => expect(isE164Phone(phone)).toBe(true),
  );

  it.each([
    ['+1234567', 'only 7 digits'],
    ['+1234567890123456', '16 digits'],
    ['+0359888133443', 'a leading zero'],
    ['359888133443', 'no plus sign'],
    ['00359888133443', 'the international call prefix instead of a plus sign'],
    ['++359888133443', 'two plus signs'],
    ['+359 888 133 443', 'spaces'],
    ['+359-888-133-443', 'dashes'],
    ['+359(888)133443', 'brackets'],
    [' +359888133443', 'a leading space'],
    ['+359888133443\n', 'a trailing newline'],
    ['+３５９８８８１３３４４３', 'full-width digits'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (phone) => {
    expect(isE164Phone(phone)).toBe(false);
  });

  it('refuses a value that is not a string', () => {
    expect(isE164Phone(359888133443 as unknown as string)).toBe(false);
  });
});

describe(isEmailAddress.name, () => {
  const local64 = 'a'.repeat(64);
  const domain189 = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

  it.each([
    'dnikolov@borica.bg',
    'first.last+tag@sub.example.co.uk',
    "o'brien@example.com",
    'UPPER_case-1@EXAMPLE.COM',
    'a@b.co',
    'user@xn--e1afmkfd.xn--90ae',
    'user@123.example',
    `${local64}@example.com`,
    `${local64}@${domain189}`,
  ])('accepts %s', (email) => {
    expect(isEmailAddress(email)).toBe(true);
  });

  it('accepts exactly 254 characters and refuses 255', () => {
    const longest = `${local64}@${domain189}`;
    expect(longest).toHaveLength(254);
    expect(isEmailAddress(longest)).toBe(true);
    expect(isEmailAddress(`${longest.slice(0, -1)}dd`)).toBe(false);
  });

  it.each([
    ['plainaddress', 'no @'],
    ['@example.com', 'an empty local part'],
    ['user@', 'an empty domain'],
    ['a@b@example.com', 'two @'],
    ['user@localhost', 'a domain without a dot'],
    ['user@example.c', 'a one-letter top-level label'],
    ['user@1.2.3.4', 'an IP address'],
    ['user@[192.0.2.1]', 'an IP literal'],
    ['.user@example.com', 'a leading dot in the local part'],
    ['user.@example.com', 'a trailing dot in the local part'],
    ['us..er@example.com', 'two dots in a row in the local part'],
    ['"quoted"@example.com', 'a quoted local part'],
    ['user@.example.com', 'an empty first domain label'],
    ['user@example..com', 'an empty domain label'],
    ['user@example.com.', 'a trailing dot in the domain'],
    ['user@-example.com', 'a label starting with a hyphen'],
    ['user@example-.com', 'a label ending with a hyphen'],
    ['user@exa_mple.com', 'an underscore in the domain'],
    [`user@${'x'.repeat(64)}.com`, 'a 64-character label'],
    [`${'a'.repeat(65)}@example.com`, 'a 65-character local part'],
    ['us er@example.com', 'a space in the local part'],
    ['user@exam ple.com', 'a space in the domain'],
    [' user@example.com', 'a leading space'],
    ['user@example.com\n', 'a trailing newline'],
    ['user\u0000@example.com', 'a NUL character'],
    ['user@example.com\u200B', 'a zero-width space'],
    ['иван@example.com', 'a non-ASCII local part'],
    ['user@пример.бг', 'a domain not in punycode'],
    ['user@example.com,other@example.com', 'two addresses'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (email) => {
    expect(isEmailAddress(email)).toBe(false);
  });
});
