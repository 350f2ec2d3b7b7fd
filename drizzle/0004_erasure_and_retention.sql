CREATE TABLE "audit_removed" (
	"log_id" bigint PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_retention_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_retention_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"cutoffs" jsonb NOT NULL,
	"removed" bigint DEFAULT 0 NOT NULL,
	"archive_path" text,
	"archive_sha256" text,
	"checkpoint_id" bigint
);
--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "personal_digest" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "personal_salt" text;--> statement-breakpoint
ALTER TABLE "audit_logs" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "audit_removed_run_idx" ON "audit_removed" USING btree ("run_id");