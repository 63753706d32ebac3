import type { PrismaClient } from "../db/client.js";
import { ProjectService } from "./projects.js";
import type { StatusBus } from "./status-bus.js";
import { TokenService } from "./tokens.js";
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
}

export interface ServicesOptions {
  prisma: PrismaClient;
  gpuKinds: readonly string[];
  /** Where status changes are published: in-process, or Redis across replicas. */
  bus: StatusBus;
}

export function createServices({ prisma, gpuKinds, bus }: ServicesOptions): Services {
  const status = new WorkspaceStatusService(prisma, bus);
  const deps = { prisma, gpuKinds, status };
  const projects = new ProjectService(deps);
  return {
    users: new UserService(deps),
    tokens: new TokenService(deps),
    projects,
    workspaces: new WorkspaceService(deps, projects),
    status,
  };
}
