-- The audit log's one exemption is narrowed to what it is for: deleting a whole project removes
-- its events through the foreign key's cascade. Before, any nested trigger could delete events;
-- now a delete passes only when it runs inside a trigger AND the event's project is already gone
-- in this transaction, which only the cascade of `DELETE FROM projects` brings about.
CREATE OR REPLACE FUNCTION keyward_audit_events_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1
     AND NOT EXISTS (SELECT 1 FROM projects WHERE id = OLD.project_id) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit events cannot be changed or deleted' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
