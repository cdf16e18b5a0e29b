/**
 * The sandbox's readings: each way the provider's document allows B-Trust to
 * answer where it is unclear, as a switch. The first value of each is the
 * default and the sandbox's behaviour before readings existed. A record takes
 * the sandbox-wide readings when it is created and may be given its own later
 * through the control API.
 *
 * This module is pure (no I/O, no imports from the sandbox's apps), so that
 * the command-line client can load it without starting anything.
 */

export const READING_VALUES = {
  rejectedStatus: [400, 401, 403, 404, 500],
  notYetAnswer: ['404-not-found', '404-rejected', '400-rejected'],
  review: ['automatic', 'manual'],
  signedFileNames: ['same', 'renamed', 'reversed'],
  webhookRelyingPartyId: ['same', 'other'],
  identificationWebhookSessionId: ['web-session', 'registration-session'],
  signingWebhookSessionId: ['used-sign-session', 'next-sign-session'],
  dates: ['offset', 'no-offset', 'compact'],
  eidCertificate: ['always', 'missing-first'],
  archiveFlag: ['any', 'toBeArchived', 'toBeArhieved'],
} as const;

/** What each reading decides, for the index page and the command line's help. */
export const READING_MEANINGS: Record<keyof typeof READING_VALUES, string> = {
  rejectedStatus:
    'HTTP status of every REJECTED answer about a known record (1.2, 2.2, 2.5, 3.1, 3.3); an unknown id stays 404. The document lists 400, 401, 403, 404 and 500 for one body.',
  notYetAnswer: 'What 2.5 and 3.3 answer before the person has finished: the document has no "not yet" answer.',
  review:
    'automatic: an approval is FINALIZED with review ALLOW_DENY at once; manual: COMPLETED with FINALIZE_REJECT until an agent reviews it (control action review), past any date.',
  signedFileNames: "3.3's filename: the names sent in 3.1, signed-<resultId>-<n>.pdf, or those names in reverse order.",
  webhookRelyingPartyId: "The webhooks' relyingPartyId: the header's id, or that id + 1.",
  identificationWebhookSessionId: "The 2.4 webhook's sessionId: 2.1's webSessionId, or 2.2's registration sessionId.",
  signingWebhookSessionId: "The 3.2 webhook's sessionId: the sign session 3.1 used, or the one 3.3 hands back.",
  dates: "Every date: the document's forms, Sofia local time without an offset, or the sister API's 2019-01-23T23.59.57.000+0000.",
  eidCertificate: 'The eID certificate in 1.2 FINISHED and 2.5: always, or left out the first time it is asked for.',
  archiveFlag: 'Which spelling of the archive flag 3.1 accepts; the other is refused with 400 BAD_REQUEST when present.',
};

type ReadingValues = typeof READING_VALUES;
export type ReadingKey = keyof ReadingValues;
export type SandboxReadings = { -readonly [K in ReadingKey]: ReadingValues[K][number] };

export const READING_KEYS = Object.keys(READING_VALUES) as ReadingKey[];

export const DEFAULT_READINGS: Readonly<SandboxReadings> = Object.freeze(
  Object.fromEntries(READING_KEYS.map((key) => [key, READING_VALUES[key][0]])) as SandboxReadings,
);

export class ReadingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadingsError';
  }
}

/**
 * Checks readings given as JSON (`{ "rejectedStatus": 500 }`) or as text
 * (`rejectedStatus=500`): every key must be known and every value one of its
 * own. Numbers may come as strings. Throws ReadingsError naming the key.
 */
export function parseReadings(input: unknown): Partial<SandboxReadings> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ReadingsError('readings must be an object of reading names and values');
  }
  const readings: Partial<Record<ReadingKey, unknown>> = {};
  for (const [key, raw] of Object.entries(input)) {
    if (!(READING_KEYS as string[]).includes(key)) {
      throw new ReadingsError(`unknown reading "${key}" (known: ${READING_KEYS.join(', ')})`);
    }
    const allowed: readonly (string | number)[] = READING_VALUES[key as ReadingKey];
    const value = allowed.find((candidate) => String(candidate) === String(raw).trim());
    if (value === undefined || (typeof raw !== 'string' && typeof raw !== 'number')) {
      throw new ReadingsError(`reading ${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
    }
    readings[key as ReadingKey] = value;
  }
  return readings as Partial<SandboxReadings>;
}

/** `rejectedStatus=500,dates=no-offset` (the form of SANDBOX_READINGS and of the command line); blank is none. */
export function parseReadingsText(text: string): Partial<SandboxReadings> {
  const pairs: Record<string, string> = {};
  for (const part of text.split(',').map((item) => item.trim()).filter((item) => item !== '')) {
    const equals = part.indexOf('=');
    if (equals <= 0) throw new ReadingsError(`"${part}" is not name=value`);
    const key = part.slice(0, equals).trim();
    if (key in pairs) throw new ReadingsError(`reading ${key} is given twice`);
    pairs[key] = part.slice(equals + 1).trim();
  }
  return parseReadings(pairs);
}

export function withReadings(base: Readonly<SandboxReadings>, overrides: Partial<SandboxReadings>): SandboxReadings {
  return { ...base, ...overrides };
}

/**
 * The sandbox-wide readings: those of the start, and what the control API
 * merged into them since. New records copy the current ones.
 */
export class ReadingsBoard {
  private current: SandboxReadings;
  private readonly startup: SandboxReadings;

  constructor(startup: Partial<SandboxReadings> = {}) {
    this.startup = withReadings(DEFAULT_READINGS, parseReadings(startup));
    this.current = { ...this.startup };
  }

  get(): SandboxReadings {
    return { ...this.current };
  }

  merge(overrides: Partial<SandboxReadings>): SandboxReadings {
    this.current = withReadings(this.current, overrides);
    return this.get();
  }

  reset(): SandboxReadings {
    this.current = { ...this.startup };
    return this.get();
  }
}
