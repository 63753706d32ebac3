import type { PrismaClient } from "../db/client.js";
import type { Revocations } from "./revocations.js";
import type { WorkspaceStatusService } from "./workspace-status.js";

export interface ServiceDeps {
  prisma: PrismaClient;
  /** GPU kinds on offer (GPU_KINDS). */
  gpuKinds: readonly string[];
  /** Every status change and announcement goes through it. */
  status: WorkspaceStatusService;
  /** Told when a token or a user changes, so cached principals and open streams follow. */
  revocations: Revocations;
}
