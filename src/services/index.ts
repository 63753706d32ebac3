import type { PrismaClient } from "../db/client.js";
import { ProjectService } from "./projects.js";
import { Revocations } from "./revocations.js";
import type { StatusBus } from "./status-bus.js";
import { type TokenCacheSettings, TokenService } from "./tokens.js";
import { UserService } from "./users.js";
import { WorkspaceStatusService } from "./workspace-status.js";
import { WorkspaceService } from "./workspaces.js";

export type { ServiceDeps } from "./deps.js";

/** The rules of the service, shared by REST, GraphQL, the CLI and the lifecycle engine. */
export interface Services {
  users: UserService;
  tokens: TokenService;
  projects: ProjectService;
  workspaces: WorkspaceService;
  status: WorkspaceStatusService;
  /** Revoked tokens and deleted users: the token cache and long-lived streams join it. */
  revocations: Revocations;
  /** GPU_KINDS: the GPU kinds on offer (GraphQL's hardwareOptions lists them). */
  gpuKinds: readonly string[];
}

export interface ServicesOptions {
  prisma: PrismaClient;
  gpuKinds: readonly string[];
  /** Where status changes are published: in-process, or Redis across replicas. */
  bus: StatusBus;
  /** WORKSPACE_QUOTA: workspaces per user; 0 or left out: none. */
  workspaceQuota?: number;
  /** The verified-token cache (default: TOKEN_CACHE_TTL_MS, TOKEN_CACHE_MAX_ENTRIES). */
  tokenCache?: TokenCacheSettings;
  /** How often revocations are polled from the database (default REVOCATION_POLL_MS). */
  revocationPollMs?: number;
}

export function createServices({
  prisma,
  gpuKinds,
  bus,
  workspaceQuota,
  tokenCache,
  revocationPollMs,
}: ServicesOptions): Services {
  const status = new WorkspaceStatusService(prisma, bus);
  // Things done behind the app's back (SQL) show within the cache TTL, for streams too.
  const revocations = new Revocations({
    prisma,
    bus,
    pollMs: revocationPollMs,
    verifyMs: tokenCache?.ttlMs,
  });
  const deps = { prisma, gpuKinds, status, revocations };
  const projects = new ProjectService(deps);
  return {
    users: new UserService(deps),
    tokens: new TokenService(deps, revocations, tokenCache),
    projects,
    workspaces: new WorkspaceService(deps, projects, workspaceQuota),
    status,
    revocations,
    gpuKinds,
  };
}
