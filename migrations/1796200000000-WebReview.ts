import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Web identifications follow the agent's review: UNDER_REVIEW (open, waited for from
 * `review_started_at`) and DENIED; the count of 2.5 answers without the eID certificate; and
 * the reconciliation's partial index over both open states instead of STARTED alone.
 */
export class WebReview1796200000000 implements MigrationInterface {
    name = 'WebReview1796200000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "web_identifications" ADD "review_started_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "web_identifications" ADD "eid_certificate_misses" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`DROP INDEX "public"."web_identifications_started"`);
        await queryRunner.query(`CREATE INDEX "web_identifications_open" ON "web_identifications"  ("status", "created_at") WHERE status IN ('STARTED', 'UNDER_REVIEW')`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."web_identifications_open"`);
        await queryRunner.query(`CREATE INDEX "web_identifications_started" ON "web_identifications"  ("status", "created_at") WHERE status = 'STARTED'`);
        await queryRunner.query(`ALTER TABLE "web_identifications" DROP COLUMN "eid_certificate_misses"`);
        await queryRunner.query(`ALTER TABLE "web_identifications" DROP COLUMN "review_started_at"`);
    }

}
