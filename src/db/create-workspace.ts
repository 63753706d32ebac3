/**
 * The create path in one statement each (see statements.ts for why not through Prisma's model
 * API): the project's ownership check, the workspace quota and the insert in one round trip; with
 * an Idempotency-Key, also the key's claim, the lookup of an earlier request with that key and
 * the stored response, atomically (a single statement is its own transaction).
 */

import type { Workspace } from "../generated/prisma/client.js";
import type { NamedStatement, StatementRunner } from "./statements.js";

/** Every column of a workspace under its Prisma field name, so that rows are `Workspace`s. */
export const WORKSPACE_COLUMNS = `id, project_id AS "projectId", status, desired_state AS "desiredState",
  cpu_kind AS "cpuKind", cpus, memory_mb AS "memoryMb", volume_size_gb AS "volumeSizeGb",
  gpu_kind AS "gpuKind", keep_active AS "keepActive", machine_id AS "machineId",
  private_ip AS "privateIp", git_ref AS "gitRef", preview_token AS "previewToken",
  error_message AS "errorMessage", version, lease_owner AS "leaseOwner",
  lease_expires_at AS "leaseExpiresAt", last_activity_at AS "lastActivityAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * $1 id, $2 project, $3 user, $4–$10 the workspace's fields, $11 the quota (0: none). Inserts
 * nothing when the project is not the user's or the user is at the quota (the caller tells the
 * two apart, off the common path). The count is the quota service's rule (workspaces not being
 * deleted, across the user's projects).
 */
const INSERT_WORKSPACE = `INSERT INTO workspaces
    (id, project_id, cpu_kind, cpus, memory_mb, volume_size_gb, gpu_kind, keep_active, preview_token)
  SELECT $1::uuid, p.id, $4::"CpuKind", $5::int, $6::int, $7::int, $8::text, $9::boolean, $10::text
  FROM projects p
  WHERE p.id = $2::uuid AND p.owner_id = $3::uuid
    AND ($11::int = 0 OR (
      SELECT count(*) FROM workspaces w JOIN projects o ON o.id = w.project_id
      WHERE o.owner_id = $3::uuid AND w.desired_state <> 'deleted'
    ) < $11::int)`;

const CREATE: NamedStatement = {
  name: "wg_create_workspace_v1",
  text: `${INSERT_WORKSPACE} RETURNING ${WORKSPACE_COLUMNS}`,
};

/**
 * Parameters as CREATE, then $12 key, $13 fingerprint, $14 the record's id, $15 its expiry.
 *
 * - `claim`: a transaction-level advisory lock on (user, key), taken without waiting; a request
 *   that does not get it finds the key in flight (409) instead of queueing behind it.
 * - `existing`: the record of an earlier request with this key, as of the statement's start.
 * - `created`/`stored`: only with the claim and no earlier record, the workspace and the
 *   completed record with the response, committed together or not at all. A request with the
 *   same key that committed after this statement's snapshot makes `stored` fail on the unique
 *   (user, key) index, which rolls back the workspace too; the caller then looks again.
 */
const CREATE_IDEMPOTENT: NamedStatement = {
  name: "wg_create_workspace_idempotent_v1",
  text: `WITH claim AS (
    SELECT pg_try_advisory_xact_lock(hashtextextended($3::text || ':' || $12::text, 0)) AS held
  ), existing AS (
    SELECT r.id, r.fingerprint, r.state::text AS state, r.response, r.created_at, r.expires_at
    FROM idempotency_records r WHERE r.user_id = $3::uuid AND r.key = $12::text
  ), created AS (
    ${INSERT_WORKSPACE}
      AND (SELECT held FROM claim) AND NOT EXISTS (SELECT 1 FROM existing)
    RETURNING ${WORKSPACE_COLUMNS}
  ), stored AS (
    INSERT INTO idempotency_records
      (id, user_id, key, fingerprint, state, workspace_id, response, expires_at)
    SELECT $14::uuid, $3::uuid, $12::text, $13::text, 'completed', c.id, to_jsonb(c), $15::timestamptz
    FROM created c
    RETURNING id
  )
  SELECT claim.held AS "claimHeld", e.id AS "recordId", e.fingerprint AS "recordFingerprint",
    e.state AS "recordState", e.response AS "recordResponse", e.created_at AS "recordCreatedAt",
    e.expires_at AS "recordExpiresAt", c.*
  FROM claim LEFT JOIN existing e ON true LEFT JOIN created c ON true`,
};

/** What the create statements need to know. */
export interface WorkspaceInsert {
  id: string;
  projectId: string;
  userId: string;
  /** Already checked by the hardware rules. */
  hardware: Pick<Workspace, "cpuKind" | "cpus" | "memoryMb" | "volumeSizeGb" | "gpuKind">;
  keepActive: boolean;
  previewToken: string;
  /** WORKSPACE_QUOTA; 0: none. */
  quota: number;
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

/** An earlier request's record for the key, as the idempotent create found it. */
export interface ExistingKey {
  id: string;
  fingerprint: string;
  state: "in_flight" | "completed";
  response: unknown;
  createdAt: Date;
  expiresAt: Date;
}

export type IdempotentInsert =
  | { kind: "created"; workspace: Workspace }
  | { kind: "existing"; record: ExistingKey }
  /** Another request holds the key right now. */
  | { kind: "in_flight" }
  /** Nothing inserted: the project is not the user's, or the quota is reached. */
  | { kind: "refused" };

interface IdempotentRow extends Workspace {
  claimHeld: boolean;
  recordId: string | null;
  recordFingerprint: string;
  recordState: "in_flight" | "completed";
  recordResponse: unknown;
  recordCreatedAt: Date;
  recordExpiresAt: Date;
}

/** The idempotent create (one statement; see CREATE_IDEMPOTENT). */
export async function insertWorkspaceIdempotently(
  runner: StatementRunner,
  insert: WorkspaceInsert,
  key: { key: string; fingerprint: string; recordId: string; expiresAt: Date },
): Promise<IdempotentInsert> {
  const values = [...insertValues(insert), key.key, key.fingerprint, key.recordId, key.expiresAt];
  const [row] = await runner.query<IdempotentRow>(CREATE_IDEMPOTENT, values);
  if (!row) throw new Error("the idempotent create returned no row");
  const {
    claimHeld,
    recordId,
    recordFingerprint,
    recordState,
    recordResponse,
    recordCreatedAt,
    recordExpiresAt,
    ...workspace
  } = row;
  if (recordId !== null) {
    return {
      kind: "existing",
      record: {
        id: recordId,
        fingerprint: recordFingerprint.trim(),
        state: recordState,
        response: recordResponse,
        createdAt: new Date(recordCreatedAt),
        expiresAt: new Date(recordExpiresAt),
      },
    };
  }
  if (!claimHeld) return { kind: "in_flight" };
  if (workspace.id === null) return { kind: "refused" };
  return { kind: "created", workspace };
}
