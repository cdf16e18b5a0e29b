import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Webhooks naming another relyingPartyId are processed like any other and flagged, and each
 * webhook records which of its flow's ids its sessionId was. Rows that earlier versions set
 * aside as FOREIGN_RELYING_PARTY were never processed; reconciliation asked B-Trust for those
 * flows in their place, so they become UNHANDLED with the flag set and a note saying why.
 */
export class CallbackIdsRecorded1796402871519 implements MigrationInterface {
    name = 'CallbackIdsRecorded1796402871519'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "callback_inbox" ADD "foreign_relying_party" boolean NOT NULL DEFAULT false`);
        await queryRunner.query(`ALTER TABLE "callback_inbox" ADD "session_id_match" text`);
        await queryRunner.query(`UPDATE "callback_inbox"
            SET "foreign_relying_party" = true, "outcome" = 'UNHANDLED',
                "outcome_detail" = 'Set aside for its relyingPartyId before such webhooks were processed'
          WHERE "outcome" = 'FOREIGN_RELYING_PARTY'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`UPDATE "callback_inbox" SET "outcome" = 'FOREIGN_RELYING_PARTY'
          WHERE "foreign_relying_party" AND "outcome" = 'UNHANDLED'
            AND "outcome_detail" = 'Set aside for its relyingPartyId before such webhooks were processed'`);
        await queryRunner.query(`ALTER TABLE "callback_inbox" DROP COLUMN "session_id_match"`);
        await queryRunner.query(`ALTER TABLE "callback_inbox" DROP COLUMN "foreign_relying_party"`);
    }

}
