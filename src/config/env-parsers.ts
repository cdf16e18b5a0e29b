/**
 * Small, strict readers for environment variables. Each reader either returns
 * a typed value or records a problem that names the variable, so the process
 * can refuse to start with every bad value listed at once.
 */
export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

export type Env = Record<string, string | undefined>;

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** Blank values count as unset: `FOO=` in a .env file means "use the default". */
  raw(name: string): string | undefined {
    const value = this.env[name];
    if (value === undefined) return undefined;
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  integer(name: string, fallback: number, range: { min: number; max: number }): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value)) {
      return this.fail(name, `must be a whole number, got "${value}"`, fallback);
    }
    const parsed = Number(value);
    if (parsed < range.min || parsed > range.max) {
      return this.fail(name, `must be between ${range.min} and ${range.max}, got ${parsed}`, fallback);
    }
    return parsed;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const normalized = value.toLowerCase();
    if (['true', '1', 'yes'].includes(normalized)) return true;
    if (['false', '0', 'no'].includes(normalized)) return false;
    return this.fail(name, `must be true or false, got "${value}"`, fallback);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(name, `must be one of ${allowed.join(', ')}, got "${value}"`, fallback);
  }

  /** An absolute URL with one of the given protocols; returned without a trailing slash. */
  url(name: string, fallback: string | undefined, protocols: readonly string[]): string | undefined {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return this.fail(name, `must be an absolute URL, got "${redactUrl(value)}"`, undefined);
    }
    if (!protocols.includes(parsed.protocol)) {
      return this.fail(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`, undefined);
    }
    return value.replace(/\/+$/, '');
  }

  /** Records a problem found by a rule that spans several variables. */
  problem(name: string, message: string): void {
    this.problems.push(`${name} ${message}`);
  }

  /** Throws once, listing every problem recorded so far. */
  assertValid(): void {
    if (this.problems.length > 0) throw new ConfigValidationError(this.problems);
  }

  private fail<T>(name: string, message: string, fallback: T): T {
    this.problem(name, message);
    return fallback;
  }
}

/** Never echo credentials from a connection string back into a log. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^/@]*)@/, '//***@');
}
