import { KeyObject, X509Certificate, constants, createHash, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFObject, PDFString } from 'pdf-lib';
import * as pkijs from 'pkijs';

export type PadesSignatureProblem =
  /** No %PDF- header, or the file does not parse as a PDF. */
  | 'NOT_A_PDF'
  | 'NO_SIGNATURE'
  /** The signature dictionary, its /ByteRange, its /Contents hole or the CMS container is not well formed. */
  | 'MALFORMED_SIGNATURE'
  /** A SubFilter, digest or signature algorithm this verifier does not accept. */
  | 'UNSUPPORTED_SIGNATURE'
  /** The last signature does not cover the whole file: something was added or changed after signing. */
  | 'BYTE_RANGE_NOT_WHOLE_FILE'
  | 'DIGEST_MISMATCH'
  | 'SIGNATURE_INVALID'
  /** The ESS signing-certificate attribute names another certificate than the one that signed. */
  | 'SIGNING_CERTIFICATE_MISMATCH'
  | 'ORIGINAL_MODIFIED'
  | 'UNTRUSTED_SIGNER'
  | 'CERTIFICATE_NOT_VALID_AT_SIGNING_TIME';

export interface PadesSigner {
  commonName: string | null;
  serialNumber: string | null;
}

export interface PadesSignatureVerification {
  valid: boolean;
  signer: PadesSigner | null;
  signedAt: Date | null;
  problems: PadesSignatureProblem[];
}

export interface PadesSignatureVerificationOptions {
  /** When given, the signed file must start with exactly these bytes (an incremental update of them). */
  originalPdf?: Buffer;
  /** PEM certificates the signer must chain to; one string may hold several. */
  trustAnchorsPem: string[];
  /** Used as the signing time when the signature claims none. */
  now?: Date;
}

interface SignatureCandidate {
  dictionary: PDFDict;
  byteRange: number[] | null;
}

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_DATA = '1.2.840.113549.1.7.1';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const OID_SUBJECT_KEY_IDENTIFIER = '2.5.29.14';
const OID_COMMON_NAME = '2.5.4.3';
const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';

const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const RSA_WITH_DIGEST: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const ECDSA_WITH_DIGEST: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const SUPPORTED_SUB_FILTERS = new Set(['ETSI.CAdES.detached', 'adbe.pkcs7.detached']);
const MAX_CHAIN_LENGTH = 8;

/** Thrown inside the verifier to stop at a problem that makes further checks meaningless. */
class VerificationStop extends Error {
  constructor(readonly problem: PadesSignatureProblem) {
    super(problem);
  }
}

/**
 * Decides whether a signed PDF that came back from the provider is genuine:
 * the last signature covers the whole file, its CMS container verifies over
 * exactly those bytes, its signer chains to a trust anchor and was valid when
 * it signed, and (when the original is given) the file is the original plus
 * an appended update. It never throws on bad input; every finding is a
 * problem code. Who the signer must be is the caller's decision.
 */
export async function verifyPadesSignature(
  signedPdf: Buffer,
  options: PadesSignatureVerificationOptions,
): Promise<PadesSignatureVerification> {
  const anchors = parseTrustAnchors(options.trustAnchorsPem);
  const problems = new Set<PadesSignatureProblem>();
  let signer: PadesSigner | null = null;
  let signedAt: Date | null = null;
  const report = (): PadesSignatureVerification => ({
    valid: problems.size === 0,
    signer,
    signedAt,
    problems: [...problems],
  });

  try {
    const bytes = signedPdf;
    if (options.originalPdf !== undefined && !extendsOriginal(bytes, options.originalPdf)) {
      problems.add('ORIGINAL_MODIFIED');
    }
    const candidate = await findLastSignature(bytes);
    const byteRange = candidate.byteRange as number[];
    const container = readSignatureContainer(bytes, candidate);
    if (byteRange[0] !== 0 || byteRange[2] + byteRange[3] !== bytes.length) {
      problems.add('BYTE_RANGE_NOT_WHOLE_FILE');
    }

    const signedData = parseSignedData(container);
    const signerInfo = signedData.signerInfos[0];
    const certificates = (signedData.certificates ?? []).filter(
      (entry): entry is pkijs.Certificate => entry instanceof pkijs.Certificate,
    );
    const signerCertificate = findSignerCertificate(signerInfo, certificates);
    const signerX509 = toX509(signerCertificate);
    signer = {
      commonName: subjectAttribute(signerCertificate, OID_COMMON_NAME),
      serialNumber: subjectAttribute(signerCertificate, OID_SERIAL_NUMBER),
    };
    const attributes = signedAttributesOf(signerInfo);
    signedAt = signingTimeAttribute(attributes) ?? claimedSigningTime(candidate.dictionary);

    const digestName = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
    if (!digestName) throw new VerificationStop('UNSUPPORTED_SIGNATURE');
    const digest = createHash(digestName)
      .update(bytes.subarray(byteRange[0], byteRange[0] + byteRange[1]))
      .update(bytes.subarray(byteRange[2], byteRange[2] + byteRange[3]))
      .digest();
    if (!digest.equals(singleOctetString(attributes, OID_MESSAGE_DIGEST))) {
      problems.add('DIGEST_MISMATCH');
    }
    if (!signatureVerifies(signerInfo, digestName, signerX509.publicKey)) {
      problems.add('SIGNATURE_INVALID');
    }
    if (!signingCertificateAttributeMatches(attributes, signerX509)) {
      problems.add('SIGNING_CERTIFICATE_MISMATCH');
    }
    const intermediates = certificates.filter((entry) => entry !== signerCertificate).map(toX509);
    if (!chainsToTrustAnchor(signerX509, intermediates, anchors)) {
      problems.add('UNTRUSTED_SIGNER');
    }
    const at = signedAt ?? options.now ?? new Date();
    if (at.getTime() < Date.parse(signerX509.validFrom) || at.getTime() > Date.parse(signerX509.validTo)) {
      problems.add('CERTIFICATE_NOT_VALID_AT_SIGNING_TIME');
    }
    return report();
  } catch (error) {
    problems.add(error instanceof VerificationStop ? error.problem : 'MALFORMED_SIGNATURE');
    return report();
  }
}

