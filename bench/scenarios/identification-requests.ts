/** A valid B-Trust MOBILE request (the EGN's check digit and date of birth agree), as the frontend sends it. */
export const MOBILE_IDENTIFICATION_REQUEST = {
  docType: 'EGN',
  identifier: '7805166742',
  dateOfBirth: '1978-05-16',
  reason: 'Benchmark',
};

/** The same request in the provider's wire format, for the sandbox-alone ceiling. */
export const MOBILE_IDENTIFICATION_WIRE_REQUEST = {
  personIdentityData: { docType: 'EGN', identificatorValue: '7805166742', dateOfBirth: '16-05-1978' },
  payer: 'RELYING_PARTY',
  identificationReason: 'Benchmark',
};

/** Runs `task` for 0..count-1 with at most `concurrency` at a time. */
export async function inParallel<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
