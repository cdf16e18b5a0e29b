import { resolve } from 'node:path';
import { ensureDevCertificates } from '../src/sandbox/pki/dev-certificates';

const USAGE = 'Usage: npm run certs -- [--dir <directory>]   (default: .data/certs)';

function parseDirectory(args: string[]): string {
  let dir = '.data/certs';
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--dir' && index + 1 < args.length) {
      dir = args[++index];
    } else if (arg.startsWith('--dir=')) {
      dir = arg.slice('--dir='.length);
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`Unknown argument: ${arg}\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return resolve(process.cwd(), dir);
}

const files = ensureDevCertificates(parseDirectory(process.argv.slice(2)));
process.stdout.write(
  [
    `Sandbox certificates in ${files.dir}`,
    `  CA certificate (trust this):     ${files.caCert}`,
    `  CA private key:                  ${files.caKey}`,
    `  sandbox server certificate:      ${files.serverCert}`,
    `  sandbox server private key:      ${files.serverKey}`,
    `  relying-party client cert:       ${files.clientCert}`,
    `  relying-party client key:        ${files.clientKey}`,
    `  relying-party client PKCS#12:    ${files.clientPfx} (passphrase "${files.clientPfxPassphrase}")`,
    '',
  ].join('\n'),
);
