import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Idempotency keys become leases with a time to live. Keys already stored are
 * remembered for a day from their first use; keys left in progress by an
 * earlier version (its process died mid-call) get a lease that has already
 * run out, so that the next repeat takes them over instead of waiting forever.
 * A key also names the record its request created (record_id), so that a
 * takeover never repeats a paid call that may have reached B-Trust.
 */
export class IdempotencyLeases1796410000000 implements MigrationInterface {
    name = 'IdempotencyLeases1796410000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "holder" uuid`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "lease_expires_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ADD "record_id" uuid`);
        await queryRunner.query(`UPDATE "idempotency_keys" SET "expires_at" = "created_at" + interval '1 day',
            "lease_expires_at" = CASE WHEN "response_status" IS NULL THEN "created_at" END`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" ALTER COLUMN "expires_at" SET NOT NULL`);
        await queryRunner.query(`CREATE INDEX "idempotency_keys_expiry" ON "idempotency_keys" ("expires_at") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idempotency_keys_expiry"`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "record_id"`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "expires_at"`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "lease_expires_at"`);
        await queryRunner.query(`ALTER TABLE "idempotency_keys" DROP COLUMN "holder"`);
    }

}
