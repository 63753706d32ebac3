/**
 * WORKSPACE_QUOTA: how many workspaces one user may have (those not being deleted that they
 * created, in any project, their own or shared), whichever door creates them. The create statement holds it exactly, on any number of replicas (see
 * workspace_quota_has_room in src/db/create-workspace.ts); this count only says why a create
 * that inserted nothing was refused.
 */
import type { PrismaClient } from "../db/client.js";
import { errors } from "./result.js";
import { VISIBLE_WORKSPACES } from "./workspaces.js";

/** The refusal when the user is at the quota; null while there is room (or the quota is 0: off). */
export async function workspaceQuotaRefusal(prisma: PrismaClient, userId: string, quota: number) {
  if (quota === 0) return null;
  const count = await prisma.workspace.count({
    where: { ...VISIBLE_WORKSPACES, createdById: userId },
  });
  return count >= quota ? errors.quotaExceeded(quota) : null;
}
