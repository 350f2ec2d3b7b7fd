CREATE TABLE "audit_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_type" text NOT NULL,
	"severity" text DEFAULT 'info' NOT NULL,
	"description" text,
	"user_id" text,
	"username" text,
	"session_id" text,
	"ip_address" text,
	"user_agent" text,
	"resource_type" text,
	"resource_id" text,
	"namespace" text,
	"action" text,
	"before_state" jsonb,
	"after_state" jsonb,
	"request_method" text,
	"request_path" text,
	"request_params" jsonb,
	"success" boolean DEFAULT true NOT NULL,
	"error_message" text,
	"status_code" integer,
	"metadata" jsonb,
	"tags" jsonb,
	"compliance_tags" jsonb,
	"retention_policy" text DEFAULT 'standard' NOT NULL,
	"timestamp" timestamp with time zone NOT NULL,
	"leaf_hash" text NOT NULL,
	"tx_id" bigint DEFAULT (pg_current_xact_id()::text::bigint) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_rollup_state" (
	"id" integer PRIMARY KEY NOT NULL,
	"rolled_up_before_tx" bigint NOT NULL,
	"rolled_up_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_summary_hourly" (
	"bucket" timestamp with time zone NOT NULL,
	"event_type" text NOT NULL,
	"severity" text NOT NULL,
	"success" boolean NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "audit_summary_hourly_bucket_event_type_severity_success_pk" PRIMARY KEY("bucket","event_type","severity","success")
);
--> statement-breakpoint
CREATE TABLE "audit_user_summary_hourly" (
	"bucket" timestamp with time zone NOT NULL,
	"user_id" text NOT NULL,
	"username" text,
	"total" bigint NOT NULL,
	"failed" bigint NOT NULL,
	CONSTRAINT "audit_user_summary_hourly_bucket_user_id_pk" PRIMARY KEY("bucket","user_id")
);
--> statement-breakpoint
CREATE TABLE "memories" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "memories_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"namespace" text,
	"thread_id" text,
	"content" text NOT NULL,
	"tier" text DEFAULT 'short_term' NOT NULL,
	"score" integer DEFAULT 50 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"summarized" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', "memories"."content")) STORED
);
--> statement-breakpoint
CREATE TABLE "memory_clusters" (
	"cluster_id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"topic" text NOT NULL,
	"category" text DEFAULT 'general' NOT NULL,
	"memory_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"memory_count" integer DEFAULT 0 NOT NULL,
	"summary" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revoked_tokens" (
	"jti" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"full_name" text,
	"namespace" text,
	"roles" jsonb DEFAULT '["user"]'::jsonb NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"is_verified" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "users_username_unique" UNIQUE("username"),
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE INDEX "audit_logs_timestamp_idx" ON "audit_logs" USING btree ("timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_user_timestamp_idx" ON "audit_logs" USING btree ("user_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_event_type_timestamp_idx" ON "audit_logs" USING btree ("event_type","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_resource_timestamp_idx" ON "audit_logs" USING btree ("resource_type","resource_id","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_search_idx" ON "audit_logs" USING gin (to_tsvector('simple', coalesce(description, '') || ' ' || coalesce(error_message, '') || ' ' || coalesce(username, '') || ' ' || coalesce(resource_id, '')));--> statement-breakpoint
CREATE INDEX "audit_logs_security_timestamp_idx" ON "audit_logs" USING btree ("timestamp" DESC NULLS LAST) WHERE severity in ('warning', 'error', 'critical') or success = false;--> statement-breakpoint
CREATE INDEX "audit_logs_tx_id_idx" ON "audit_logs" USING btree ("tx_id");--> statement-breakpoint
CREATE INDEX "memories_user_created_idx" ON "memories" USING btree ("user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "memories_user_thread_idx" ON "memories" USING btree ("user_id","thread_id");--> statement-breakpoint
CREATE INDEX "memories_search_idx" ON "memories" USING gin ("search");--> statement-breakpoint
CREATE UNIQUE INDEX "memory_clusters_user_topic_category_idx" ON "memory_clusters" USING btree ("user_id","topic","category");--> statement-breakpoint
CREATE INDEX "revoked_tokens_expires_at_idx" ON "revoked_tokens" USING btree ("expires_at");