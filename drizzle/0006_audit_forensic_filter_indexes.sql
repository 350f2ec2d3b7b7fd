-- The forensic filters of GET /audit/logs and the explorer (username, ip_address, session_id: what
-- one person, address or token did) get an index each, with the time for the newest-first order:
-- over a long range the time index would read every event of the range for the few that match, and
-- PostgreSQL chose a sequential scan of the whole log (lib/audit/query-plans.test.ts).
-- Plain CREATE INDEX, as migrations run in a transaction: writes to audit_logs wait while the three
-- indexes build (about 6 s per million events on a small PostgreSQL server).
CREATE INDEX "audit_logs_username_timestamp_idx" ON "audit_logs" USING btree ("username","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_ip_address_timestamp_idx" ON "audit_logs" USING btree ("ip_address","timestamp" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "audit_logs_session_timestamp_idx" ON "audit_logs" USING btree ("session_id","timestamp" DESC NULLS LAST);