-- The two sanctioned changes to audit_logs, each allowed only inside its own job's transaction
-- (which sets a transaction-local setting) and only in its own shape:
--  * erasure (memoric.erasure = 'on'): an UPDATE that clears exactly the personal columns and the
--    salt and stamps erased_at, leaving every other column, the leaf hash and the digest as they were;
--  * retention (memoric.retention_run = <run id>): a DELETE of a row that run has recorded in
--    audit_removed (after archiving it with its proof).
-- Anything else is refused as before. Tamper evidence does not rest on this: a change made
-- around it is found by verification.
CREATE OR REPLACE FUNCTION audit_logs_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'audit_logs' AND TG_OP = 'UPDATE' THEN
    IF coalesce(current_setting('memoric.erasure', true), '') = 'on'
       AND NEW.username IS NULL AND NEW.session_id IS NULL AND NEW.ip_address IS NULL AND NEW.user_agent IS NULL
       AND NEW.before_state IS NULL AND NEW.after_state IS NULL AND NEW.request_params IS NULL
       AND NEW.error_message IS NULL AND NEW.metadata IS NULL AND NEW.personal_salt IS NULL AND NEW.erased_at IS NOT NULL
       AND ROW(NEW.id, NEW.event_type, NEW.severity, NEW.description, NEW.user_id, NEW.resource_type, NEW.resource_id,
               NEW.namespace, NEW.action, NEW.request_method, NEW.request_path, NEW.success, NEW.status_code, NEW.tags,
               NEW.compliance_tags, NEW.retention_policy, NEW.timestamp, NEW.leaf_hash, NEW.writer_mac, NEW.tx_id,
               NEW.personal_digest)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.event_type, OLD.severity, OLD.description, OLD.user_id, OLD.resource_type, OLD.resource_id,
               OLD.namespace, OLD.action, OLD.request_method, OLD.request_path, OLD.success, OLD.status_code, OLD.tags,
               OLD.compliance_tags, OLD.retention_policy, OLD.timestamp, OLD.leaf_hash, OLD.writer_mac, OLD.tx_id,
               OLD.personal_digest)
    THEN
      RETURN NEW;
    END IF;
  ELSIF TG_TABLE_NAME = 'audit_logs' AND TG_OP = 'DELETE' THEN
    IF coalesce(current_setting('memoric.retention_run', true), '') ~ '^[0-9]+$'
       AND EXISTS (SELECT 1 FROM audit_removed r
                   WHERE r.log_id = OLD.id AND r.run_id = current_setting('memoric.retention_run', true)::bigint)
    THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit events can only be added; retention and erasure have their own jobs.';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_removed_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_removed
  FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
