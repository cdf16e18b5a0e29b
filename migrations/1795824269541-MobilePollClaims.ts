import { MigrationInterface, QueryRunner } from "typeorm";

export class MobilePollClaims1795824269541 implements MigrationInterface {
    name = 'MobilePollClaims1795824269541'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."mobile_identifications_open"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" ADD "poll_claimed_until" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`CREATE INDEX "mobile_identifications_poll_due" ON "mobile_identifications"  ("next_poll_at") WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`);
        await queryRunner.query(`ALTER TABLE "rate_windows" ADD "last_grant" integer NOT NULL DEFAULT '0'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "rate_windows" DROP COLUMN "last_grant"`);
        await queryRunner.query(`DROP INDEX "public"."mobile_identifications_poll_due"`);
        await queryRunner.query(`ALTER TABLE "mobile_identifications" DROP COLUMN "poll_claimed_until"`);
        await queryRunner.query(`CREATE INDEX "mobile_identifications_open" ON "mobile_identifications"  ("status", "next_poll_at") WHERE status IN ('PENDING', 'ON_BOARDING', 'IN_PROGRESS')`);
    }

}
