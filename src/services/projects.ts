import type { Prisma, Project } from "../generated/prisma/client.js";
import type { ServiceDeps } from "./deps.js";
import { errors, fail, type InputIssue, ok, type Result, UUID_PATTERN } from "./result.js";

export const PROJECT_NAME_MAX = 200;

export class ProjectService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(
    ownerId: string,
    input: { name: string; defaultBranch?: string | undefined },
  ): Promise<Result<Project>> {
    const name = input.name.trim();
    const issues: InputIssue[] = [];
    if (name.length === 0 || name.length > PROJECT_NAME_MAX) {
      issues.push({ field: "name", message: `must be 1 to ${PROJECT_NAME_MAX} characters` });
    }
    const defaultBranch = input.defaultBranch?.trim() || "main";
    if (defaultBranch.length > 255 || /\s/.test(defaultBranch)) {
      issues.push({ field: "defaultBranch", message: "must be a git branch name" });
    }
    if (issues.length > 0) return fail(errors.invalidInput(issues));
    const project = await this.deps.prisma.project.create({
      data: { ownerId, name, defaultBranch },
    });
    return ok(project);
  }

  /**
   * The project if `userId` may use it. Someone else's project and a missing one give the same
   * answer, so that ids cannot be probed. `query` loads relations with the row (GraphQL passes
   * the selection it planned).
   */
  async getForUser(
    userId: string,
    projectId: string,
    query: { include?: Prisma.ProjectInclude } = {},
  ): Promise<Result<Project>> {
    if (!UUID_PATTERN.test(projectId)) return fail(errors.projectNotFound());
    const project = await this.deps.prisma.project.findFirst({
      ...query,
      where: { id: projectId, ownerId: userId },
    });
    return project ? ok(project) : fail(errors.projectNotFound());
  }
}
