/**
 * WORKSPACE_QUOTA: how many workspaces one user may have (those not being deleted), whichever
 * door creates them. Checked before the insert; creates racing each other at the last free
 * place can each pass, so a user may end up to (concurrent creates − 1) over; the create rate
 * limit bounds that.
 */
import type { PrismaClient } from "../db/client.js";
import { errors } from "./result.js";
import { VISIBLE_WORKSPACES } from "./workspaces.js";

/** The refusal when the user is at the quota; null while there is room (or the quota is 0: off). */
export async function workspaceQuotaRefusal(prisma: PrismaClient, userId: string, quota: number) {
  if (quota === 0) return null;
  const count = await prisma.workspace.count({
    where: { ...VISIBLE_WORKSPACES, project: { ownerId: userId } },
  });
  return count >= quota ? errors.quotaExceeded(quota) : null;
}
