import { blindIndexOf } from '../common/crypto/data-protection';
import { maskIdentifier } from '../common/validation/bulgarian-identifiers';
import type { SignerProblem } from './signing.types';

const SIGNER_INDEX_FIELD = 'signing_documents.signer';

/**
 * ETSI EN 319 412-1 §5.1.3: a natural person's serialNumber is a semantics
 * identifier — PNO (national personal number), IDC (identity card) or PAS
 * (passport), the country, a hyphen and the number, e.g. `PNOBG-7805166742`.
 */
const NATURAL_PERSON_IDENTIFIER = /^(PNO|IDC|PAS)[A-Z]{2}-.+$/;

/**
 * What can be checked about who signed, beyond the certificate chain.
 *
 * Reading: B-Trust tells the relying party who was identified only by an
 * opaque `clientIdentificator`; neither the person's name nor their EGN comes
 * with the sign session. So the signer cannot be compared with the identified
 * person directly. What can be checked: the one-time certificate is a natural
 * person's (its serialNumber is an ETSI natural-person identifier, not for
 * example a company seal), and every document ever signed with this
 * identification's sign sessions names the same person — the serialNumber
 * seen first is the reference for all the others. The serialNumber holds the
 * national identifier, so it is compared through its blind index and never
 * stored or shown in clear.
 */
export function signerProblems(serialNumber: string | null, referenceSignerIndex: string | null): SignerProblem[] {
  if (serialNumber === null || !NATURAL_PERSON_IDENTIFIER.test(serialNumber)) return ['SIGNER_NOT_A_PERSON'];
  if (referenceSignerIndex !== null && signerIndexOf(serialNumber) !== referenceSignerIndex) return ['SIGNER_CHANGED'];
  return [];
}

export function signerIndexOf(serialNumber: string): string {
  return blindIndexOf(serialNumber, SIGNER_INDEX_FIELD);
}

/** `PNOBG-7805166742` → `PNOBG-******6742`: the semantics prefix stays readable. */
export function maskSerialNumber(serialNumber: string): string {
  const match = /^([A-Z]{3}[A-Z]{2}-)(.+)$/.exec(serialNumber);
  return match ? match[1] + maskIdentifier(match[2]) : maskIdentifier(serialNumber);
}
