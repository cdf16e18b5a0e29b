import { MigrationInterface, QueryRunner } from "typeorm";

/** The active content (JavaScript, launch actions) found in each uploaded PDF; documents stored before were not looked at. */
export class SigningActiveContent1796403600000 implements MigrationInterface {
    name = 'SigningActiveContent1796403600000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "active_content" text array`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "active_content"`);
    }
}
