/** The body B-Trust posts to the callback URL (scenarios 2.4 and 3.2). */
import { isMultiLineText, isSingleLineText } from '../../common/validation/text';
import { BtrustCallbackFormatError } from '../btrust.errors';
import type { BtrustCallback } from '../btrust.types';
import { isRecord, readWireId, readWireString } from './wire-values';

export interface CallbackDataWire {
  processState?: unknown;
  sessionId?: unknown;
  resultId?: unknown;
  dataMessage?: unknown;
}

export interface CallbackWire {
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  relyingPartyId?: unknown;
  data?: unknown;
}

const MAX_CALLBACK_VALUE_LENGTH = 200;

function callbackValue(value: unknown, name: string, problems: string[]): string {
  const id = readWireId(value);
  if (id === null) {
    problems.push(`${name} is missing or is not a non-empty string or non-negative integer`);
    return '';
  }
  // Control characters (C0, DEL, C1) would end up in request paths, the database (which refuses NUL) and logs.
  if (id.length > MAX_CALLBACK_VALUE_LENGTH || !isSingleLineText(id)) {
    problems.push(`${name} is longer than ${MAX_CALLBACK_VALUE_LENGTH} characters or holds control characters`);
    return '';
  }
  return id;
}

/**
 * An informative field: absent or a string. Reading: the provider's
 * `message` and `dataMessage` are free text that may span lines, so tabs and
 * line breaks pass there; `code` is a code and passes none. NUL and the other
 * control characters are refused in all three.
 */
function informativeText(value: unknown, name: string, layout: 'single-line' | 'multi-line', problems: string[]): string | null {
  const text = readWireString(value);
  if (text !== null && !(layout === 'single-line' ? isSingleLineText(text) : isMultiLineText(text))) {
    problems.push(`${name} holds control characters`);
    return null;
  }
  return text;
}

/**
 * Validates a body posted to the callback URL (scenarios 2.4 and 3.2).
 *
 * Reading: `requestId`, `relyingPartyId` and `data.resultId` are numbers or strings (the
 * document shows both); `code`, `message` and `data.dataMessage` are informative and may be
 * absent. Throws BtrustCallbackFormatError listing every problem found.
 */
export function parseBtrustCallback(input: unknown): BtrustCallback {
  if (!isRecord(input)) {
    throw new BtrustCallbackFormatError(['the body is not a JSON object']);
  }
  const body: CallbackWire = input;
  const problems: string[] = [];
  const requestId = callbackValue(body.requestId, 'requestId', problems);
  const relyingPartyId = callbackValue(body.relyingPartyId, 'relyingPartyId', problems);
  const data: CallbackDataWire | null = isRecord(body.data) ? body.data : null;
  if (data === null) {
    problems.push('data is missing or is not an object');
  }
  const processState = callbackValue(data?.processState, 'data.processState', problems);
  if (typeof data?.processState === 'number') {
    problems.push('data.processState is a number, not a state name');
  }
  const sessionId = callbackValue(data?.sessionId, 'data.sessionId', problems);
  const resultId = callbackValue(data?.resultId, 'data.resultId', problems);
  const providerCode = informativeText(body.code, 'code', 'single-line', problems);
  const message = informativeText(body.message, 'message', 'multi-line', problems);
  const dataMessage = informativeText(data?.dataMessage, 'data.dataMessage', 'multi-line', problems);
  if (problems.length > 0) {
    throw new BtrustCallbackFormatError(problems);
  }
  return {
    requestId,
    relyingPartyId,
    processState,
    sessionId,
    resultId,
    providerCode,
    message,
    dataMessage,
  };
}
