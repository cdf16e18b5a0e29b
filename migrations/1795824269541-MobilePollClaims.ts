import { MigrationInterface, QueryRunner } from "typeorm";

export class MobilePollClaims1795824269541 implements MigrationInterface {
    name = 'MobilePollClaims1795824269541'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."mobile_identifications_open"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "poll_claimed_until" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`CREATE INDEX "mobile_identifications_poll_due" ON "mobile_identifications"  ("next_poll_at") WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`);
        await queryRunner.query(`ALTER TABLE "rate_windows" ADD "last_grant" integer NOT NULL DEFAULT '0'`);
        // Upgrading: polls were pg-boss jobs; now the table is the schedule. Every open identification
        // gets a place in it, and the retired queue goes (its jobs would only show as a stuck backlog).
        await queryRunner.query(`UPDATE "mobile_identifications" SET "next_poll_at" = now() WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS') AND "next_poll_at" IS NULL`);
        // Nested: PL/pgSQL plans each condition only when it reaches it, and a new database has no pgboss schema yet.
        await queryRunner.query(`DO $$ BEGIN
            IF to_regclass('pgboss.queue') IS NOT NULL THEN
                IF EXISTS (SELECT 1 FROM pgboss.queue WHERE name = 'mobile-identification-poll') THEN
                    DELETE FROM pgboss.job WHERE name = 'mobile-identification-poll';
                    PERFORM pgboss.delete_queue('mobile-identification-poll');
                END IF;
            END IF;
        END $$`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "rate_windows" DROP COLUMN "last_grant"`);
        await queryRunner.query(`DROP INDEX "public"."mobile_identifications_poll_due"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "poll_claimed_until"`);
        await queryRunner.query(`CREATE INDEX "mobile_identifications_open" ON "mobile_identifications"  ("status", "next_poll_at") WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`);
    }

}
