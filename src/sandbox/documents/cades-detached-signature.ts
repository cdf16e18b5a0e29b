import { X509Certificate, createHash, createPrivateKey, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

export interface CadesSigner {
  certificatePem: string;
  privateKeyPem: string;
  chainPems: string[];
}

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

/**
 * A detached CMS SignedData over a SHA-256 digest, shaped for PAdES baseline B
 * (ETSI EN 319 142-1): signed attributes content-type, message-digest and
 * signing-certificate-v2. There is deliberately no signing-time attribute:
 * PAdES baseline forbids it, the claimed signing time is the /M entry of the
 * PDF signature dictionary.
 */
export function createCadesDetachedSignature(contentDigest: Buffer, signer: CadesSigner): Buffer {
  if (contentDigest.length !== 32) {
    throw new Error('A SHA-256 content digest is 32 bytes');
  }
  const signerDer = new X509Certificate(signer.certificatePem).raw;
  const signerCertificate = parseCertificate(signerDer);
  const chain = signer.chainPems.map((pem) => parseCertificate(new X509Certificate(pem).raw));

  const signedAttributes = sortedForDer([
    new pkijs.Attribute({ type: OID_CONTENT_TYPE, values: [new asn1js.ObjectIdentifier({ value: OID_DATA })] }),
    new pkijs.Attribute({
      type: OID_MESSAGE_DIGEST,
      values: [new asn1js.OctetString({ valueHex: toArrayBuffer(contentDigest) })],
    }),
    new pkijs.Attribute({
      type: OID_SIGNING_CERTIFICATE_V2,
      values: [signingCertificateV2(signerDer, signerCertificate)],
    }),
  ]);
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: signedAttributes });
  // RFC 5652 5.4: the signature covers the DER of the attributes as an explicit SET OF, not the [0] tagged field.
  const toBeSigned = Buffer.from(signedAttrs.toSchema().toBER(false));
  toBeSigned[0] = 0x31;
  const privateKey = createPrivateKey(signer.privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error('The signer key must be an RSA key');
  }
  const signature = sign('sha256', toBeSigned, privateKey);

  const sha256 = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256, algorithmParams: new asn1js.Null() });
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({
      issuer: signerCertificate.issuer,
      serialNumber: signerCertificate.serialNumber,
    }),
    digestAlgorithm: sha256,
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: OID_RSA_ENCRYPTION,
      algorithmParams: new asn1js.Null(),
    }),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_DATA }),
    certificates: [signerCertificate, ...chain],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

/** ESS SigningCertificateV2 (RFC 5035) binding the signature to the signer's certificate. */
function signingCertificateV2(signerDer: Buffer, certificate: pkijs.Certificate): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: certificate.issuer })] }).toSchema(),
      certificate.serialNumber,
    ],
  });
  // hashAlgorithm is omitted: SHA-256 is its DEFAULT, and DER omits defaults.
  const essCertIdV2 = new asn1js.Sequence({
    value: [
      new asn1js.OctetString({ valueHex: toArrayBuffer(createHash('sha256').update(signerDer).digest()) }),
      issuerSerial,
    ],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

// DER encodes a SET OF in ascending order of the encoded elements (X.690 11.6).
function sortedForDer(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  const encoded = attributes.map((attribute) => ({
    attribute,
    der: Buffer.from(attribute.toSchema().toBER(false)),
  }));
  encoded.sort((left, right) => Buffer.compare(left.der, right.der));
  return encoded.map((entry) => entry.attribute);
}

function parseCertificate(der: Buffer): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
