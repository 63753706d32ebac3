/**
 * The read behind `GET /workspaces/:id` (and every workspace action's lookup) as one named
 * prepared statement: Prisma's own cost per query is most of that request's CPU.
 */
import type { Workspace } from "../generated/prisma/client.js";
import { WORKSPACE_COLUMNS } from "./create-workspace.js";
import type { NamedStatement, StatementRunner } from "./statements.js";

/** $1 the workspace, $2 the user: the user's workspace unless it is being deleted. */
const VISIBLE_WORKSPACE: NamedStatement = {
  name: "wg_visible_workspace_v1",
  text: `SELECT ${WORKSPACE_COLUMNS} FROM workspaces
  WHERE id = $1::uuid AND desired_state <> 'deleted'
    AND EXISTS (SELECT 1 FROM projects p WHERE p.id = project_id AND p.owner_id = $2::uuid)`,
};

/** The workspace if the user may see it (VISIBLE_WORKSPACES in the service's terms), else null. */
export async function findVisibleWorkspace(
  runner: StatementRunner,
  userId: string,
  workspaceId: string,
): Promise<Workspace | null> {
  const [row] = await runner.query<Workspace>(VISIBLE_WORKSPACE, [workspaceId, userId]);
  return row ?? null;
}
