import type { ServiceDeps } from "./deps.js";
import { ProjectService } from "./projects.js";
import { TokenService } from "./tokens.js";
import { UserService } from "./users.js";
import { WorkspaceService } from "./workspaces.js";

export type { ServiceDeps, WorkspaceObserver } from "./deps.js";

/** The rules of the service, shared by REST, GraphQL and the CLI. */
export interface Services {
  users: UserService;
  tokens: TokenService;
  projects: ProjectService;
  workspaces: WorkspaceService;
}

export function createServices(deps: ServiceDeps): Services {
  const projects = new ProjectService(deps);
  return {
    users: new UserService(deps),
    tokens: new TokenService(deps),
    projects,
    workspaces: new WorkspaceService(deps, projects),
  };
}
