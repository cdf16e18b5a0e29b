import { isAllowedRedirectUrl, MAX_REDIRECT_URL_LENGTH, normalizeOrigin, withLoopbackAliases } from './redirect-urls';

const ALLOWED = ['https://allowed.example', 'http://localhost:3000', 'https://xn--e1afmkfd.xn--90ae'];

describe(isAllowedRedirectUrl.name, () => {
  it.each([
    'https://allowed.example',
    'https://allowed.example/',
    'https://allowed.example/done?id=42#result',
    'HTTPS://ALLOWED.EXAMPLE/x',
    'https://Allowed.Example/Path/Keeps/Case',
    'https://allowed.example:443/x',
    'http://localhost:3000/after-signing',
    'https://пример.бг/готово',
    'https://allowed.example/?next=https://evil.example',
    'https://allowed.example/#@evil.example',
  ])('accepts %j', (candidate) => {
    expect(isAllowedRedirectUrl(candidate, ALLOWED)).toBe(true);
  });

  it.each([
    ['//evil.example', 'a scheme-relative URL'],
    ['//allowed.example/x', 'a scheme-relative URL to the allowed host'],
    ['/ok', 'a relative path'],
    ['ok', 'a bare word'],
    ['', 'nothing'],
    ['https://allowed.example@evil.example', 'the allowed host as a user name'],
    ['https://allowed.example:443@evil.example', 'the allowed host and port as credentials'],
    ['https://user:secret@allowed.example/', 'credentials for the allowed host'],
    ['https://@allowed.example/', 'an empty user name'],
    ['https://allowed.example;@evil.example', 'a user name with a semicolon'],
    ['https://evil.example\\@allowed.example', 'a backslash before @'],
    ['https:\\\\evil.example', 'backslashes instead of slashes'],
    ['https:\\\\allowed.example\\x', 'backslashes, even to the allowed host'],
    ['https://allowed.example\\.evil.example', 'a backslash in the host'],
    ['/\\evil.example', 'a slash and a backslash'],
    ['\\\\evil.example', 'two backslashes'],
    ['https:evil.example', 'no slashes after the scheme'],
    ['https:allowed.example', 'no slashes after the scheme, to the allowed host'],
    ['https:/allowed.example', 'one slash after the scheme'],
    ['https:///allowed.example', 'three slashes after the scheme'],
    ['https:////evil.example', 'four slashes after the scheme'],
    ['https://', 'no host'],
    ['javascript:alert(1)', 'javascript'],
    ['JaVaScRiPt:alert(1)', 'javascript in mixed case'],
    ['javascript://allowed.example/%0Aalert(1)', 'javascript dressed as the allowed host'],
    ['data:text/html,<script>alert(1)</script>', 'a data URL'],
    ['blob:https://allowed.example/7b0f6a4e', 'a blob URL whose origin is the allowed one'],
    ['file:///etc/passwd', 'a file URL'],
    ['ftp://allowed.example/', 'another scheme'],
    ['wss://allowed.example/', 'a WebSocket URL'],
    ['https://аllowed.example/', 'a Cyrillic look-alike host'],
    ['https://allowed.example:8443/', 'another port'],
    ['http://allowed.example/', 'http to an https origin'],
    ['https://localhost:3000/', 'https to an http origin'],
    ['http://localhost:3001/', 'another port of an http origin'],
    ['https://allowed.example.evil.example/', 'the allowed host as a subdomain'],
    ['https://evilallowed.example/', 'the allowed host as a suffix'],
    ['https://sub.allowed.example/', 'a subdomain of the allowed host'],
    ['https://allowed.example./', 'a trailing dot'],
    ['https://evil.example/https://allowed.example', 'the allowed origin in the path'],
    ['https://allowed%2Eexample/', 'a percent-encoded host'],
  ])('refuses %j (%s)', (candidate) => {
    expect(isAllowedRedirectUrl(candidate, ALLOWED)).toBe(false);
  });

  it.each([
    [' https://allowed.example/', 'a leading space'],
    ['https://allowed.example/ ', 'a trailing space'],
    ['https://allowed.example/a b', 'a space in the path'],
    ['\thttps://allowed.example/', 'a leading tab'],
    ['https://allo\twed.example/', 'a tab in the host, which WHATWG parsing would drop'],
    ['https://allowed.example/\n', 'a trailing newline'],
    ['https://allowed.example/\r\nSet-Cookie:x=1', 'CRLF'],
    ['java\nscript:alert(1)', 'a newline inside the scheme'],
    ['https://allowed.example/\u0000', 'NUL'],
    ['\u0001https://allowed.example/', 'a leading C0 control, which WHATWG parsing would strip'],
    ['https://allowed.example/\u007F', 'DEL'],
    ['https://allowed.example/\u00A0', 'a no-break space'],
    ['https://allowed.example/\u3000', 'an ideographic space'],
    ['https://allowed.example/\u200B', 'a zero-width space'],
    ['https://allowed.example/\u202E', 'a right-to-left override'],
    ['\uFEFFhttps://allowed.example/', 'a byte order mark'],
  ])('refuses the allowed origin with %j (%s)', (candidate) => {
    expect(isAllowedRedirectUrl(candidate, ALLOWED)).toBe(false);
  });

  it(`accepts ${MAX_REDIRECT_URL_LENGTH} characters and refuses one more`, () => {
    const prefix = 'https://allowed.example/';
    const longest = prefix + 'a'.repeat(MAX_REDIRECT_URL_LENGTH - prefix.length);
    expect(isAllowedRedirectUrl(longest, ALLOWED)).toBe(true);
    expect(isAllowedRedirectUrl(`${longest}a`, ALLOWED)).toBe(false);
  });

  it('refuses everything when no origin is allowed', () => {
    expect(isAllowedRedirectUrl('https://allowed.example/', [])).toBe(false);
  });

  it('fails closed when an allowed origin was not normalized', () => {
    expect(isAllowedRedirectUrl('https://allowed.example/', ['https://allowed.example/'])).toBe(false);
    expect(isAllowedRedirectUrl('https://allowed.example/', ['https://Allowed.Example'])).toBe(false);
  });

  it('accepts URLs on an origin produced by normalizeOrigin', () => {
    const allowed = [normalizeOrigin('https://Shop.Example:443/')];
    expect(isAllowedRedirectUrl('https://shop.example/orders/1', allowed)).toBe(true);
    expect(isAllowedRedirectUrl('https://SHOP.example:443/orders/1', allowed)).toBe(true);
  });

  it('refuses a value that is not a string', () => {
    expect(isAllowedRedirectUrl(null as unknown as string, ALLOWED)).toBe(false);
  });
});

