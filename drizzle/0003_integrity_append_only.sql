-- The sealed order, the tree's nodes and the signed checkpoints are append-only like the log.
CREATE TRIGGER audit_seal_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_seal
  FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_seal_no_truncate
  BEFORE TRUNCATE ON audit_seal
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_merkle_nodes_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_merkle_nodes
  FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_logs_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_checkpoints_no_truncate
  BEFORE TRUNCATE ON audit_checkpoints
  FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_refuse_change();
--> statement-breakpoint
-- The sealer starts with an empty tree.
INSERT INTO audit_seal_state (id, sealed_before_tx, tree_size, frontier) VALUES (1, 0, 0, '[]'::jsonb) ON CONFLICT (id) DO NOTHING;
