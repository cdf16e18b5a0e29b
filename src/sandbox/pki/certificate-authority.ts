import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as forge from 'node-forge';

export interface IssuedCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export interface OneTimeSigningSubject {
  commonName: string;
  /** ETSI EN 319 412-1 semantics identifier, e.g. `PNOBG-7805166742`. */
  serialNumber: string;
  givenName?: string;
  surname?: string;
  country?: string;
}

const DEFAULT_CA_VALIDITY_DAYS = 3650;
const END_ENTITY_VALIDITY_DAYS = 365;
const DEFAULT_ONE_TIME_VALIDITY_MINUTES = 15;
const DAY_MS = 24 * 60 * 60 * 1000;
// Clocks of the parties differ slightly; a certificate must not look "not yet valid" to a peer.
const BACKDATE_MS = 5 * 60 * 1000;

type SubjectAttribute = { type: string; value: string; valueTagClass: number };

export function createCertificateAuthority(
  commonName: string,
  validityDays: number = DEFAULT_CA_VALIDITY_DAYS,
): IssuedCertificate {
  const keys = generateRsaKeyPair();
  const cert = newCertificate(keys.publicKeyPem, validityDays * DAY_MS);
  const subject = [utf8Attribute('2.5.4.3', commonName)];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: keys.privateKeyPem };
}

export function issueServerCertificate(ca: IssuedCertificate, hostnames: string[]): IssuedCertificate {
  if (hostnames.length === 0) {
    throw new Error('A server certificate needs at least one hostname');
  }
  const altNames = hostnames.map((name) =>
    isIP(name) ? { type: 7, ip: name } : { type: 2, value: name },
  );
  return issueEndEntity(ca, [utf8Attribute('2.5.4.3', hostnames[0])], END_ENTITY_VALIDITY_DAYS * DAY_MS, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
}

export function issueClientCertificate(ca: IssuedCertificate, commonName: string): IssuedCertificate {
  return issueEndEntity(ca, [utf8Attribute('2.5.4.3', commonName)], END_ENTITY_VALIDITY_DAYS * DAY_MS, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
}

/**
 * B-Trust's one-time certificate (OTC): a certificate issued for a single
 * signing session to the identified person, valid for minutes.
 */
export function issueOneTimeSigningCertificate(
  ca: IssuedCertificate,
  subject: OneTimeSigningSubject,
  validityMinutes: number = DEFAULT_ONE_TIME_VALIDITY_MINUTES,
): IssuedCertificate {
  const attributes: SubjectAttribute[] = [];
  if (subject.country) attributes.push(printableAttribute('2.5.4.6', subject.country));
  if (subject.givenName) attributes.push(utf8Attribute('2.5.4.42', subject.givenName));
  if (subject.surname) attributes.push(utf8Attribute('2.5.4.4', subject.surname));
  attributes.push(printableAttribute('2.5.4.5', subject.serialNumber));
  attributes.push(utf8Attribute('2.5.4.3', subject.commonName));
  return issueEndEntity(ca, attributes, validityMinutes * 60 * 1000, [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
  ]);
}

export function toPkcs12(cert: IssuedCertificate, chainPems: string[], passphrase: string): Buffer {
  const key = forge.pki.privateKeyFromPem(cert.privateKeyPem);
  const certificates = [cert.certificatePem, ...chainPems].map((pem) => forge.pki.certificateFromPem(pem));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certificates, passphrase, {
    algorithm: 'aes256',
    friendlyName: commonNameOf(certificates[0]),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

function issueEndEntity(
  ca: IssuedCertificate,
  subject: SubjectAttribute[],
  validityMs: number,
  extensions: object[],
): IssuedCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certificatePem);
  const caKey = forge.pki.privateKeyFromPem(ca.privateKeyPem);
  const keys = generateRsaKeyPair();
  const cert = newCertificate(keys.publicKeyPem, validityMs);
  if (cert.validity.notAfter > caCert.validity.notAfter) {
    cert.validity.notAfter = caCert.validity.notAfter;
  }
  cert.setSubject(subject);
  cert.setIssuer(issuerAttributesOf(caCert));
  cert.setExtensions([
    ...extensions,
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: keys.privateKeyPem };
}

function newCertificate(publicKeyPem: string, validityMs: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = randomPositiveSerialHex();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - BACKDATE_MS);
  cert.validity.notAfter = new Date(now + validityMs);
  return cert;
}

function generateRsaKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

// RFC 5280 4.1.2.2: positive, at most 20 octets; a set second-highest bit keeps the DER encoding minimal.
function randomPositiveSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x40;
  return bytes.toString('hex');
}

// forge keeps parsed UTF8String values as UTF-8 bytes but encodes them again on write.
function issuerAttributesOf(caCert: forge.pki.Certificate): SubjectAttribute[] {
  return caCert.subject.attributes.map((attribute) => {
    const valueTagClass = attribute.valueTagClass as number;
    const raw = attribute.value as string;
    return {
      type: attribute.type as string,
      valueTagClass,
      value: valueTagClass === forge.asn1.Type.UTF8 ? forge.util.decodeUtf8(raw) : raw,
    };
  });
}

function utf8Attribute(type: string, value: string): SubjectAttribute {
  return { type, value, valueTagClass: forge.asn1.Type.UTF8 };
}

// X.520 requires PrintableString for countryName and serialNumber.
function printableAttribute(type: string, value: string): SubjectAttribute {
  return { type, value, valueTagClass: forge.asn1.Type.PRINTABLESTRING };
}

function commonNameOf(cert: forge.pki.Certificate): string {
  const field = cert.subject.getField('CN') as { value: string } | null;
  return field ? forge.util.decodeUtf8(field.value) : 'certificate';
}
