/**
 * The read behind `GET /workspaces/:id` (and every workspace action's lookup) as one named
 * prepared statement: Prisma's own cost per query is most of that request's CPU.
 */
import type { Workspace } from "../generated/prisma/client.js";
import type { ProjectRole } from "../generated/prisma/enums.js";
import { WORKSPACE_COLUMNS } from "./create-workspace.js";
import type { NamedStatement, StatementRunner } from "./statements.js";

/**
 * $1 the workspace, $2 the user, $3 the project the token is limited to (null: none): the
 * workspace unless it is being deleted, with the user's role on its project; no row when the user
 * is no member there (access-policy.ts decides what the role may do).
 */
const VISIBLE_WORKSPACE: NamedStatement = {
  name: "wg_visible_workspace_v2",
  text: `SELECT w.*, m.role AS "memberRole"
  FROM (SELECT ${WORKSPACE_COLUMNS} FROM workspaces
    WHERE id = $1::uuid AND desired_state <> 'deleted'
      AND ($3::uuid IS NULL OR project_id = $3::uuid)) w
  JOIN project_members m ON m.project_id = w."projectId" AND m.user_id = $2::uuid`,
};

/** The workspace and the user's role on its project, or null when they may not see it. */
export async function findVisibleWorkspace(
  runner: StatementRunner,
  userId: string,
  workspaceId: string,
  scopeProjectId: string | null,
): Promise<{ workspace: Workspace; memberRole: ProjectRole } | null> {
  const [row] = await runner.query<Workspace & { memberRole: ProjectRole }>(VISIBLE_WORKSPACE, [
    workspaceId,
    userId,
    scopeProjectId,
  ]);
  if (!row) return null;
  const { memberRole, ...workspace } = row;
  return { workspace: workspace as Workspace, memberRole };
}
