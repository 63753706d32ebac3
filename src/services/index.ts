import type { PrismaClient } from "../db/client.js";
import { EventService } from "./events.js";
import { MemberService } from "./members.js";
import { ProjectService } from "./projects.js";
import { Revocations } from "./revocations.js";
import type { StatusBus } from "./status-bus.js";
import { type TokenCacheSettings, TokenService } from "./tokens.js";
import { UserService } from "./users.js";
import { WebhookService } from "./webhooks.js";
import { type PolicySettings, WorkspacePolicy } from "./workspace-policy.js";
import { WorkspaceStatusService } from "./workspace-status.js";
import { WorkspaceService } from "./workspaces.js";

export type { ServiceDeps } from "./deps.js";

/** The rules of the service, shared by REST, GraphQL, the CLI and the lifecycle engine. */
export interface Services {
  users: UserService;
  tokens: TokenService;
  projects: ProjectService;
  /** Project members and their roles (the access policy's data). */
  members: MemberService;
  workspaces: WorkspaceService;
  status: WorkspaceStatusService;
  /** Revoked tokens and deleted users: the token cache and long-lived streams join it. */
  revocations: Revocations;
  /** The workspace event log: history pages, resumable streams, retention. */
  events: EventService;
  /** Webhook endpoints of projects and their delivery attempts (the worker is in lifecycle/). */
  webhooks: WebhookService;
  /** GPU_KINDS: the GPU kinds on offer (GraphQL's hardwareOptions lists them). */
  gpuKinds: readonly string[];
  /** Workspace policies in time: IDLE_TIMEOUT_MINUTES, POLICY_MINUTE_MS. */
  policy: WorkspacePolicy;
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
  /** MAX_TOKENS_PER_USER: live self-service tokens per user (default 100). */
  maxTokensPerUser?: number;
  /** How often revocations are polled from the database (default REVOCATION_POLL_MS). */
  revocationPollMs?: number;
  /** EVENT_RETENTION_DAYS (default 30). */
  eventRetentionDays?: number;
  /** IDLE_TIMEOUT_MINUTES and POLICY_MINUTE_MS (default 10 and 60000). */
  policy?: PolicySettings;
}

export function createServices({
  prisma,
  gpuKinds,
  bus,
  workspaceQuota,
  tokenCache,
  revocationPollMs,
  maxTokensPerUser,
  policy: policySettings,
  eventRetentionDays,
}: ServicesOptions): Services {
  const policy = new WorkspacePolicy(policySettings);
  const status = new WorkspaceStatusService(prisma, bus, policy);
  // Things done behind the app's back (SQL) show within the cache TTL, for streams too.
  const revocations = new Revocations({
    prisma,
    bus,
    pollMs: revocationPollMs,
    verifyMs: tokenCache?.ttlMs,
  });
  const deps = { prisma, gpuKinds, status, revocations };
  const projects = new ProjectService(deps);
  const workspaces = new WorkspaceService(deps, projects, workspaceQuota);
  return {
    users: new UserService(deps),
    tokens: new TokenService(deps, revocations, tokenCache, maxTokensPerUser),
    projects,
    members: new MemberService(deps, projects),
    workspaces,
    status,
    revocations,
    events: new EventService(prisma, projects, workspaces, status, eventRetentionDays),
    webhooks: new WebhookService(prisma, projects),
    gpuKinds,
    policy,
  };
}
