/**
 * The create path in one statement (see statements.ts for why not through Prisma's model API):
 * the project's membership check, the workspace quota and the insert in one round trip. Creates
 * without a key share their statement with the creates that arrive while one is in flight (group
 * commit, batcher.ts), each row checked on its own; with an Idempotency-Key, one statement each
 * that also claims the key, looks up an earlier request with it and stores the response,
 * atomically (idempotent-insert.ts: the protocol every keyed create shares).
 */

import type { Workspace } from "../generated/prisma/client.js";
import { GroupCommit } from "./batcher.js";
import {
  type IdempotentInsert,
  type IdempotentRow,
  idempotentInsertText,
  type KeyValues,
  readIdempotentRow,
} from "./idempotent-insert.js";
import type { NamedStatement, StatementRunner } from "./statements.js";

/** Every column of a workspace under its Prisma field name, so that rows are `Workspace`s. */
export const WORKSPACE_COLUMNS = `id, project_id AS "projectId", status, desired_state AS "desiredState",
  cpu_kind AS "cpuKind", cpus, memory_mb AS "memoryMb", volume_size_gb AS "volumeSizeGb",
  gpu_kind AS "gpuKind", keep_active AS "keepActive", machine_id AS "machineId",
  private_ip AS "privateIp", git_ref AS "gitRef", preview_token AS "previewToken",
  error_message AS "errorMessage", version, lease_owner AS "leaseOwner",
  lease_expires_at AS "leaseExpiresAt", last_activity_at AS "lastActivityAt",
  created_at AS "createdAt", updated_at AS "updatedAt", created_by AS "createdById",
  volume_id AS "volumeId", auto_stop_minutes AS "autoStopMinutes",
  max_run_minutes AS "maxRunMinutes", auto_delete_minutes AS "autoDeleteMinutes", labels,
  started_at AS "startedAt", stopped_at AS "stoppedAt", stop_reason AS "stopReason",
  auto_stop_at AS "autoStopAt", auto_delete_at AS "autoDeleteAt", change_reason AS "changeReason",
  change_user_id AS "changeUserId", change_token_id AS "changeTokenId"`;

/**
 * $1 id, $2 project, $3 user, $4–$10 the workspace's fields, $11 the quota (0: none), $12 the
 * caller's token (the event's actor: the trigger of migration 20261206120000 writes it), $13–$16
 * its policies (auto-stop, max run, auto-delete minutes; workspace-policy.ts checked them) and
 * labels (jsonb). Inserts
 * nothing when the user is not a member of the project with the role a create needs
 * (ACTION_ROLES["workspace.create"] in services/access-policy.ts; the role matrix test fails
 * when the two differ; a token's own limits are checked before) or is at the quota (the caller
 * tells these apart, off the common path). The count is the quota service's rule (workspaces not
 * being deleted that the user created, in any project), taken by workspace_quota_has_room
 * (migrations 20261205000000_workspace_quota_lock, 20261206130000_project_members) after a per-user lock and with a fresh snapshot, so creates
 * racing at the last free place queue and the quota holds exactly; no extra round trip.
 */
const INSERT_WORKSPACE = `INSERT INTO workspaces
    (id, project_id, cpu_kind, cpus, memory_mb, volume_size_gb, gpu_kind, keep_active, preview_token,
     change_user_id, change_token_id, created_by, auto_stop_minutes, max_run_minutes,
     auto_delete_minutes, labels)
  SELECT $1::uuid, m.project_id, $4::"CpuKind", $5::int, $6::int, $7::int, $8::text, $9::boolean, $10::text,
    $3::uuid, $12::uuid, m.user_id, $13::int, $14::int, $15::int, $16::jsonb
  FROM project_members m
  WHERE m.project_id = $2::uuid AND m.user_id = $3::uuid
    AND m.role >= 'developer'::"ProjectRole"
    AND ($11::int = 0 OR workspace_quota_has_room($3::uuid, $11::int))`;

/**
 * The shared create: $1 is a JSON array of rows (the fields of INSERT_WORKSPACE's parameters and
 * `ord`, the row's place in the batch). Each row is checked on its own, as INSERT_WORKSPACE
 * checks its one row: a row whose user is not a member with the role is left out alone. The
 * quota is taken once per user (workspace_quota_room, migration 20261208000000: the same lock as
 * workspace_quota_has_room, then the places left by a fresh count) and the user's rows in the
 * batch are admitted in request order while places last, so rows of one user in one statement
 * count each other exactly. Users' locks are taken in user order and rows inserted in project
 * order (the event trigger locks each project's event head), so that two shared statements
 * (two replicas) cannot wait on each other in a cycle. Refused rows are absent from RETURNING.
 */
