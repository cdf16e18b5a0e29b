import { Module } from '@nestjs/common';
import { IdentificationModule } from '../identification/identification.module';
import { SignedDocumentVerifier } from './signed-document-verifier';
import { SigningCallbacks } from './signing-callbacks';
import { SigningReconciler } from './signing-reconciler';
import { SigningsController } from './signings.controller';
import { SigningsService } from './signings.service';

@Module({
  imports: [IdentificationModule],
  controllers: [SigningsController],
  providers: [SigningsService, SignedDocumentVerifier, SigningCallbacks, SigningReconciler],
  exports: [SigningsService],
})
export class SigningModule {}
