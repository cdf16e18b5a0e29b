import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * OUTCOME_UNKNOWN for signings, and signed documents that match no original kept instead of
 * dropped. An OUTCOME_UNKNOWN signing may hold its identification's sign session, so the
 * one-in-flight index covers it. Signings that earlier versions ended FAILED although B-Trust
 * may have started them (the server stopped before recording 3.1's answer, or 3.1 timed out,
 * was reset or answered 5xx) become OUTCOME_UNKNOWN, so that operators see and resolve them;
 * each move is in the audit trail with cause `migration`. (Where that would put two signings of
 * one identification in flight, the older ones stay FAILED.)
 */
export class SigningOutcomeUnknown1796300000000 implements MigrationInterface {
    name = 'SigningOutcomeUnknown1796300000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "signing_unmatched_documents" ("signing_id" uuid NOT NULL, "position" smallint NOT NULL, "file_name" text, "content_encrypted" bytea NOT NULL, "sha256" text NOT NULL, "size" integer NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_signing_unmatched_documents" PRIMARY KEY ("signing_id", "position"))`);
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "signed_file_name" text`);
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD "matched_by" text`);
        await queryRunner.query(`ALTER TABLE "signings" ADD "unmatched_documents" smallint NOT NULL DEFAULT '0'`);
        await queryRunner.query(`DROP INDEX "public"."signings_one_pending_per_identification"`);
        await queryRunner.query(`WITH candidates AS (
              SELECT "id", "failure_code", row_number() OVER (PARTITION BY "web_identification_id" ORDER BY "created_at" DESC) AS newest
                FROM "signings" s
               WHERE "status" = 'FAILED' AND "result_id" IS NULL AND "purged_at" IS NULL
                 AND "failure_code" IN ('PROVIDER_OUTCOME_UNKNOWN', 'TIMEOUT', 'UPSTREAM_ERROR', 'UNAVAILABLE')
                 AND NOT EXISTS (SELECT 1 FROM "signings" p WHERE p."web_identification_id" = s."web_identification_id" AND p."status" = 'PENDING')),
            moved AS (
              UPDATE "signings" SET "status" = 'OUTCOME_UNKNOWN', "updated_at" = now()
               WHERE "id" IN (SELECT "id" FROM candidates WHERE newest = 1)
              RETURNING "id", "failure_code")
            INSERT INTO "state_transitions" ("entity_type", "entity_id", "from_state", "to_state", "cause", "detail")
            SELECT 'signing', "id", 'FAILED', 'OUTCOME_UNKNOWN', 'migration', jsonb_build_object('code', "failure_code") FROM moved`);
        await queryRunner.query(`CREATE UNIQUE INDEX "signings_one_pending_per_identification" ON "signings" ("web_identification_id") WHERE status IN ('PENDING', 'OUTCOME_UNKNOWN')`);
        await queryRunner.query(`ALTER TABLE "signing_unmatched_documents" ADD CONSTRAINT "FK_01a9fcf5063092a81e2808ca9bf" FOREIGN KEY ("signing_id") REFERENCES "signings"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "signing_unmatched_documents" DROP CONSTRAINT "FK_01a9fcf5063092a81e2808ca9bf"`);
        await queryRunner.query(`DROP INDEX "public"."signings_one_pending_per_identification"`);
        await queryRunner.query(`WITH moved AS (
              UPDATE "signings" SET "status" = 'FAILED', "updated_at" = now()
               WHERE "status" = 'OUTCOME_UNKNOWN'
              RETURNING "id", "failure_code")
            INSERT INTO "state_transitions" ("entity_type", "entity_id", "from_state", "to_state", "cause", "detail")
            SELECT 'signing', "id", 'OUTCOME_UNKNOWN', 'FAILED', 'migration', jsonb_build_object('code', "failure_code") FROM moved`);
        await queryRunner.query(`CREATE UNIQUE INDEX "signings_one_pending_per_identification" ON "signings" ("web_identification_id") WHERE status = 'PENDING'`);
        await queryRunner.query(`ALTER TABLE "signings" DROP COLUMN "unmatched_documents"`);
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "matched_by"`);
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP COLUMN "signed_file_name"`);
        await queryRunner.query(`DROP TABLE "signing_unmatched_documents"`);
    }

}
