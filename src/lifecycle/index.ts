import type { PrismaClient } from "../db/client.js";
import type { Workspace } from "../generated/prisma/client.js";
import type { WorkspaceObserver } from "../services/deps.js";

export interface LifecycleOptions {
  prisma: PrismaClient;
  provisionDelayMs: number;
  idleTimeoutMinutes: number;
  redisUrl?: string | undefined;
}

/** Status events for subscribers, keyed by workspace id. */
export interface StatusEvents {
  /**
   * The workspace as it is now, then every later version in order (never an older one); ends
   * when the workspace is deleted or `signal` aborts. The caller has checked access.
   */
  watch(workspaceId: string, signal: AbortSignal): AsyncIterable<Workspace>;
}

export interface Lifecycle {
  observer: WorkspaceObserver;
  events: StatusEvents;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// Placeholder until the lifecycle engine lands: records nothing, publishes nothing.
export function createLifecycle(_options: LifecycleOptions): Lifecycle {
  return {
    observer: { workspaceChanged() {}, workspaceDeleted() {} },
    events: {
      async *watch() {},
    },
    async start() {},
    async stop() {},
  };
}
