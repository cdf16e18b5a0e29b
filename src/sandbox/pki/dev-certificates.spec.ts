import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { connect, createSecureContext, createServer } from 'node:tls';
import { createCertificateAuthority } from './certificate-authority';
import { DevCertificateFiles, ensureDevCertificates } from './dev-certificates';

function snapshot(files: DevCertificateFiles): Record<string, { content: string; mtimeMs: number }> {
  const paths = [files.caCert, files.caKey, files.serverCert, files.serverKey, files.clientCert, files.clientKey, files.clientPfx];
  return Object.fromEntries(
    paths.map((path) => [path, { content: readFileSync(path).toString('base64'), mtimeMs: statSync(path).mtimeMs }]),
  );
}

describe(ensureDevCertificates.name, () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dev-certs-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('creates a CA, a server certificate and a client certificate chained to it, with private files', () => {
    const files = ensureDevCertificates(join(root, 'nested', 'certs'));
    const ca = new X509Certificate(readFileSync(files.caCert));
    const server = new X509Certificate(readFileSync(files.serverCert));
    const client = new X509Certificate(readFileSync(files.clientCert));

    expect(ca.subject).toBe('CN=B-Trust Sandbox CA');
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(client.subject).toBe('CN=Sandbox Relying Party');
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(statSync(files.dir).mode & 0o777).toBe(0o700);
    for (const key of [files.caKey, files.serverKey, files.clientKey, files.clientPfx]) {
      expect(statSync(key).mode & 0o777).toBe(0o600);
    }
    expect(files.clientPfxPassphrase).toBe('sandbox');
    expect(() =>
      createSecureContext({ pfx: readFileSync(files.clientPfx), passphrase: files.clientPfxPassphrase }),
    ).not.toThrow();
  });

  it('lets the relying party and the sandbox complete a mutual TLS handshake on 127.0.0.1', async () => {
    const files = ensureDevCertificates(join(root, 'certs'));
    const ca = readFileSync(files.caCert);
    const server = createServer(
      { cert: readFileSync(files.serverCert), key: readFileSync(files.serverKey), ca, requestCert: true, rejectUnauthorized: true },
      (socket) => socket.end(socket.getPeerCertificate().subject.CN),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const peerName = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port, ca, pfx: readFileSync(files.clientPfx), passphrase: files.clientPfxPassphrase });
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
      expect(peerName).toBe('Sandbox Relying Party');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('changes nothing when called again', () => {
    const dir = join(root, 'certs');
    const before = snapshot(ensureDevCertificates(dir));
    const after = snapshot(ensureDevCertificates(dir));
    expect(after).toEqual(before);
  });

  it('re-issues only the missing server certificate, keeping the CA and client', () => {
    const files = ensureDevCertificates(join(root, 'certs'));
    const before = snapshot(files);
    unlinkSync(files.serverKey);
    const after = snapshot(ensureDevCertificates(files.dir));

    expect(after[files.caCert]).toEqual(before[files.caCert]);
    expect(after[files.clientCert]).toEqual(before[files.clientCert]);
    expect(after[files.serverCert].content).not.toBe(before[files.serverCert].content);
    const ca = new X509Certificate(readFileSync(files.caCert));
    expect(new X509Certificate(readFileSync(files.serverCert)).verify(ca.publicKey)).toBe(true);
  });

  it('re-issues everything under a CA that is about to expire', () => {
    const files = ensureDevCertificates(join(root, 'certs'));
    const before = snapshot(files);
    const expiring = createCertificateAuthority('B-Trust Sandbox CA', 3);
    writeFileSync(files.caCert, expiring.certificatePem);
    writeFileSync(files.caKey, expiring.privateKeyPem);
    ensureDevCertificates(files.dir);

    const ca = new X509Certificate(readFileSync(files.caCert));
    expect(ca.raw.equals(new X509Certificate(expiring.certificatePem).raw)).toBe(false);
    expect(Date.parse(ca.validTo) - Date.now()).toBeGreaterThan(30 * 24 * 3600 * 1000);
    for (const path of [files.serverCert, files.clientCert]) {
      expect(readFileSync(path).toString('base64')).not.toBe(before[path].content);
      expect(new X509Certificate(readFileSync(path)).verify(ca.publicKey)).toBe(true);
    }
  });
});
