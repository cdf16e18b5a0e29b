import { X509Certificate, createPrivateKey, createSign, createVerify } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueOneTimeSigningCertificate,
  issueServerCertificate,
  toPkcs12,
} from './certificate-authority';

describe('certificate-authority', () => {
  const ca = createCertificateAuthority('Spec Root CA');
  const caCert = new X509Certificate(ca.certificatePem);

  it('creates a self-signed CA whose key matches its certificate', () => {
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toBe('CN=Spec Root CA');
    expect(caCert.checkIssued(caCert)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.checkPrivateKey(createPrivateKey(ca.privateKeyPem))).toBe(true);
    expect(caCert.toLegacyObject().ext_key_usage).toBeUndefined();
    expect(caCert.keyUsage).toBeUndefined();
  });

  it('issues a server certificate for DNS names and IPv4/IPv6 addresses, chained to the CA', () => {
    const server = new X509Certificate(issueServerCertificate(ca, ['localhost', '127.0.0.1', '::1']).certificatePem);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(caCert)).toBe(true);
    expect(server.verify(caCert.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(server.checkHost('example.com')).toBeUndefined();
    expect(server.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('issues a client certificate with the clientAuth usage', () => {
    const client = new X509Certificate(issueClientCertificate(ca, 'Spec Relying Party').certificatePem);
    expect(client.subject).toBe('CN=Spec Relying Party');
    expect(client.verify(caCert.publicKey)).toBe(true);
    expect(client.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  });

  it('issues a short-lived one-time signing certificate naming the person, whose key signs', () => {
    const issued = issueOneTimeSigningCertificate(
      ca,
      { commonName: 'Иван Петров', serialNumber: 'PNOBG-7805166742', givenName: 'Иван', surname: 'Петров', country: 'BG' },
      10,
    );
    const otc = new X509Certificate(issued.certificatePem);
    expect(otc.verify(caCert.publicKey)).toBe(true);
    expect(otc.subject).toContain('CN=Иван Петров');
    expect(otc.subject).toContain('serialNumber=PNOBG-7805166742');
    expect(otc.subject).toContain('C=BG');
    const lifetimeMs = Date.parse(otc.validTo) - Date.parse(otc.validFrom);
    expect(lifetimeMs).toBeLessThanOrEqual(16 * 60 * 1000);
    expect(otc.toLegacyObject().ext_key_usage).toBeUndefined();
    const signature = createSign('sha256').update('document').sign(issued.privateKeyPem);
    expect(createVerify('sha256').update('document').verify(otc.publicKey, signature)).toBe(true);
  });

  it('gives every certificate a distinct positive serial number', () => {
    const first = new X509Certificate(issueClientCertificate(ca, 'A').certificatePem);
    const second = new X509Certificate(issueClientCertificate(ca, 'A').certificatePem);
    expect(first.serialNumber).not.toBe(second.serialNumber);
    expect(parseInt(first.serialNumber.slice(0, 2), 16) & 0x80).toBe(0);
  });

  it('exports a PKCS#12 that TLS accepts with the passphrase and refuses without it', () => {
    const client = issueClientCertificate(ca, 'Spec Relying Party');
    const pfx = toPkcs12(client, [ca.certificatePem], 'secret');
    expect(() => createSecureContext({ pfx, passphrase: 'secret' })).not.toThrow();
    expect(() => createSecureContext({ pfx, passphrase: 'wrong' })).toThrow();
  });
});
