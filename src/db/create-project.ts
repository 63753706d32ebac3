/**
 * A project created under an idempotency key: the same one-statement protocol as the workspace
 * create (idempotent-insert.ts), so a key is claimed, looked up and stored the same way whatever
 * it creates. Without a key a project is an ordinary Prisma create.
 */
import type { Project } from "../generated/prisma/client.js";
import {
  type IdempotentInsert,
  type IdempotentRow,
  idempotentInsertText,
  type KeyValues,
  readIdempotentRow,
} from "./idempotent-insert.js";
import type { NamedStatement, StatementRunner } from "./statements.js";

/** Every column of a project under its Prisma field name, so that rows are `Project`s. */
const PROJECT_COLUMNS = `id, owner_id AS "ownerId", name, default_branch AS "defaultBranch",
  created_at AS "createdAt"`;

/** $1 id, $2 owner, $3 name, $4 default branch (the owner is the user who holds the key). */
const INSERT_PROJECT = `INSERT INTO projects (id, owner_id, name, default_branch)
  SELECT $1::uuid, u.id, $3::text, $4::text FROM users u WHERE u.id = $2::uuid`;

/** Parameters as INSERT_PROJECT, then $5 key, $6 fingerprint, $7 the record's id, $8 its expiry. */
const CREATE_PROJECT_IDEMPOTENT: NamedStatement = {
  name: "wg_create_project_idempotent_v1",
  text: idempotentInsertText({
    insert: INSERT_PROJECT,
    returning: PROJECT_COLUMNS,
    parameters: { user: "$2", key: "$5", fingerprint: "$6", recordId: "$7", expiresAt: "$8" },
    workspaceId: "NULL",
  }),
};

export interface ProjectInsert {
  id: string;
  ownerId: string;
  /** Already checked by the project rules. */
  name: string;
  defaultBranch: string;
}

/** The keyed create; `refused` means the owner does not exist. */
export async function insertProjectIdempotently(
  runner: StatementRunner,
  insert: ProjectInsert,
  key: KeyValues,
): Promise<IdempotentInsert<Project>> {
  const values = [
    insert.id,
    insert.ownerId,
    insert.name,
    insert.defaultBranch,
    key.key,
    key.fingerprint,
    key.recordId,
    key.expiresAt,
  ];
  const [row] = await runner.query<IdempotentRow<Project>>(CREATE_PROJECT_IDEMPOTENT, values);
  return readIdempotentRow(row);
}