function extendsOriginal(signed: Buffer, original: Buffer): boolean {
  return signed.length > original.length && signed.subarray(0, original.length).equals(original);
}

/** The signature dictionary whose /Contents hole lies last in the file: the most recent signature. */
async function findLastSignature(bytes: Buffer): Promise<SignatureCandidate> {
  if (!bytes.subarray(0, 1024).includes('%PDF-')) throw new VerificationStop('NOT_A_PDF');
  let document: PDFDocument;
  try {
    document = await PDFDocument.load(bytes, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: true,
    });
  } catch {
    throw new VerificationStop('NOT_A_PDF');
  }
  if (!(document.context.lookup(document.context.trailerInfo.Root) instanceof PDFDict)) {
    throw new VerificationStop('NOT_A_PDF');
  }
  const candidates: SignatureCandidate[] = [];
  for (const [, object] of document.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict)) continue;
    const fieldValue = object.get(PDFName.of('V'));
    for (const dictionary of fieldValue instanceof PDFDict ? [object, fieldValue] : [object]) {
      if (dictionary.has(PDFName.of('ByteRange')) && dictionary.has(PDFName.of('Contents'))) {
        candidates.push({ dictionary, byteRange: readByteRange(dictionary.get(PDFName.of('ByteRange')), bytes.length) });
      }
    }
  }
  if (candidates.length === 0) throw new VerificationStop('NO_SIGNATURE');
  const located = candidates.filter((candidate) => candidate.byteRange !== null);
  if (located.length === 0) throw new VerificationStop('MALFORMED_SIGNATURE');
  return located.reduce((last, candidate) =>
    (candidate.byteRange as number[])[1] > (last.byteRange as number[])[1] ? candidate : last,
  );
}

/** Four non-negative integers naming two ranges in order, inside the file, with a gap between them. */
function readByteRange(value: PDFObject | undefined, fileLength: number): number[] | null {
  if (!(value instanceof PDFArray) || value.size() !== 4) return null;
  const numbers = value.asArray().map((entry) => (entry instanceof PDFNumber ? entry.asNumber() : NaN));
  if (!numbers.every((entry) => Number.isSafeInteger(entry) && entry >= 0)) return null;
  const [firstStart, firstLength, secondStart, secondLength] = numbers;
  const holeStart = firstStart + firstLength;
  if (holeStart + 2 > secondStart || secondStart + secondLength > fileLength) return null;
  return numbers;
}

/**
 * The CMS bytes, taken from the gap between the two ranges after checking
 * that the gap is exactly the hex string this dictionary's /Contents holds.
 */
