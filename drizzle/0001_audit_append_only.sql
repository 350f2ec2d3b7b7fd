-- The audit log is append-only in the database itself: UPDATE, DELETE and TRUNCATE on audit_logs
-- are refused with a clear error, whoever asks. (Retention removes expired rows through its own
-- sanctioned path, added with it.)
CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_logs is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit events can only be added; retention removes expired events.';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_logs_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_logs
  FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_logs_no_truncate
  BEFORE TRUNCATE ON audit_logs
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change();
--> statement-breakpoint
-- The roll-up watermark starts at 0: nothing is rolled up yet.
INSERT INTO audit_rollup_state (id, rolled_up_before_tx) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
