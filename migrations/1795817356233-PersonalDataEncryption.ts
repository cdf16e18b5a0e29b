import { MigrationInterface, QueryRunner } from "typeorm";

export class PersonalDataEncryption1795817356233 implements MigrationInterface {
    name = 'PersonalDataEncryption1795817356233'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "date_of_birth"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "certificate_pdf"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "identifier"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "phone_number"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "email"`);
        await queryRunner.query(`ALTER TABLE "web_identifications" DROP COLUMN "eid_certificate_pdf"`);
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "signed"`);
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "original"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "identifier_encrypted" bytea`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "identifier_hmac" text`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "date_of_birth_encrypted" bytea`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "phone_number_encrypted" bytea`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "email_encrypted" bytea`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "certificate_pdf_encrypted" bytea`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "web_identifications" ADD "eid_certificate_pdf_encrypted" bytea`);
        await queryRunner.query(`ALTER TABLE "web_identifications" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "signings" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "original_encrypted" bytea`);
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "signed_encrypted" bytea`);
        await queryRunner.query(`CREATE INDEX "IDX_9b3facdf2b083c29f8d877f49b" ON "mobile_identifications"  ("identifier_hmac") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_9b3facdf2b083c29f8d877f49b"`);
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "signed_encrypted"`);
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "original_encrypted"`);
        await queryRunner.query(`ALTER TABLE "signings" DROP COLUMN "purged_at"`);
        await queryRunner.query(`ALTER TABLE "web_identifications" DROP COLUMN "purged_at"`);
        await queryRunner.query(`ALTER TABLE "web_identifications" DROP COLUMN "eid_certificate_pdf_encrypted"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "purged_at"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "certificate_pdf_encrypted"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "email_encrypted"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "phone_number_encrypted"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "date_of_birth_encrypted"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "identifier_hmac"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "identifier_encrypted"`);
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "original" bytea NOT NULL`);
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "signed" bytea`);
        await queryRunner.query(`ALTER TABLE "web_identifications" ADD "eid_certificate_pdf" bytea`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "email" text`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "phone_number" text`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "identifier" text NOT NULL`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "certificate_pdf" bytea`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "date_of_birth" date`);
    }

}
