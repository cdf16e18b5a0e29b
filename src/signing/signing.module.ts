import { Module } from '@nestjs/common';
import { APP_CONFIG, ResolvedAppConfig } from '../config/config.module';
import { IdentificationModule } from '../identification/identification.module';
import { PdfInspector } from './pdf/pdf-inspector';
import { SignedPdfValidator } from './verification/signed-pdf-validator';
import { SigningCallbacks } from './signing-callbacks';
import { SigningCompletionService } from './signing-completion.service';
import { SigningCreationService } from './signing-creation.service';
import { SigningReconciler } from './signing-reconciler';
import { SigningReconciliationService } from './signing-reconciliation.service';
import { SigningRepository } from './signing.repository';
import { SigningsController } from './signings.controller';
import { SigningsService } from './signings.service';

@Module({
  imports: [IdentificationModule],
  controllers: [SigningsController],
  providers: [
    SigningRepository,
    SigningsService,
    SigningCreationService,
    SigningCompletionService,
    SigningReconciliationService,
    SignedPdfValidator,
    SigningCallbacks,
    SigningReconciler,
    { provide: PdfInspector, inject: [APP_CONFIG], useFactory: (config: ResolvedAppConfig) => new PdfInspector(config.signing.pdfParsing) },
  ],
  exports: [SigningsService, SigningReconciliationService, SigningRepository],
})
export class SigningModule {}
