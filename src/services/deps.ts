import type { PrismaClient } from "../db/client.js";
import type { WorkspaceStatusService } from "./workspace-status.js";

export interface ServiceDeps {
  prisma: PrismaClient;
  /** GPU kinds on offer (GPU_KINDS). */
  gpuKinds: readonly string[];
  /** Every status change and announcement goes through it. */
  status: WorkspaceStatusService;
}
