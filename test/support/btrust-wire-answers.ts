/** What the specs of src/btrust/wire/ share: the document's example answers and their variants. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BtrustError } from '../../src/btrust/btrust.errors';
import type { BtrustOperation, ProviderAnswer } from '../../src/btrust/wire/provider-answer';

export type Json = Record<string, any>;

/** One of src/btrust/__fixtures__, the document's examples. */
export function fixture(name: string): Json {
  return JSON.parse(readFileSync(join(__dirname, '..', '..', 'src', 'btrust', '__fixtures__', name), 'utf8')) as Json;
}

export function answer(operation: BtrustOperation, body: unknown, httpStatus = 200): ProviderAnswer {
  return { operation, httpStatus, body };
}

export const PDF = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog>>\nendobj\n', 'latin1');
export const PDF_BASE64 = PDF.toString('base64');

/** The fixture with the value at `path` replaced (the fixtures' base64 is the document's truncated example). */
export function withValue(body: Json, path: string[], value: unknown): Json {
  const copy = structuredClone(body);
  let node: Json = copy;
  for (const key of path.slice(0, -1)) {
    node = node[key] as Json;
  }
  node[path[path.length - 1]] = value;
  return copy;
}

export function expectUnprocessable(run: () => unknown, fieldMention: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(BtrustError);
  expect((thrown as BtrustError).code).toBe('UNPROCESSABLE_RESPONSE');
  expect((thrown as BtrustError).retryable).toBe(false);
  expect((thrown as BtrustError).message).toContain(fieldMention);
}
