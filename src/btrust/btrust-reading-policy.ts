/**
 * How the server reads every answer B-Trust can give, in one table: which answers may end a
 * flow, which mean "ask again", which mean our own certificate or grant is wrong, and which leave
 * the outcome of a request unknown. Pure: no I/O, no configuration.
 *
 * Features switch on the class an error carries (`BtrustError.answerClass`), never on HTTP
 * statuses, provider codes or provider state names.
 *
 * Reading: the document lists the same REJECTED body for 400, 401, 403, 404 and 500 without
 * saying which status means what, has no "not yet" answer for 2.5 and 3.3, and no way to look a
 * request up by our reference. So the HTTP status decides first, and only where the document
 * gives one status a meaning of its own (1.2's 400 REJECTED: refused or expired) does the body's
 * code matter. Everything that can mean something else keeps the flow open.
 */

export type AnswerClass =
  /** The flow may end on it. */
  | 'DEFINITIVE'
  /** The provider answered, but with no result for this now: ask again. */
  | 'NOT_YET'
  /** We could not ask (5xx, timeout, refused connection, TLS, breaker, unusable answer): ask again with backoff. */
  | 'TRANSIENT'
  /** 401/403: our certificate or grant. Keep the flow open, count it, surface it. */
  | 'CONFIGURATION_FAULT'
  /** A POST that B-Trust received, or may have received, with no usable answer. */
  | 'UNKNOWN_OUTCOME';

/** The four ways the document's operations are read. */
export type ReadingFamily =
  /** 1.1, 2.1, 2.2, 3.1: requests that start something (1.1 and 3.1 are paid). */
  | 'START'
  /** 1.2: the mobile identification's poll, the only GET with a documented refusal. */
  | 'MOBILE_RESULT'
  /** 2.5, 3.3: results that exist only once the person has finished. */
  | 'RESULT'
  /** 4.1, 5.1: status reads whose 200 carries the verdict. */
  | 'STATUS';

/** The provider operations, by their client method names. */
export const READING_FAMILY: Readonly<Record<string, ReadingFamily>> = {
  identification: 'START',
  startWebIdentification: 'START',
  createRegistration: 'START',
  startSignSession: 'START',
  getIdentificationResult: 'MOBILE_RESULT',
  getWebIdentificationResult: 'RESULT',
  getSignedDocuments: 'RESULT',
  getRegistrationStatus: 'STATUS',
  getWebIdentificationStatus: 'STATUS',
};

/** Which HTTP statuses a row of the table covers. */
type StatusMatch = readonly number[] | '4xx' | '5xx' | 'any';

interface AnswerRow {
  statuses: StatusMatch;
  /** The body's `code`, when the row depends on it. */
  providerCode?: string;
  answerClass: AnswerClass;
}

interface FamilyReading {
  /** For answers with an HTTP status that are not a usable success; the first matching row wins. */
  answered: readonly AnswerRow[];
  /** No HTTP answer, and the request certainly never reached B-Trust. */
  notSent: AnswerClass;
  /** No (complete) HTTP answer, and the request was, or may have been, received. */
  sentWithoutAnswer: AnswerClass;
}

/** Every operation: 401/403 is our certificate or grant, whatever the body says (REJECTED included). */
const CONFIGURATION_ROW: AnswerRow = { statuses: [401, 403], answerClass: 'CONFIGURATION_FAULT' };
/**
 * Reading: 408 (the server gave up waiting for the request) and 429 (rate limited) say by HTTP's
 * own definition that nothing was done: worth asking again, never an ending. The document names
 * neither.
 */
const TRY_AGAIN_ROW: AnswerRow = { statuses: [408, 429], answerClass: 'TRANSIENT' };

/** The GETs: no refusal but the documented ones ends a flow, and no answer at all is a reason to ask again. */
const READ_ROWS: readonly AnswerRow[] = [
  // No "not yet" answer is documented: REJECTED, NOT_FOUND and BAD_REQUEST may all mean it, and a
  // 404 may be a record the provider lost or does not know yet.
  { statuses: '4xx', answerClass: 'NOT_YET' },
  { statuses: 'any', answerClass: 'TRANSIENT' },
];

const READING: FamilyReading = {
  answered: [CONFIGURATION_ROW, TRY_AGAIN_ROW, ...READ_ROWS],
  notSent: 'TRANSIENT',
  sentWithoutAnswer: 'TRANSIENT',
};

/**
 * The table. A usable 2xx answer is a success and never reaches it: those are read by the wire
 * mapping (wire/*.wire.ts), which also decides that 1.2's 200 FINISHED without `content` is a
 * finished identification whose certificate is missing, and that a 206 or a 200 whose status is
 * not FINISHED is pending. A 2xx that cannot be used (not JSON, ids missing, a REJECTED code) is
 * matched by the `any` row that ends each family.
 */
export const READING_POLICY: Readonly<Record<ReadingFamily, FamilyReading>> = {
  START: {
    answered: [
      CONFIGURATION_ROW,
      TRY_AGAIN_ROW,
      // Any other refusal, REJECTED included: the provider answered and did not start it.
      { statuses: '4xx', answerClass: 'DEFINITIVE' },
      // Reading: a 5xx (503 included) may come after the provider acted on the request; so may
      // an unusable 2xx or a 1xx/3xx: it was received, and we cannot tell what was done.
      { statuses: 'any', answerClass: 'UNKNOWN_OUTCOME' },
    ],
    notSent: 'TRANSIENT',
    sentWithoutAnswer: 'UNKNOWN_OUTCOME',
  },
  MOBILE_RESULT: {
    ...READING,
    answered: [
      CONFIGURATION_ROW,
      TRY_AGAIN_ROW,
      // The one documented refusal: the person refused, or the request expired.
      { statuses: [400], providerCode: 'REJECTED', answerClass: 'DEFINITIVE' },
      ...READ_ROWS,
    ],
  },
  RESULT: READING,
  STATUS: READING,
};

/** What is known about one failed call when it is classified. */
export interface FailedCall {
  operation: string;
  /** The HTTP status of the answer, when one came. */
  httpStatus?: number;
  /** The body's `code`, when it had one. */
  providerCode?: string;
  /** True only when the request certainly never reached B-Trust (refused connection, DNS, TLS refusal, breaker, refused locally). */
  notSent?: boolean;
}

/**
 * Reading: operations outside the document (the reachability probe, loading our own TLS
 * material) are read as status reads: they never end a flow.
 */
export function readingFamilyOf(operation: string): ReadingFamily {
  return READING_FAMILY[operation] ?? 'STATUS';
}

/** The class of a call that did not give a usable success. */
export function classifyFailure(call: FailedCall): AnswerClass {
  const reading = READING_POLICY[readingFamilyOf(call.operation)];
  if (call.httpStatus === undefined) {
    return call.notSent === true ? reading.notSent : reading.sentWithoutAnswer;
  }
  const providerCode = call.providerCode?.trim();
  const row = reading.answered.find(
    (candidate) =>
      statusMatches(candidate.statuses, call.httpStatus as number) &&
      (candidate.providerCode === undefined || candidate.providerCode === providerCode),
  );
  // The last row of every family matches any status.
  return (row as AnswerRow).answerClass;
}

function statusMatches(match: StatusMatch, status: number): boolean {
  switch (match) {
    case 'any':
      return true;
    case '4xx':
      return status >= 400 && status < 500;
    case '5xx':
      return status >= 500 && status < 600;
    default:
      return match.includes(status);
  }
}