describe(normalizeOrigin.name, () => {
  it.each([
    ['https://Shop.Example:443/', 'https://shop.example'],
    ['https://shop.example', 'https://shop.example'],
    ['HTTPS://SHOP.EXAMPLE', 'https://shop.example'],
    ['http://shop.example:80/', 'http://shop.example'],
    ['https://shop.example:8443', 'https://shop.example:8443'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://127.0.0.1:8443/', 'https://127.0.0.1:8443'],
    ['https://[::1]:8443/', 'https://[::1]:8443'],
    ['https://пример.бг', 'https://xn--e1afmkfd.xn--90ae'],
  ])('turns %j into %j', (value, origin) => {
    expect(normalizeOrigin(value)).toBe(origin);
  });

  it.each([
    ['https://shop.example/path', 'a path'],
    ['https://shop.example//', 'a path of two slashes'],
    ['https://shop.example/?', 'an empty query'],
    ['https://shop.example?x=1', 'a query'],
    ['https://shop.example#top', 'a fragment'],
    ['https://user@shop.example', 'a user name'],
    ['https://user:secret@shop.example', 'credentials'],
    ['ftp://shop.example', 'another scheme'],
    ['javascript:alert(1)', 'javascript'],
    ['shop.example', 'no scheme'],
    ['//shop.example', 'a scheme-relative URL'],
    ['https:shop.example', 'no slashes after the scheme'],
    ['https:///shop.example', 'three slashes after the scheme'],
    ['https://', 'no host'],
    ['https://shop.example:99999', 'a port out of range'],
    [' https://shop.example', 'a leading space'],
    ['https://shop.example\n', 'a trailing newline'],
    ['https:\\\\shop.example', 'backslashes'],
    ['', 'nothing'],
  ])('throws on %j (%s)', (value) => {
    expect(() => normalizeOrigin(value)).toThrow('Expected a bare http(s) origin');
  });

  it('names the offending value in the error', () => {
    expect(() => normalizeOrigin('https://shop.example/path')).toThrow('"https://shop.example/path"');
  });
});

describe(withLoopbackAliases.name, () => {
  it('names a loopback origin under each name of the loopback interface, and leaves other origins alone', () => {
    expect(withLoopbackAliases('http://127.0.0.1:3000')).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']);
    expect(withLoopbackAliases('https://localhost')).toEqual(['https://localhost', 'https://127.0.0.1', 'https://[::1]']);
    expect(withLoopbackAliases('https://shop.example')).toEqual(['https://shop.example']);
  });
});
