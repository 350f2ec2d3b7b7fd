-- GET /memories reads a user's newest memories (then by id), optionally of one thread, in index order
-- and stops at the page: with (user_id, thread_id) the list of a thread read and sorted all of its
-- memories (38,000 for the benchmark's user: 22.8 ms a request). Writes to memories wait while the
-- two indexes are built. IF (NOT) EXISTS: its journal time first came before 0013's, so a database
-- that had 0013 skipped it, and one that ran both runs it again.
DROP INDEX IF EXISTS "memories_user_created_idx";--> statement-breakpoint
DROP INDEX IF EXISTS "memories_user_thread_idx";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "memories_user_created_id_idx" ON "memories" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "memories_user_thread_created_id_idx" ON "memories" USING btree ("user_id","thread_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);