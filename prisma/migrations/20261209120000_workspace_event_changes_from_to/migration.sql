-- An `updated` event says what each changed field was and became: changes is
-- {"<field>": {"from": <before>, "to": <after>}} (issue 18: "the fields that changed"; the
-- trigger has OLD and NEW at hand, so the value before costs nothing and readers need not
-- rebuild it from earlier events). The function is otherwise the one of
-- 20261206120000_workspace_events; the trigger keeps calling it by name.
--
-- Events written before this kept only the new value: they become {"to": <after>} (the value
-- before was not recorded, so it is left out rather than guessed).
UPDATE workspace_events
SET changes = (SELECT jsonb_object_agg(key, jsonb_build_object('to', value)) FROM jsonb_each(changes))
WHERE type = 'updated' AND jsonb_typeof(changes) = 'object';

CREATE OR REPLACE FUNCTION workspace_event_append() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  kind "WorkspaceEventType";
  diff jsonb;
  next_seq bigint;
  old_row jsonb;
  new_row jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    kind := 'created';
  ELSIF NEW.desired_state = 'deleted' AND OLD.desired_state <> 'deleted' THEN
    kind := 'deleted';
  ELSIF NEW.status <> OLD.status THEN
    kind := 'status_changed';
  ELSE
    old_row := to_jsonb(OLD);
    new_row := to_jsonb(NEW);
    SELECT jsonb_object_agg(field, jsonb_build_object('from', old_row -> field, 'to', new_row -> field))
    INTO diff
    FROM unnest(ARRAY['keep_active', 'auto_stop_minutes', 'max_run_minutes',
                      'auto_delete_minutes', 'labels']) AS field
    WHERE new_row ? field AND (new_row -> field) IS DISTINCT FROM (old_row -> field);
    IF diff IS NULL THEN
      NEW.change_reason := NULL;
      NEW.change_user_id := NULL;
      NEW.change_token_id := NULL;
      RETURN NEW;
    END IF;
    kind := 'updated';
  END IF;

  INSERT INTO workspace_event_heads AS h (project_id, last_seq) VALUES (NEW.project_id, 1)
  ON CONFLICT (project_id) DO UPDATE SET last_seq = h.last_seq + 1
  RETURNING h.last_seq INTO next_seq;

  INSERT INTO workspace_events
    (project_id, seq, workspace_id, type, at, from_status, to_status,
     actor_user_id, actor_token_id, reason, changes)
  VALUES (
    NEW.project_id, next_seq, NEW.id, kind, clock_timestamp(),
    CASE WHEN kind = 'status_changed' THEN OLD.status END,
    CASE WHEN kind = 'status_changed' THEN NEW.status END,
    NEW.change_user_id, NEW.change_token_id,
    COALESCE(NEW.change_reason, CASE
      WHEN NEW.change_user_id IS NOT NULL THEN 'requested'
      WHEN kind = 'deleted' THEN 'auto_delete'
      WHEN kind = 'status_changed' AND NEW.status IN ('error', 'stop_failed') THEN 'provider_error'
      WHEN kind = 'status_changed' AND NEW.status = 'stopping'
        AND to_jsonb(NEW) ->> 'stop_reason' IN ('idle', 'max_run') THEN to_jsonb(NEW) ->> 'stop_reason'
      ELSE 'engine' END::"WorkspaceEventReason"),
    diff);

  INSERT INTO webhook_deliveries (endpoint_id, project_id, seq, next_attempt_at)
  SELECT e.id, NEW.project_id, next_seq, clock_timestamp()
  FROM webhook_endpoints e
  WHERE e.project_id = NEW.project_id AND e.disabled_at IS NULL
    AND (e.event_types IS NULL OR cardinality(e.event_types) = 0 OR kind = ANY (e.event_types));

  NEW.change_reason := NULL;
  NEW.change_user_id := NULL;
  NEW.change_token_id := NULL;
  RETURN NEW;
END
$$;