function readSignatureContainer(bytes: Buffer, candidate: SignatureCandidate): Buffer {
  const byteRange = candidate.byteRange as number[];
  const holeStart = byteRange[0] + byteRange[1];
  const holeEnd = byteRange[2];
  const contents = candidate.dictionary.get(PDFName.of('Contents'));
  if (!(contents instanceof PDFHexString)) throw new VerificationStop('MALFORMED_SIGNATURE');
  const hole = bytes.subarray(holeStart, holeEnd).toString('latin1');
  const hex = hole.slice(1, -1);
  if (!hole.startsWith('<') || !hole.endsWith('>') || !/^[0-9A-Fa-f]*$/.test(hex) || hex.length % 2 !== 0) {
    throw new VerificationStop('MALFORMED_SIGNATURE');
  }
  if (hex.toUpperCase() !== contents.asString().toUpperCase()) throw new VerificationStop('MALFORMED_SIGNATURE');
  const keyBefore = bytes.subarray(Math.max(0, holeStart - 64), holeStart).toString('latin1');
  if (!/\/Contents\s*$/.test(keyBefore)) throw new VerificationStop('MALFORMED_SIGNATURE');

  const subFilter = candidate.dictionary.get(PDFName.of('SubFilter'));
  if (!(subFilter instanceof PDFName) || !SUPPORTED_SUB_FILTERS.has(subFilter.decodeText())) {
    throw new VerificationStop('UNSUPPORTED_SIGNATURE');
  }
  return Buffer.from(hex, 'hex');
}

function parseSignedData(container: Buffer): pkijs.SignedData {
  // The hole is zero-padded after the DER; asn1js reads one element and ignores the rest.
  const parsed = asn1js.fromBER(toArrayBuffer(container));
  if (parsed.offset === -1) throw new VerificationStop('MALFORMED_SIGNATURE');
  const contentInfo = new pkijs.ContentInfo({ schema: parsed.result });
  if (contentInfo.contentType !== OID_SIGNED_DATA) throw new VerificationStop('MALFORMED_SIGNATURE');
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  if (signedData.signerInfos.length !== 1 || signedData.encapContentInfo.eContent) {
    throw new VerificationStop('MALFORMED_SIGNATURE');
  }
  return signedData;
}

function findSignerCertificate(signerInfo: pkijs.SignerInfo, certificates: pkijs.Certificate[]): pkijs.Certificate {
  const sid: unknown = signerInfo.sid;
  const found = certificates.find((certificate) => {
    if (sid instanceof pkijs.IssuerAndSerialNumber) {
      return certificate.issuer.isEqual(sid.issuer) && certificate.serialNumber.isEqual(sid.serialNumber);
    }
    if (sid instanceof asn1js.Constructed || sid instanceof asn1js.Primitive) {
      const keyIdentifier = Buffer.from((sid as asn1js.Primitive).valueBlock.valueHexView ?? []);
      const extension = certificate.extensions?.find((entry) => entry.extnID === OID_SUBJECT_KEY_IDENTIFIER);
      const parsedValue = extension?.parsedValue as asn1js.OctetString | undefined;
      return parsedValue !== undefined && Buffer.from(parsedValue.valueBlock.valueHexView).equals(keyIdentifier);
    }
    return false;
  });
  if (!found) throw new VerificationStop('MALFORMED_SIGNATURE');
  return found;
}

function signedAttributesOf(signerInfo: pkijs.SignerInfo): pkijs.Attribute[] {
  // PAdES requires signed attributes: without them the signature would be over the raw bytes, with no bound certificate.
  const attributes = signerInfo.signedAttrs?.attributes;
  if (!attributes || attributes.length === 0) throw new VerificationStop('MALFORMED_SIGNATURE');
  const contentType = attributes.find((attribute) => attribute.type === OID_CONTENT_TYPE)?.values[0];
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID_DATA) {
    throw new VerificationStop('MALFORMED_SIGNATURE');
  }
  return attributes;
}

function singleOctetString(attributes: pkijs.Attribute[], type: string): Buffer {
  const matches = attributes.filter((attribute) => attribute.type === type);
  const value = matches.length === 1 && matches[0].values.length === 1 ? matches[0].values[0] : undefined;
  if (!(value instanceof asn1js.OctetString)) throw new VerificationStop('MALFORMED_SIGNATURE');
  return Buffer.from(value.valueBlock.valueHexView);
}

function signatureVerifies(signerInfo: pkijs.SignerInfo, digestName: string, publicKey: KeyObject): boolean {
  const signedAttributes = Buffer.from((signerInfo.signedAttrs as pkijs.SignedAndUnsignedAttributes).encodedValue);
  const signature = Buffer.from(signerInfo.signature.valueBlock.valueHexView);
  const algorithm = signerInfo.signatureAlgorithm;
  const algorithmId = algorithm.algorithmId;
  try {
    if (algorithmId === OID_RSA_ENCRYPTION || RSA_WITH_DIGEST[algorithmId]) {
      const hash = RSA_WITH_DIGEST[algorithmId] ?? digestName;
      return verify(hash, signedAttributes, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    }
    if (algorithmId === OID_RSASSA_PSS) {
      const parameters = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams });
      const hash = DIGESTS[parameters.hashAlgorithm.algorithmId];
      if (!hash) throw new VerificationStop('UNSUPPORTED_SIGNATURE');
      return verify(
        hash,
        signedAttributes,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: parameters.saltLength },
        signature,
      );
    }
    if (ECDSA_WITH_DIGEST[algorithmId]) {
      return verify(ECDSA_WITH_DIGEST[algorithmId], signedAttributes, publicKey, signature);
    }
  } catch (error) {
    if (error instanceof VerificationStop) throw error;
    return false;
  }
  throw new VerificationStop('UNSUPPORTED_SIGNATURE');
}

