/**
 * One answer from the provider, and the reading every operation's mapping (the *.wire.ts files
 * beside this one) shares. Nothing outside src/btrust knows the provider's field names.
 *
 * Tolerant where the document is inconsistent (ids as numbers or strings, envelope present or
 * not, extra fields, unknown enum values, date formats); strict about what the flows rely on
 * (documents, session ids, identifiers), which must be present and well-formed or the answer is
 * refused as UNPROCESSABLE_RESPONSE.
 */
import { DecodedBase64 } from '../../common/json/json-with-base64';
import { BtrustError } from '../btrust.errors';
import { decodeStrictBase64, isRecord, looksLikePdf, parseProviderDate, readWireId, readWireString } from './wire-values';
import type { WireSettings } from './wire-settings';

export type BtrustOperation =
  | 'identification'
  | 'getIdentificationResult'
  | 'startWebIdentification'
  | 'createRegistration'
  | 'getWebIdentificationResult'
  | 'getSignedDocuments'
  | 'startSignSession'
  | 'getRegistrationStatus'
  | 'getWebIdentificationStatus'
  | 'checkReachable';

/**
 * One HTTP answer from the provider: the status and the body parsed as JSON (undefined if it
 * was not JSON). Large documents at DOCUMENTS_IN_ANSWER may arrive already decoded.
 */
export interface ProviderAnswer {
  operation: BtrustOperation;
  httpStatus: number;
  body: unknown;
}

export interface EnvelopeWire {
  data?: unknown;
  responseCode?: unknown;
  code?: unknown;
  message?: unknown;
  /** Only getIdentificationResult: ON_BOARDING, IN_PROGRESS or FINISHED, beside (not inside) `data`. */
  status?: unknown;
}

export function unprocessable(answer: ProviderAnswer, detail: string): BtrustError {
  return new BtrustError({
    code: 'UNPROCESSABLE_RESPONSE',
    operation: answer.operation,
    httpStatus: answer.httpStatus,
    message: detail,
  });
}

/**
 * Reads the fields of one answer object, typed by its wire shape so that a field name is
 * checked against it; every refusal names the field, never its value.
 */
export class AnswerFields<Wire extends object> {
  constructor(
    private readonly answer: ProviderAnswer,
    private readonly fields: Record<string, unknown>,
    private readonly path: string,
    private readonly settings: WireSettings,
  ) {}

  has(name: keyof Wire & string): boolean {
    return this.fields[name] !== undefined && this.fields[name] !== null;
  }

  private refuse(name: string, problem: string): BtrustError {
    return unprocessable(this.answer, `${this.path}${name} ${problem}`);
  }

  requiredId(name: keyof Wire & string): string {
    const id = readWireId(this.fields[name]);
    if (id === null) {
      throw this.refuse(name, 'is missing or is not a non-empty string or number');
    }
    return id;
  }

  optionalId(name: keyof Wire & string): string | null {
    return readWireId(this.fields[name]);
  }

  requiredString(name: keyof Wire & string): string {
    const value = readWireString(this.fields[name]);
    if (value === null || value.trim() === '') {
      throw this.refuse(name, 'is missing or empty');
    }
    return value;
  }

  optionalString(...names: (keyof Wire & string)[]): string | null {
    for (const name of names) {
      const value = readWireString(this.fields[name]);
      if (value !== null) {
        return value;
      }
    }
    return null;
  }

  date(name: keyof Wire & string): Date | null {
    return parseProviderDate(this.fields[name], this.settings.localTimeZone);
  }

  requiredPdf(name: keyof Wire & string): Buffer {
    const value = this.fields[name];
    if (typeof value !== 'string' && !(value instanceof DecodedBase64)) {
      throw this.refuse(name, 'is missing');
    }
    const content = value instanceof DecodedBase64 ? value.bytes : decodeStrictBase64(value);
    if (content === null) {
      throw this.refuse(name, 'is not valid base64');
    }
    if (!looksLikePdf(content)) {
      throw this.refuse(name, 'is not a PDF document');
    }
    return content;
  }

  optionalPdf(name: keyof Wire & string): Buffer | null {
    return this.has(name) ? this.requiredPdf(name) : null;
  }

  url(name: keyof Wire & string): string {
    const value = this.requiredString(name);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw this.refuse(name, 'is not an absolute URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw this.refuse(name, 'is not an http(s) URL');
    }
    return value;
  }

  raw(name: keyof Wire & string): unknown {
    return this.fields[name];
  }
}

export function bodyObject(answer: ProviderAnswer): Record<string, unknown> {
  if (!isRecord(answer.body)) {
    throw unprocessable(answer, 'the body is not a JSON object');
  }
  return answer.body;
}

/**
 * Reading: most answers wrap their payload in `data`; createRegistration and
 * getRegistrationStatus do not. Every answer is read the same way: the payload is `data` when
 * that is an object, otherwise the body itself.
 */
export function payloadFields<Wire extends object>(answer: ProviderAnswer, settings: WireSettings): AnswerFields<Wire> {
  const body = bodyObject(answer);
  if (isRecord(body.data)) {
    return new AnswerFields<Wire>(answer, body.data, 'data.', settings);
  }
  return new AnswerFields<Wire>(answer, body, '', settings);
}
