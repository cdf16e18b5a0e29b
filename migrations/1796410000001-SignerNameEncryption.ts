import { MigrationInterface, QueryRunner } from "typeorm";
import { encryptedText } from "../src/common/crypto/encrypted-column";
import { SIGNER_NAME_FIELD } from "../src/signing/signing-document.entity";

/**
 * The signer's name leaves the verification's JSON for a column encrypted
 * like the other personal fields. Names already stored are encrypted here,
 * with the keys the server installs before it runs migrations, and removed
 * from the JSON; a purged signing has none left to move.
 */
export class SignerNameEncryption1796410000001 implements MigrationInterface {
    name = 'SignerNameEncryption1796410000001'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "signer_name_encrypted" bytea`);
        const named: Array<{ signing_id: string; index: number; name: string }> = await queryRunner.query(
            `SELECT "signing_id", "index", "verification"->'signer'->>'commonName' AS "name" FROM "signing_documents"
              WHERE "verification"->'signer'->>'commonName' IS NOT NULL`);
        const column = encryptedText(SIGNER_NAME_FIELD);
        for (const row of named) {
            await queryRunner.query(
                `UPDATE "signing_documents" SET "signer_name_encrypted" = $3,
                    "verification" = jsonb_set("verification", '{signer,commonName}', 'null'::jsonb)
                  WHERE "signing_id" = $1 AND "index" = $2`,
                [row.signing_id, row.index, column.to(row.name)]);
        }
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        const named: Array<{ signing_id: string; index: number; encrypted: Buffer }> = await queryRunner.query(
            `SELECT "signing_id", "index", "signer_name_encrypted" AS "encrypted" FROM "signing_documents"
              WHERE "signer_name_encrypted" IS NOT NULL AND "verification"->'signer' IS NOT NULL AND "verification"->'signer' <> 'null'::jsonb`);
        const column = encryptedText(SIGNER_NAME_FIELD);
        for (const row of named) {
            await queryRunner.query(
                `UPDATE "signing_documents" SET "verification" = jsonb_set("verification", '{signer,commonName}', to_jsonb($3::text))
                  WHERE "signing_id" = $1 AND "index" = $2`,
                [row.signing_id, row.index, column.from(row.encrypted)]);
        }
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "signer_name_encrypted"`);
    }

}
