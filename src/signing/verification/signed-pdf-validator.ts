import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, ResolvedAppConfig } from '../../config/config.module';
import { maskSerialNumber, signerIndexOf, signerProblems } from '../signer-identity';
import type { SignedDocumentVerification } from '../signing.types';
import { verifyPadesSignature } from './pades-signature';

/**
 * The signing flow's acceptance of a signed PDF B-Trust returned: its PAdES
 * signature verified against the original we sent and the configured trust
 * anchors (pades-signature.ts), then who signed checked against the person
 * identified (signer-identity.ts).
 */
@Injectable()
export class SignedPdfValidator implements OnModuleInit {
  private readonly logger = new Logger(SignedPdfValidator.name);
  private trustAnchorsPem: string[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedAppConfig) {}

  onModuleInit(): void {
    const path = this.config.signing.trustAnchorsPath;
    if (!path) {
      // Production refuses to start without anchors; elsewhere signing still works and says why nothing verifies.
      this.logger.warn('BTRUST_SIGNING_TRUST_ANCHORS is not set: no signed PDF will verify');
      return;
    }
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new Error(`BTRUST_SIGNING_TRUST_ANCHORS (${path}) holds no PEM certificate`);
    }
    this.trustAnchorsPem = [pem];
  }

  async validate(signed: Buffer, original: Buffer, referenceSignerIndex: string | null): Promise<SignedDocumentVerification> {
    if (this.trustAnchorsPem.length === 0) {
      return { valid: false, signer: null, signedAt: null, problems: ['TRUST_ANCHORS_NOT_CONFIGURED'] };
    }
    const result = await verifyPadesSignature(signed, { originalPdf: original, trustAnchorsPem: this.trustAnchorsPem });
    const serialNumber = result.signer?.serialNumber ?? null;
    const problems = [...result.problems, ...(result.signer ? signerProblems(serialNumber, referenceSignerIndex) : [])];
    return {
      valid: problems.length === 0,
      signer: result.signer
        ? {
            commonName: result.signer.commonName,
            serialNumber: serialNumber ? maskSerialNumber(serialNumber) : null,
            serialNumberIndex: serialNumber ? signerIndexOf(serialNumber) : null,
          }
        : null,
      signedAt: result.signedAt ? result.signedAt.toISOString() : null,
      problems,
    };
  }
}