/** ESS signing-certificate(-v2), when present, must hash to the certificate that actually signed. */
function signingCertificateAttributeMatches(attributes: pkijs.Attribute[], signer: X509Certificate): boolean {
  for (const attribute of attributes) {
    if (attribute.type !== OID_SIGNING_CERTIFICATE_V2 && attribute.type !== OID_SIGNING_CERTIFICATE) continue;
    const certs = (attribute.values[0] as asn1js.Sequence | undefined)?.valueBlock.value[0] as asn1js.Sequence | undefined;
    const first = certs?.valueBlock.value[0] as asn1js.Sequence | undefined;
    const fields = first?.valueBlock.value ?? [];
    let hashName = attribute.type === OID_SIGNING_CERTIFICATE ? 'sha1' : 'sha256';
    let hashField = fields[0];
    if (attribute.type === OID_SIGNING_CERTIFICATE_V2 && fields[0] instanceof asn1js.Sequence) {
      const algorithm = new pkijs.AlgorithmIdentifier({ schema: fields[0] });
      hashName = DIGESTS[algorithm.algorithmId] ?? '';
      hashField = fields[1];
    }
    if (!hashName || !(hashField instanceof asn1js.OctetString)) return false;
    const expected = createHash(hashName).update(signer.raw).digest();
    if (!expected.equals(Buffer.from(hashField.valueBlock.valueHexView))) return false;
  }
  return true;
}

function signingTimeAttribute(attributes: pkijs.Attribute[]): Date | null {
  const value = attributes.find((attribute) => attribute.type === OID_SIGNING_TIME)?.values[0];
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) return value.toDate();
  return null;
}

/** The /M entry, where PAdES baseline signatures carry the claimed signing time (PDF date, ISO 32000-1 7.9.4). */
function claimedSigningTime(dictionary: PDFDict): Date | null {
  const value = dictionary.get(PDFName.of('M'));
  if (!(value instanceof PDFString || value instanceof PDFHexString)) return null;
  const match = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(\d{2})?'?)?)?$/.exec(
    value.decodeText().trim(),
  );
  if (!match) return null;
  const [, year, month = '01', day = '01', hour = '00', minute = '00', second = '00', sign, offsetHours = '00', offsetMinutes = '00'] = match;
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  const offsetMs = (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60 * 1000;
  const time = sign === '+' ? utc - offsetMs : sign === '-' ? utc + offsetMs : utc;
  return Number.isNaN(time) ? null : new Date(time);
}

/**
 * Walks issuer links from the signer through the CMS certificates until a
 * trust anchor issued (or is) the current certificate. Every link is checked
 * by name, key identifiers, CA flag and signature.
 */
function chainsToTrustAnchor(signer: X509Certificate, intermediates: X509Certificate[], anchors: X509Certificate[]): boolean {
  let current = signer;
  const visited = new Set<string>();
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    if (anchors.some((anchor) => anchor.fingerprint256 === current.fingerprint256)) return true;
    if (anchors.some((anchor) => isIssuedBy(current, anchor))) return true;
    visited.add(current.fingerprint256);
    const next = intermediates.find((candidate) => !visited.has(candidate.fingerprint256) && isIssuedBy(current, candidate));
    if (!next) return false;
    current = next;
  }
  return false;
}

function isIssuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return issuer.ca && certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function subjectAttribute(certificate: pkijs.Certificate, type: string): string | null {
  const entry = certificate.subject.typesAndValues.find((attribute) => attribute.type === type);
  const value = entry?.value.valueBlock.value;
  return typeof value === 'string' ? value : null;
}

function toX509(certificate: pkijs.Certificate): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(certificate.toSchema().toBER(false)));
  } catch {
    throw new VerificationStop('MALFORMED_SIGNATURE');
  }
}

function parseTrustAnchors(pems: string[]): X509Certificate[] {
  const blocks = pems.flatMap((pem) => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []);
  if (blocks.length === 0) throw new Error('At least one trust anchor certificate is required');
  return blocks.map((block) => new X509Certificate(block));
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
