import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * OUTCOME_UNKNOWN for mobile identifications, the count of finished answers without the eID
 * certificate, and an index for the open-record gauges. Identifications that earlier versions
 * ended FAILED although B-Trust may have started them (the server stopped before recording the
 * answer, or the paid request timed out, was reset or answered 5xx) become OUTCOME_UNKNOWN, so
 * that operators see and resolve them; each move is in the audit trail with cause `migration`.
 */
export class MobileOutcomeUnknown1796199580742 implements MigrationInterface {
    name = 'MobileOutcomeUnknown1796199580742'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "eid_certificate_misses" integer NOT NULL DEFAULT '0'`);
        await queryRunner.query(`CREATE INDEX "mobile_identifications_unfinished" ON "mobile_identifications"  ("status", "created_at") WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS', 'OUTCOME_UNKNOWN')`);
        await queryRunner.query(`WITH moved AS (
              UPDATE "mobile_identifications" SET "status" = 'OUTCOME_UNKNOWN', "updated_at" = now()
               WHERE "status" = 'FAILED' AND "provider_callback_id" IS NULL AND "purged_at" IS NULL
                 AND "failure_code" IN ('PROVIDER_OUTCOME_UNKNOWN', 'TIMEOUT', 'UPSTREAM_ERROR', 'UNAVAILABLE')
              RETURNING "id", "failure_code")
            INSERT INTO "state_transitions" ("entity_type", "entity_id", "from_state", "to_state", "cause", "detail")
            SELECT 'mobile_identification', "id", 'FAILED', 'OUTCOME_UNKNOWN', 'migration', jsonb_build_object('code', "failure_code") FROM moved`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`WITH moved AS (
              UPDATE "mobile_identifications" SET "status" = 'FAILED', "next_poll_at" = NULL, "updated_at" = now()
               WHERE "status" = 'OUTCOME_UNKNOWN'
              RETURNING "id", "failure_code")
            INSERT INTO "state_transitions" ("entity_type", "entity_id", "from_state", "to_state", "cause", "detail")
            SELECT 'mobile_identification', "id", 'OUTCOME_UNKNOWN', 'FAILED', 'migration', jsonb_build_object('code', "failure_code") FROM moved`);
        await queryRunner.query(`DROP INDEX "public"."mobile_identifications_unfinished"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "eid_certificate_misses"`);
    }

}
