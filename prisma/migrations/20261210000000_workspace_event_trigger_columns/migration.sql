-- The event trigger (20261206120000_workspace_events, function of
-- 20261209120000_workspace_event_changes_from_to) fired on every UPDATE of workspaces, so the
-- engine's lease claims, heartbeats and hand-backs (which set only lease_owner and
-- lease_expires_at) ran the plpgsql function per row — two to_jsonb() of the row and a diff —
-- only to find nothing to record: a claim of 1,000 rows paid it 1,000 times.
--
-- An UPDATE now fires it only when its SET list names a column an event reads or the function
-- clears (PostgreSQL's UPDATE OF: named in SET, changed or not). Every write that can make an
-- event names one of them: status, desired_state, the policies, labels, or the change_* columns
-- that say who asked. Inserts fire it as before; the function is unchanged.
DROP TRIGGER workspace_events_append ON workspaces;

CREATE TRIGGER workspace_events_append BEFORE INSERT ON workspaces
FOR EACH ROW EXECUTE FUNCTION workspace_event_append();

CREATE TRIGGER workspace_events_append_update BEFORE UPDATE OF
  status, desired_state, keep_active, auto_stop_minutes, max_run_minutes, auto_delete_minutes,
  labels, change_reason, change_user_id, change_token_id
ON workspaces
FOR EACH ROW EXECUTE FUNCTION workspace_event_append();
