export const MAX_REDIRECT_URL_LENGTH = 2048;

/**
 * Whitespace (WHATWG parsing silently strips tabs and newlines, other parsers
 * do not), every control, format, private-use or unassigned code point, and
 * the backslash, which WHATWG reads as `/` in http(s) URLs but other parsers
 * keep as data: `https://evil.example\@allowed.example` means different hosts
 * to different readers.
 */
const FORBIDDEN_CHARACTER = /[\s\p{C}\\]/u;

/** The scheme and `//` written out, then the raw authority up to the path, query or fragment. */
const HTTP_URL_PREFIX = /^https?:\/\/([^/?#]*)/i;

/** An origin as written in config: the authority, at most a lone `/` after it, nothing else. */
const BARE_ORIGIN = /^https?:\/\/[^/?#]+\/?$/i;

/**
 * Whether the browser may be sent to `candidate` after a flow: an absolute
 * http(s) URL whose origin, after WHATWG parsing (lower-case host, punycode,
 * default port dropped), is exactly one of `allowedOrigins`. Those must be in
 * the form {@link normalizeOrigin} returns; an http URL can therefore only
 * match an http origin.
 *
 * The URL is passed on to the provider, which redirects with its own parser,
 * so anything that WHATWG accepts but might read differently elsewhere is
 * refused as well: `https:evil.example`, `https:///evil.example`, backslashes,
 * whitespace, and any `@` or `%` in the authority.
 */
export function isAllowedRedirectUrl(candidate: string, allowedOrigins: readonly string[]): boolean {
  const url = parseUnambiguousHttpUrl(candidate);
  return url !== undefined && allowedOrigins.includes(url.origin);
}

/**
 * An origin from config in canonical form: `https://Shop.Example:443/` →
 * `https://shop.example`. Throws unless the value is a bare http(s) origin
 * (no credentials, path, query or fragment).
 */
export function normalizeOrigin(value: string): string {
  const url = parseUnambiguousHttpUrl(value);
  if (url === undefined || !BARE_ORIGIN.test(value)) {
    throw new Error(`Expected a bare http(s) origin such as "https://shop.example", got ${JSON.stringify(value)}`);
  }
  return url.origin;
}

function parseUnambiguousHttpUrl(value: string): URL | undefined {
  if (typeof value !== 'string' || value.length > MAX_REDIRECT_URL_LENGTH) return undefined;
  if (FORBIDDEN_CHARACTER.test(value)) return undefined;
  const authority = HTTP_URL_PREFIX.exec(value)?.[1];
  // Credentials can only be written with an `@` in the authority, so this also refuses them, even empty ones.
  if (!authority || authority.includes('@') || authority.includes('%')) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The same origin under each name of the loopback interface, for an origin
 * whose host is one of them: a developer opens the demo at `localhost` or
 * `127.0.0.1` as it comes, and both are this machine. Any other origin is
 * returned alone.
 */
export function withLoopbackAliases(origin: string): string[] {
  const url = new URL(origin);
  if (!LOOPBACK_HOSTS.includes(url.hostname)) return [origin];
  return LOOPBACK_HOSTS.map((host) => {
    const alias = new URL(origin);
    alias.hostname = host;
    return alias.origin;
  });
}

/** The name of the setting an operator changes when a redirect is refused. */
export const REDIRECT_ORIGINS_VARIABLE = 'ALLOWED_REDIRECT_ORIGINS';