const CREATE_MANY: NamedStatement = {
  name: "wg_create_workspaces_v1",
  text: `WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
      ord int, id uuid, project_id uuid, user_id uuid, cpu_kind "CpuKind", cpus int,
      memory_mb int, volume_size_gb int, gpu_kind text, keep_active boolean, preview_token text,
      quota int, token_id uuid, auto_stop_minutes int, max_run_minutes int,
      auto_delete_minutes int, labels jsonb)
  ), member AS MATERIALIZED (
    SELECT i.*, row_number() OVER (PARTITION BY i.user_id, i.quota ORDER BY i.ord) AS nth
    FROM input i
    JOIN project_members m ON m.project_id = i.project_id AND m.user_id = i.user_id
    WHERE m.role >= 'developer'::"ProjectRole"
  ), room AS MATERIALIZED (
    SELECT u.user_id, u.quota, workspace_quota_room(u.user_id, u.quota) AS places
    FROM (SELECT DISTINCT user_id, quota FROM member WHERE quota > 0 ORDER BY user_id, quota) u
  )
  INSERT INTO workspaces
    (id, project_id, cpu_kind, cpus, memory_mb, volume_size_gb, gpu_kind, keep_active, preview_token,
     change_user_id, change_token_id, created_by, auto_stop_minutes, max_run_minutes,
     auto_delete_minutes, labels)
  SELECT a.id, a.project_id, a.cpu_kind, a.cpus, a.memory_mb, a.volume_size_gb, a.gpu_kind,
    a.keep_active, a.preview_token, a.user_id, a.token_id, a.user_id, a.auto_stop_minutes,
    a.max_run_minutes, a.auto_delete_minutes, a.labels
  FROM member a LEFT JOIN room r ON r.user_id = a.user_id AND r.quota = a.quota
  WHERE a.quota = 0 OR a.nth <= r.places
  ORDER BY a.project_id, a.ord
  RETURNING ${WORKSPACE_COLUMNS}`,
};

/** Parameters as CREATE, then $17 key, $18 fingerprint, $19 the record's id, $20 its expiry. */
const CREATE_IDEMPOTENT: NamedStatement = {
  name: "wg_create_workspace_idempotent_v1",
  text: idempotentInsertText({
    insert: INSERT_WORKSPACE,
    returning: WORKSPACE_COLUMNS,
    parameters: { user: "$3", key: "$17", fingerprint: "$18", recordId: "$19", expiresAt: "$20" },
    workspaceId: "c.id",
  }),
};

/** What the create statements need to know. */
export interface WorkspaceInsert {
  id: string;
  projectId: string;
  userId: string;
  /** Already checked by the hardware rules. */
  hardware: Pick<Workspace, "cpuKind" | "cpus" | "memoryMb" | "volumeSizeGb" | "gpuKind">;
  keepActive: boolean;
  /** Policies, already checked; autoStopMinutes null: IDLE_TIMEOUT_MINUTES. */
  autoStopMinutes: number | null;
  maxRunMinutes: number;
  autoDeleteMinutes: number | null;
  /** As stored: [{key, value}] by key (workspace-policy.ts storedLabels). */
  labels: { key: string; value: string }[];
  previewToken: string;
  /** WORKSPACE_QUOTA; 0: none. */
  quota: number;
  /** The API token the request came with (the created event's actor); null: none known. */
  tokenId: string | null;
}

function insertValues(insert: WorkspaceInsert): unknown[] {
  const { hardware } = insert;
  return [
    insert.id,
    insert.projectId,
    insert.userId,
    hardware.cpuKind,
    hardware.cpus,
    hardware.memoryMb,
    hardware.volumeSizeGb,
    hardware.gpuKind,
    insert.keepActive,
    insert.previewToken,
    insert.quota,
    insert.tokenId,
    insert.autoStopMinutes,
    insert.maxRunMinutes,
    insert.autoDeleteMinutes,
    JSON.stringify(insert.labels),
  ];
}

/** A row of CREATE_MANY's input. */
function batchRow(insert: WorkspaceInsert, ord: number) {
  const { hardware } = insert;
  return {
    ord,
    id: insert.id,
    project_id: insert.projectId,
    user_id: insert.userId,
    cpu_kind: hardware.cpuKind,
    cpus: hardware.cpus,
    memory_mb: hardware.memoryMb,
    volume_size_gb: hardware.volumeSizeGb,
    gpu_kind: hardware.gpuKind,
    keep_active: insert.keepActive,
    preview_token: insert.previewToken,
    quota: insert.quota,
    token_id: insert.tokenId,
    auto_stop_minutes: insert.autoStopMinutes,
    max_run_minutes: insert.maxRunMinutes,
    auto_delete_minutes: insert.autoDeleteMinutes,
    labels: insert.labels,
  };
}

/** Inserts the rows in one statement; per row, the workspace or null (refused). */
export async function insertWorkspaces(
  runner: StatementRunner,
  inserts: readonly WorkspaceInsert[],
): Promise<(Workspace | null)[]> {
  const rows = await runner.query<Workspace>(CREATE_MANY, [JSON.stringify(inserts.map(batchRow))]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return inserts.map((insert) => byId.get(insert.id) ?? null);
}

const groups = new WeakMap<StatementRunner, GroupCommit<WorkspaceInsert, Workspace | null>>();

/** The creates of this runner's database share statements through this one group commit. */
export function createGroup(runner: StatementRunner) {
  let group = groups.get(runner);
  if (!group) {
    group = new GroupCommit((inserts) => insertWorkspaces(runner, inserts));
    groups.set(runner, group);
  }
  return group;
}

/**
 * The new workspace, or null when the user may not create in the project or is at the quota.
 * Goes in the next shared create statement (at once when none is in flight).
 */
export function insertWorkspace(
  runner: StatementRunner,
  insert: WorkspaceInsert,
): Promise<Workspace | null> {
  return createGroup(runner).submit(insert);
}

/** The idempotent create (one statement; see idempotent-insert.ts). */
export async function insertWorkspaceIdempotently(
  runner: StatementRunner,
  insert: WorkspaceInsert,
  key: KeyValues,
): Promise<IdempotentInsert<Workspace>> {
  const values = [...insertValues(insert), key.key, key.fingerprint, key.recordId, key.expiresAt];
  const [row] = await runner.query<IdempotentRow<Workspace>>(CREATE_IDEMPOTENT, values);
  return readIdempotentRow(row);
}
