/**
 * The create path in one statement each (see statements.ts for why not through Prisma's model
 * API): the project's ownership check, the workspace quota and the insert in one round trip; with
 * an Idempotency-Key, also the key's claim, the lookup of an earlier request with that key and
 * the stored response, atomically (idempotent-insert.ts: the protocol every keyed create shares).
 */

import type { Workspace } from "../generated/prisma/client.js";
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

const CREATE: NamedStatement = {
  name: "wg_create_workspace_v1",
  text: `${INSERT_WORKSPACE} RETURNING ${WORKSPACE_COLUMNS}`,
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

/** The new workspace, or null when the project is not the user's or the quota is reached. */
export async function insertWorkspace(
  runner: StatementRunner,
  insert: WorkspaceInsert,
): Promise<Workspace | null> {
  const [row] = await runner.query<Workspace>(CREATE, insertValues(insert));
  return row ?? null;
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
