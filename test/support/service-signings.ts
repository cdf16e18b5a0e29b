import type { Provider } from '@nestjs/common';
import type { SignedDocuments } from '../../src/btrust/btrust.types';
import { CallbackEndpointRepository } from '../../src/callbacks/callback-endpoint.repository';
import { CallbackEndpointsService } from '../../src/callbacks/callback-endpoints.service';
import { APP_CONFIG, type ResolvedAppConfig } from '../../src/config/config.module';
import { WebIdentificationRepository } from '../../src/identification/web/web-identification.repository';
import { WebIdentificationsService } from '../../src/identification/web/web-identifications.service';
import { CasMetrics } from '../../src/metrics/cas-metrics';
import { PdfInspector } from '../../src/signing/pdf/pdf-inspector';
import { SignedPdfValidator } from '../../src/signing/verification/signed-pdf-validator';
import type { SigningInput } from '../../src/signing/signing.types';
import { SigningCompletionService } from '../../src/signing/signing-completion.service';
import { SigningCreationService } from '../../src/signing/signing-creation.service';
import { SigningReconciliationService } from '../../src/signing/signing-reconciliation.service';
import { SigningRepository } from '../../src/signing/signing.repository';
import { SigningsService } from '../../src/signing/signings.service';
import type { ServiceModule } from './service-module';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The signing services and the real collaborators they inject, the PDF inspector built as the signing module builds it. */
export const SIGNING_PROVIDERS: Provider[] = [
  SigningRepository,
  SigningsService,
  SigningCreationService,
  SigningCompletionService,
  SigningReconciliationService,
  WebIdentificationsService,
  WebIdentificationRepository,
  CallbackEndpointsService,
  CallbackEndpointRepository,
  SignedPdfValidator,
  CasMetrics,
  { provide: PdfInspector, inject: [APP_CONFIG], useFactory: (config: ResolvedAppConfig) => new PdfInspector(config.signing.pdfParsing) },
];

/** A signing request for these PDFs, named contract-1.pdf, contract-2.pdf… */
export const signingRequest = (tier: ServiceModule, originals: Buffer[]): SigningInput => ({
  documents: originals.map((content, index) => ({ fileName: `contract-${index + 1}.pdf`, title: `Contract ${index + 1}`, content })),
  emailSignedDocuments: false,
  successUrl: `${tier.config.publicBaseUrl}/signed`,
  cancelUrl: `${tier.config.publicBaseUrl}/cancelled`,
});

/** An original as B-Trust signs it: an incremental update appended. */
export const signedFrom = (original: Buffer): Buffer => Buffer.concat([original, Buffer.from('\n% signature added by B-Trust\n')]);

/** 3.3's answer carrying these documents, under names of B-Trust's choosing, and the identification's next sign session. */
export const signedDocumentsAnswer = (contents: Buffer[], nextSignSessionId: string): SignedDocuments => ({
  documents: contents.map((content, position) => ({ fileName: `signed-by-btrust-${position}.pdf`, content })),
  clientIdentificator: 'client-identificator-1',
  signSessionId: nextSignSessionId,
  signSessionExpiresAt: new Date(Date.now() + DAY_MS),
});
