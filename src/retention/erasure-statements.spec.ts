import { getMetadataArgsStorage } from 'typeorm';
import { EncryptedColumn } from '../common/crypto/encrypted-column';
import { MobileIdentification } from '../identification/mobile/mobile-identification.entity';
import { ERASE_FINISHED_MOBILE_IDENTIFICATIONS } from '../identification/mobile/mobile-identification.repository';
import { WebIdentification } from '../identification/web/web-identification.entity';
import { ERASE_FINISHED_WEB_IDENTIFICATIONS } from '../identification/web/web-identification.repository';
import { SigningDocument } from '../signing/signing-document.entity';
import { SigningUnmatchedDocument } from '../signing/signing-unmatched-document.entity';
import { Signing } from '../signing/signing.entity';
import { ERASE_FINISHED_SIGNINGS } from '../signing/signing.repository';

/** The database names of an entity's encrypted columns, as the entity declares them. */
function encryptedColumnsOf(entity: object): string[] {
  return getMetadataArgsStorage()
    .columns.filter((column) => column.target === entity && column.options.transformer instanceof EncryptedColumn)
    .map((column) => column.options.name ?? column.propertyName);
}

/** The columns a statement sets to NULL. */
const erasedBy = (sql: string) => [...sql.matchAll(/(\w+) = NULL/g)].map((match) => match[1]);

describe('retention erasure statements', () => {
  // Each statement names its columns literally: an encrypted column added to an entity must be
  // added to its erasure too, or personal data would outlive RETENTION_DAYS.
  it.each<[string, object, string]>([
    ['mobile identification', MobileIdentification, ERASE_FINISHED_MOBILE_IDENTIFICATIONS],
    ['web identification', WebIdentification, ERASE_FINISHED_WEB_IDENTIFICATIONS],
    ['signing', Signing, ERASE_FINISHED_SIGNINGS],
    ['signing document', SigningDocument, ERASE_FINISHED_SIGNINGS],
  ])('erase every encrypted column of a %s', (_, entity, sql) => {
    expect(erasedBy(sql)).toEqual(expect.arrayContaining(encryptedColumnsOf(entity)));
  });

  it('keep the signed documents that matched no original: they may be signed contracts', () => {
    const [content] = encryptedColumnsOf(SigningUnmatchedDocument);
    expect(content).toBe('content_encrypted');
    expect(erasedBy(ERASE_FINISHED_SIGNINGS)).not.toContain(content);
  });
});
