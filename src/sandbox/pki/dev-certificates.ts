import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  IssuedCertificate,
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  toPkcs12,
} from './certificate-authority';

export interface DevCertificateFiles {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  clientPfx: string;
  clientPfxPassphrase: string;
}

export const SANDBOX_CA_COMMON_NAME = 'B-Trust Sandbox CA';
export const SANDBOX_RELYING_PARTY_COMMON_NAME = 'Sandbox Relying Party';
export const SANDBOX_SERVER_HOSTNAMES = ['localhost', '127.0.0.1', '::1'];
const CLIENT_PFX_PASSPHRASE = 'sandbox';
const RENEW_BEFORE_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Makes sure the sandbox's mutual-TLS material exists in `dir`: its CA, its
 * server certificate and the relying party's client certificate. Files are
 * only written when missing, unreadable, about to expire or no longer issued
 * by the CA on disk, so calling this on every start changes nothing.
 */
export function ensureDevCertificates(dir: string): DevCertificateFiles {
  const absoluteDir = resolve(dir);
  mkdirSync(absoluteDir, { recursive: true, mode: 0o700 });
  const files: DevCertificateFiles = {
    dir: absoluteDir,
    caCert: join(absoluteDir, 'ca.crt'),
    caKey: join(absoluteDir, 'ca.key'),
    serverCert: join(absoluteDir, 'server.crt'),
    serverKey: join(absoluteDir, 'server.key'),
    clientCert: join(absoluteDir, 'client.crt'),
    clientKey: join(absoluteDir, 'client.key'),
    clientPfx: join(absoluteDir, 'client.p12'),
    clientPfxPassphrase: CLIENT_PFX_PASSPHRASE,
  };

  let ca = readUsable(files.caCert, files.caKey, null);
  const caRenewed = ca === null;
  if (ca === null) {
    ca = createCertificateAuthority(SANDBOX_CA_COMMON_NAME);
    writeIssued(ca, files.caCert, files.caKey);
  }

  if (caRenewed || readUsable(files.serverCert, files.serverKey, ca) === null) {
    writeIssued(issueServerCertificate(ca, SANDBOX_SERVER_HOSTNAMES), files.serverCert, files.serverKey);
  }

  let client = caRenewed ? null : readUsable(files.clientCert, files.clientKey, ca);
  if (client === null) {
    client = issueClientCertificate(ca, SANDBOX_RELYING_PARTY_COMMON_NAME);
    writeIssued(client, files.clientCert, files.clientKey);
    writeAtomically(files.clientPfx, toPkcs12(client, [ca.certificatePem], CLIENT_PFX_PASSPHRASE), 0o600);
  } else if (!existsSync(files.clientPfx)) {
    writeAtomically(files.clientPfx, toPkcs12(client, [ca.certificatePem], CLIENT_PFX_PASSPHRASE), 0o600);
  }
  return files;
}

/** The pair on disk, or null when it must be (re)issued. */
function readUsable(certPath: string, keyPath: string, issuer: IssuedCertificate | null): IssuedCertificate | null {
  if (!existsSync(certPath) || !existsSync(keyPath)) return null;
  try {
    const certificatePem = readFileSync(certPath, 'utf8');
    const privateKeyPem = readFileSync(keyPath, 'utf8');
    const cert = new X509Certificate(certificatePem);
    if (!cert.checkPrivateKey(createPrivateKey(privateKeyPem))) return null;
    if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_EXPIRY_MS) return null;
    if (issuer !== null) {
      const issuerCert = new X509Certificate(issuer.certificatePem);
      if (!cert.checkIssued(issuerCert) || !cert.verify(issuerCert.publicKey)) return null;
    }
    return { certificatePem, privateKeyPem };
  } catch {
    return null;
  }
}

function writeIssued(issued: IssuedCertificate, certPath: string, keyPath: string): void {
  writeAtomically(keyPath, issued.privateKeyPem, 0o600);
  writeAtomically(certPath, issued.certificatePem, 0o644);
}

// A crash half-way must not leave a truncated key that the next start would reject forever.
function writeAtomically(path: string, content: string | Buffer, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}
