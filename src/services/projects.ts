import { randomUUID } from "node:crypto";
import { insertProjectIdempotently } from "../db/create-project.js";
import { statementsFor } from "../db/statements.js";
import type { Prisma, Project } from "../generated/prisma/client.js";
import {
  type Action,
  type Caller,
  callerUserId,
  decide,
  decideOnAccount,
  effectiveRole,
  type Role,
  refusalError,
  scopeProjectId,
} from "./access-policy.js";
import type { ServiceDeps } from "./deps.js";
import {
  createOnce,
  fingerprint,
  IDEMPOTENCY_KEY_RULE,
  isValidIdempotencyKey,
} from "./idempotency.js";
import { type PageRequest, pageOf, readPage } from "./page.js";
import { errors, fail, type InputIssue, ok, type Result, UUID_PATTERN } from "./result.js";

export const PROJECT_NAME_MAX = 200;
/** A git branch name's longest (the column's width). */
export const DEFAULT_BRANCH_MAX = 255;

export interface CreateProjectInput {
  name: string;
  /** Default "main". */
  defaultBranch?: string | null | undefined;
  /** The same key with the same input gives the first project again (idempotency.ts). */
  idempotencyKey?: string | null | undefined;
}

/** Newest first; the id breaks ties between equal timestamps so that pages are stable. */
export const PROJECTS_NEWEST_FIRST = [
  { createdAt: "desc" },
  { id: "desc" },
] as const satisfies Prisma.ProjectOrderByWithRelationInput[];

const DATE_FIELDS = ["createdAt"] as const;

/** A project row that went through JSON (a stored idempotent response) back into a row. */
function reviveProject(json: unknown): Project {
  const row = { ...(json as Record<string, unknown>) };
  for (const field of DATE_FIELDS) {
    if (typeof row[field] === "string") row[field] = new Date(row[field] as string);
  }
  return row as unknown as Project;
}

export class ProjectService {
  constructor(private readonly deps: ServiceDeps) {}

  /** A new project (the operator's tools; clients' requests go through `createOnce`). */
  async create(caller: Caller, input: CreateProjectInput): Promise<Result<Project>> {
    const created = await this.createOnce(caller, input);
    return created.ok ? ok(created.value.project) : created;
  }

  /**
   * A new project; with an idempotency key, the same key and the same input (after defaults)
   * give the first project again (`replayed`), another input with the key is refused, as for a
   * workspace create: both go through the one keyed-insert protocol (idempotency.ts). The caller
   * owns it and is its first admin; a token limited to a project (or capped below developer) may
   * not create one (access-policy.ts).
   */
  async createOnce(
    caller: Caller,
    input: CreateProjectInput,
  ): Promise<Result<{ project: Project; replayed: boolean }>> {
    const refused = decideOnAccount(caller, "project.create");
    if (refused) return fail(refused);
    const ownerId = callerUserId(caller);
    const key = input.idempotencyKey ?? undefined;
    const name = input.name.trim();
    const issues: InputIssue[] = [];
    if (key !== undefined && !isValidIdempotencyKey(key)) {
      issues.push({ field: "idempotencyKey", message: IDEMPOTENCY_KEY_RULE });
    }
    if (name.length === 0 || name.length > PROJECT_NAME_MAX) {
      issues.push({ field: "name", message: `must be 1 to ${PROJECT_NAME_MAX} characters` });
    }
    const defaultBranch = input.defaultBranch?.trim() || "main";
    if (defaultBranch.length > DEFAULT_BRANCH_MAX || /\s/.test(defaultBranch)) {
      issues.push({ field: "defaultBranch", message: "must be a git branch name" });
    }
    if (issues.length > 0) return fail(errors.invalidInput(issues));
    if (key === undefined) {
      const project = await this.deps.prisma.project.create({
        data: { ownerId, name, defaultBranch },
      });
      return ok({ project, replayed: false });
    }
    const statements = statementsFor(this.deps.prisma);
    // The project as asked for, defaults applied: `{name}` and `{name, main}` are one request.
    const print = fingerprint({ operation: "createProject", name, defaultBranch });
    const created = await createOnce(this.deps.prisma, { key, fingerprint: print }, (claim) =>
      insertProjectIdempotently(
        statements,
        { id: randomUUID(), ownerId, name, defaultBranch },
        claim,
      ),
    );
    if (!created.ok) return created;
    const outcome = created.value;
    if (outcome.kind === "replayed") {
      return ok({ project: reviveProject(outcome.response), replayed: true });
    }
    // Only a missing owner refuses the insert: the caller was authenticated as that user.
    if (outcome.kind === "refused") throw new Error(`project owner ${ownerId} does not exist`);
    return ok({ project: outcome.row, replayed: false });
  }

