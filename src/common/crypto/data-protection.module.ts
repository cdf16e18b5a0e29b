import { DynamicModule, Module } from '@nestjs/common';
import type { PersonalDataConfig } from '../../config/app-config';
import { BlindIndexSubscriber } from './blind-index.subscriber';
import { installDataProtection } from './data-protection';

/**
 * Installs the personal-data keys for the column transformers while the
 * application module is composed, i.e. before TypeORM opens the database,
 * and keeps blind indexes in step with the values they index.
 */
@Module({})
export class DataProtectionModule {
  static forRoot(personalData: PersonalDataConfig): DynamicModule {
    const { encryptionKeys, indexKey } = personalData;
    if (!encryptionKeys || !indexKey) {
      throw new Error('DATA_ENCRYPTION_KEYS and DATA_INDEX_KEY must be resolved before the application is built');
    }
    installDataProtection({ encryptionKeys, indexKey });
    return { module: DataProtectionModule, providers: [BlindIndexSubscriber] };
  }
}
