import { X509Certificate } from 'node:crypto';
import * as forge from 'node-forge';
import type { ClientCertificateInfo } from './btrust.types';

export interface ClientCertificateSource {
  cert?: string | Buffer;
  pfx?: Buffer;
  passphrase?: string;
}

/** Subject and expiry of the configured client certificate; null when none is configured. Throws when it cannot be read. */
export function readClientCertificateInfo(source: ClientCertificateSource): ClientCertificateInfo | null {
  if (source.cert !== undefined) {
    return describe(new X509Certificate(source.cert));
  }
  if (source.pfx !== undefined) {
    return describe(new X509Certificate(leafCertificateDerFromPfx(source.pfx, source.passphrase)));
  }
  return null;
}

function describe(certificate: X509Certificate): ClientCertificateInfo {
  return {
    subject: certificate.subject.split('\n').join(', '),
    notAfter: new Date(certificate.validTo),
  };
}

/**
 * A PKCS#12 bundle usually holds the client certificate and its CA chain; the client
 * certificate is the one whose localKeyId matches the private key's, or else the first one
 * that is not a CA.
 */
function leafCertificateDerFromPfx(pfx: Buffer, passphrase: string | undefined): Buffer {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(pfx.toString('binary')), passphrase ?? '');
  const certificateBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const keyIds = new Set(keyBags.map((bag) => localKeyIdOf(bag)).filter((id): id is string => id !== null));
  const certificates = certificateBags.filter((bag) => bag.cert !== undefined);
  const leaf =
    certificates.find((bag) => {
      const id = localKeyIdOf(bag);
      return id !== null && keyIds.has(id);
    }) ?? certificates.find((bag) => !isCaCertificate(bag.cert as forge.pki.Certificate));
  if (leaf?.cert === undefined) {
    throw new Error('the PKCS#12 bundle holds no client certificate');
  }
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf.cert)).getBytes(), 'binary');
}

function localKeyIdOf(bag: forge.pkcs12.Bag): string | null {
  const ids = bag.attributes?.localKeyId as string[] | undefined;
  return ids?.[0] ?? null;
}

function isCaCertificate(certificate: forge.pki.Certificate): boolean {
  const constraints = certificate.getExtension('basicConstraints') as { cA?: boolean } | undefined;
  return constraints?.cA === true;
}
