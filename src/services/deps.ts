import type { PrismaClient } from "../db/client.js";
import type { Workspace } from "../generated/prisma/client.js";

/** Told about every committed workspace change; the lifecycle engine and the event bus listen. */
export interface WorkspaceObserver {
  workspaceChanged(workspace: Workspace): void;
  workspaceDeleted(workspace: Workspace): void;
}

export interface ServiceDeps {
  prisma: PrismaClient;
  /** GPU kinds on offer (GPU_KINDS). */
  gpuKinds: readonly string[];
  observer: WorkspaceObserver;
}
