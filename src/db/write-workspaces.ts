/**
 * The compare-and-set of many workspace rows in one statement (group commit for the lifecycle
 * engine: the steps that finish while one is committing share the next commit). Each row keeps
 * its own conditions (its version, its status, for an automatic stop that it is still due), so
 * a stale row loses alone; the event trigger (migration 20261206120000) writes each changed row's
 * event and webhook outbox rows in the same statement.
 *
 * Lock order: the rows first (by id), then the projects' event heads (by project), then the
 * updates, which need no new lock. A one-row write (a user's stop) takes its row, then its head;
 * the shared create takes heads in project order: no two of them wait on each other in a cycle.
 */
import type { Prisma, Workspace } from "../generated/prisma/client.js";
import { WORKSPACE_COLUMNS } from "./create-workspace.js";
import type { NamedStatement, StatementRunner } from "./statements.js";

/** The columns a shared write may set, by Prisma field name. */
const COLUMNS = {
  status: "status",
  desiredState: "desired_state",
  machineId: "machine_id",
  volumeId: "volume_id",
  privateIp: "private_ip",
  gitRef: "git_ref",
  errorMessage: "error_message",
  lastActivityAt: "last_activity_at",
  leaseOwner: "lease_owner",
  leaseExpiresAt: "lease_expires_at",
  startedAt: "started_at",
  stoppedAt: "stopped_at",
  stopReason: "stop_reason",
  autoStopAt: "auto_stop_at",
  autoDeleteAt: "auto_delete_at",
  changeReason: "change_reason",
  changeUserId: "change_user_id",
  changeTokenId: "change_token_id",
  updatedAt: "updated_at",
} as const;

type SettableField = keyof typeof COLUMNS;

const SET_COLUMNS = Object.values(COLUMNS);

/**
 * $1: a JSON array of {b_id, b_version, b_status, b_due_by, b_patch}. A patch names only the
 * columns it sets (jsonb_populate_record keeps the row's value for every other one).
 */
const WRITE_MANY: NamedStatement = {
  name: "wg_write_workspaces_v1",
  text: `WITH batch AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS b(
      b_id uuid, b_version int, b_status "WorkspaceStatus", b_due_by timestamptz, b_patch jsonb)
  ), locked AS MATERIALIZED (
    SELECT w.id, w.project_id FROM workspaces w WHERE w.id IN (SELECT b_id FROM batch)
    ORDER BY w.id FOR UPDATE
  ), heads AS MATERIALIZED (
    SELECT h.project_id FROM workspace_event_heads h
    WHERE h.project_id IN (SELECT project_id FROM locked)
    ORDER BY h.project_id FOR UPDATE
  )
  UPDATE workspaces w
  SET (${SET_COLUMNS.join(", ")}) = (
        SELECT ${SET_COLUMNS.map((column) => `n.${column}`).join(", ")}
        FROM jsonb_populate_record(w, b.b_patch) n),
      version = w.version + 1
  FROM batch b
  WHERE w.id = b.b_id AND w.version = b.b_version AND w.status = b.b_status
    AND (b.b_due_by IS NULL OR w.auto_stop_at <= b.b_due_by)
    AND (SELECT count(*) FROM heads) >= 0
  RETURNING ${WORKSPACE_COLUMNS}`,
};

/** One row's compare-and-set: what it expects, and what it sets. */
export interface WorkspaceWrite {
  id: string;
  /** The version read: the write loses when the row has moved on. */
  version: number;
  /** The status it must still have. */
  status: Workspace["status"];
  /** When set, auto_stop_at must be due by then (an automatic stop still due). */
  autoStopDueBy?: Date | undefined;
  /** Columns to set (plain values; version and nothing else is derived). */
  data: Partial<Record<SettableField, unknown>>;
}

/** Whether `data` holds only plain values of columns a shared write can set. */
export function isSharedWriteData(
  data: Prisma.WorkspaceUpdateManyMutationInput | WorkspaceWrite["data"],
): data is WorkspaceWrite["data"] {
  return Object.entries(data).every(
    ([field, value]) =>
      field in COLUMNS &&
      (value === null || value === undefined || value instanceof Date || typeof value !== "object"),
  );
}

function patch(data: WorkspaceWrite["data"]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (value === undefined) continue;
    out[COLUMNS[field as SettableField]] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

/** The writes in one statement; per write, the row as written, or null when it lost. */
export function writeWorkspaces(
  runner: StatementRunner,
  writes: readonly WorkspaceWrite[],
): Promise<(Workspace | null)[]> {
  return writeRows(runner, WRITE_MANY, writes, (write) => ({
    b_id: write.id,
    b_version: write.version,
    b_status: write.status,
    b_due_by: write.autoStopDueBy?.toISOString() ?? null,
    b_patch: patch(write.data),
  }));
}

/**
 * One shared statement over `writes` (its $1: their JSON records); per write, the row it
 * returned, or null when that row lost. Two writes of one row cannot share a statement (only
 * one would apply, both would read as won): it throws, and the group commit runs each alone.
 */
async function writeRows<Write extends { id: string }>(
  runner: StatementRunner,
  statement: NamedStatement,
  writes: readonly Write[],
  record: (write: Write) => Record<string, unknown>,
): Promise<(Workspace | null)[]> {
  if (new Set(writes.map((write) => write.id)).size !== writes.length) {
    throw new Error("a shared write holds the same workspace twice");
  }
  const rows = await runner.query<Workspace>(statement, [JSON.stringify(writes.map(record))]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return writes.map((write) => byId.get(write.id) ?? null);
}

/**
 * $1: a JSON array of {b_id, b_version, b_at, b_auto_stop_at}. Activity (a keep-alive, a request
 * that counts as use) moves last_activity_at and the auto-stop it sets, on the version read,
 * without bumping it (watchers are not told of activity). Rows are locked by id first, as
 * WRITE_MANY locks them. The event trigger does not fire: no column it reads is set.
 */
const RECORD_ACTIVITY: NamedStatement = {
  name: "wg_record_activity_v1",
  text: `WITH batch AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS b(
      b_id uuid, b_version int, b_at timestamptz, b_auto_stop_at timestamptz)
  ), locked AS MATERIALIZED (
    SELECT w.id FROM workspaces w WHERE w.id IN (SELECT b_id FROM batch)
    ORDER BY w.id FOR UPDATE
  )
  UPDATE workspaces w
  SET last_activity_at = b.b_at, auto_stop_at = b.b_auto_stop_at
  FROM batch b
  WHERE w.id = b.b_id AND w.version = b.b_version AND (SELECT count(*) FROM locked) >= 0
  RETURNING ${WORKSPACE_COLUMNS}`,
};

/** One row's activity: the version read, when, and the auto-stop that follows from it. */
export interface ActivityWrite {
  id: string;
  version: number;
  at: Date;
  autoStopAt: Date | null;
}

/** The activity of many rows in one statement; per row, the row as written, or null when it moved on. */
export function recordActivities(
  runner: StatementRunner,
  writes: readonly ActivityWrite[],
): Promise<(Workspace | null)[]> {
  return writeRows(runner, RECORD_ACTIVITY, writes, (write) => ({
    b_id: write.id,
    b_version: write.version,
    b_at: write.at.toISOString(),
    b_auto_stop_at: write.autoStopAt?.toISOString() ?? null,
  }));
}
