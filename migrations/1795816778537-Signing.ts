import { MigrationInterface, QueryRunner } from "typeorm";

export class Signing1795816778537 implements MigrationInterface {
    name = 'Signing1795816778537'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "signings" ("id" uuid NOT NULL, "owner" text NOT NULL, "web_identification_id" uuid NOT NULL, "status" text NOT NULL, "sign_session_id" text NOT NULL, "result_id" text, "client_document_url" text, "expires_at" TIMESTAMP WITH TIME ZONE, "signed_at" TIMESTAMP WITH TIME ZONE, "email_signed_documents" boolean NOT NULL, "success_url" text NOT NULL, "cancel_url" text NOT NULL, "failure_code" text, "failure_message" text, "last_reconciled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_01c933605c87063b37fa4f71678" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_68737f40acbb5e4210dec29a7c" ON "signings"  ("web_identification_id") `);
        await queryRunner.query(`CREATE UNIQUE INDEX "signings_one_pending_per_identification" ON "signings"  ("web_identification_id") WHERE status = 'PENDING'`);
        await queryRunner.query(`CREATE INDEX "signings_pending" ON "signings"  ("status", "created_at") WHERE status = 'PENDING'`);
        await queryRunner.query(`CREATE INDEX "IDX_1b6f816e974c5efa4175667f26" ON "signings"  ("owner", "created_at") `);
        await queryRunner.query(`CREATE TABLE "signing_documents" ("signing_id" uuid NOT NULL, "index" smallint NOT NULL, "file_name" text NOT NULL, "title" text NOT NULL, "original" bytea NOT NULL, "original_sha256" text NOT NULL, "signed" bytea, "signed_sha256" text, "visible_signature" jsonb, "archive" boolean, "verification" jsonb, CONSTRAINT "PK_7aa2db95e931e96c9a49b5dd083" PRIMARY KEY ("signing_id", "index"))`);
        await queryRunner.query(`ALTER TABLE "signings" ADD CONSTRAINT "FK_68737f40acbb5e4210dec29a7c4" FOREIGN KEY ("web_identification_id") REFERENCES "web_identifications"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "signing_documents" ADD CONSTRAINT "FK_ff38071e4d434e8e0619747037c" FOREIGN KEY ("signing_id") REFERENCES "signings"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "signing_documents" DROP CONSTRAINT "FK_ff38071e4d434e8e0619747037c"`);
        await queryRunner.query(`ALTER TABLE "signings" DROP CONSTRAINT "FK_68737f40acbb5e4210dec29a7c4"`);
        await queryRunner.query(`DROP TABLE "signing_documents"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_1b6f816e974c5efa4175667f26"`);
        await queryRunner.query(`DROP INDEX "public"."signings_pending"`);
        await queryRunner.query(`DROP INDEX "public"."signings_one_pending_per_identification"`);
        await queryRunner.query(`DROP INDEX "public"."IDX_68737f40acbb5e4210dec29a7c"`);
        await queryRunner.query(`DROP TABLE "signings"`);
    }

}
