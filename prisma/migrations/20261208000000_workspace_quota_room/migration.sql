-- Group commit (issue 20): one statement inserts the creates of many requests, several of them
-- the same user's. The quota is checked once per user in that statement, not once per row: this
-- takes the user's lock (as workspace_quota_has_room does, so the two queue on the same lock) and
-- returns how many places are left, counted after the lock with a fresh snapshot; the statement
-- then admits that many of the user's rows, in request order. A per-row check could not see the
-- rows the same statement inserted before it.
CREATE FUNCTION workspace_quota_room(owner uuid, quota integer) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('workspace_quota:' || owner::text, 0));
  RETURN quota - (
    SELECT count(*) FROM workspaces w WHERE w.created_by = owner AND w.desired_state <> 'deleted'
  );
END
$$;