  /**
   * A page of the projects the caller is a member of (only the token's project for a token
   * limited to one), newest first, paged like every list (page.ts); each with the caller's
   * effective role.
   */
  async listForMember(
    caller: Caller,
    page: PageRequest = {},
  ): Promise<Result<{ projects: (Project & { viewerRole: Role })[]; next: string | null }>> {
    const read = readPage(page);
    if (!read.ok) return read;
    const { limit, where } = read.value;
    const userId = callerUserId(caller);
    const rows = await this.deps.prisma.project.findMany({
      where: { ...memberProjects(caller), ...where },
      orderBy: [...PROJECTS_NEWEST_FIRST],
      take: limit + 1,
      include: { members: { where: { userId }, select: { role: true } } },
    });
    const { rows: found, next } = pageOf(rows, limit);
    const projects = found.map(({ members, ...project }) => ({
      ...project,
      viewerRole: effectiveRole(caller, project.id, members[0]?.role) ?? "viewer",
    }));
    return ok({ projects, next });
  }

  /** The user's role on the project as a member; null when none (or the project is missing). */
  async memberRole(userId: string, projectId: string): Promise<Role | null> {
    if (!UUID_PATTERN.test(projectId)) return null;
    const member = await this.deps.prisma.projectMember.findUnique({
      where: { userId_projectId: { userId, projectId } },
      select: { role: true },
    });
    return member?.role ?? null;
  }

  /**
   * The access policy for one action on a project: the caller's effective role when allowed;
   * the missing project's answer for a non-member (or a token for another project); FORBIDDEN
   * for a role too low. Doors without a row of their own to read (members, webhooks) ask this.
   */
  async authorize(caller: Caller, projectId: string, action: Action): Promise<Result<Role>> {
    const memberRole = await this.memberRole(callerUserId(caller), projectId);
    const refusal = decide(caller, action, projectId, memberRole);
    if (refusal) return fail(refusalError(refusal, action));
    return ok(effectiveRole(caller, projectId, memberRole) as Role);
  }

  /**
   * The project if `userId` may use it. Someone else's project and a missing one give the same
   * answer, so that ids cannot be probed. `query` loads relations with the row (GraphQL passes
   * the selection it planned).
   */
  async getForUser(
    caller: Caller,
    projectId: string,
    query: { include?: Prisma.ProjectInclude } = {},
  ): Promise<Result<Project>> {
    if (!UUID_PATTERN.test(projectId)) return fail(errors.projectNotFound());
    // Reading needs the lowest role: any membership within the token's project allows it.
    const project = await this.deps.prisma.project.findFirst({
      ...query,
      where: { id: projectId, ...memberProjects(caller) },
    });
    return project ? ok(project) : fail(errors.projectNotFound());
  }
}

/** The projects a caller may read, for Prisma: theirs as a member, within the token's project. */
export function memberProjects(caller: Caller): Prisma.ProjectWhereInput {
  const scope = scopeProjectId(caller);
  return {
    members: { some: { userId: callerUserId(caller) } },
    // AND: an `id` condition beside it must not replace it.
    ...(scope ? { AND: [{ id: scope }] } : {}),
  };
}
