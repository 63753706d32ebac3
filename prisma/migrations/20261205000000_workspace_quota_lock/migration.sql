-- WORKSPACE_QUOTA held exactly under concurrent creates (issue 15, item 7). The create statement
-- calls this in its WHERE clause. Under READ COMMITTED a statement counts with the snapshot it
-- started with, so a count in the statement itself misses rows that racing creates commit: each
-- passes at the last free place. Here the creates of one user queue on a transaction-level
-- advisory lock (held until their commit), and the count runs after it, in a query of its own
-- with a fresh snapshot (a VOLATILE function takes one per query), so it sees every create that
-- went before. Creates of different users do not wait for each other.
CREATE FUNCTION workspace_quota_has_room(owner uuid, quota integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('workspace_quota:' || owner::text, 0));
  RETURN (
    SELECT count(*) FROM workspaces w JOIN projects p ON p.id = w.project_id
    WHERE p.owner_id = owner AND w.desired_state <> 'deleted'
  ) < quota;
END
$$;
