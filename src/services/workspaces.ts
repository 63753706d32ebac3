import { randomBytes, randomUUID } from "node:crypto";
import {
  insertWorkspace,
  insertWorkspaceIdempotently,
  type WorkspaceInsert,
} from "../db/create-workspace.js";
import { findVisibleWorkspace } from "../db/read-workspace.js";
import { statementsFor } from "../db/statements.js";
import type { Prisma, User, Workspace } from "../generated/prisma/client.js";
import type { ServiceDeps } from "./deps.js";
import { type HardwareRequest, resolveHardware } from "./hardware-rules.js";
import {
  createOnce,
  fingerprint,
  IDEMPOTENCY_KEY_RULE,
  isValidIdempotencyKey,
} from "./idempotency.js";
import { type PageRequest, pageOf, readPage } from "./page.js";
import type { ProjectService } from "./projects.js";
import { workspaceQuotaRefusal } from "./quota.js";
import { errors, fail, ok, type Result, UUID_PATTERN } from "./result.js";
import { userDefaultHardware } from "./users.js";
import { reviveWorkspace } from "./workspace-json.js";
import { nextStatus, type UserAction, type WatchedWorkspace } from "./workspace-status.js";

export interface CreateWorkspaceInput {
  projectId: string;
  /** Fields not given come from the user's default_hardware, then the system default. */
  hardware?: HardwareRequest | null | undefined;
  keepActive?: boolean | null | undefined;
  idempotencyKey?: string | null | undefined;
}

/** The workspaces users see: one marked for deletion is already gone for them. */
export const VISIBLE_WORKSPACES = {
  desiredState: { not: "deleted" },
} as const satisfies Prisma.WorkspaceWhereInput;

/** Newest first; the id breaks ties between equal timestamps so that pages are stable. */
export const NEWEST_FIRST = [{ createdAt: "desc" }, { id: "desc" }] as const satisfies [
  Prisma.WorkspaceOrderByWithRelationInput,
  Prisma.WorkspaceOrderByWithRelationInput,
];

/** Lists page alike (page.ts); REST's schemas read the limit from here. */
export { LIST_LIMIT_MAX } from "./page.js";

/** API calls on a workspace count as activity; recorded at most this often. */
const ACTIVITY_RESOLUTION_MS = 30_000;

/** `ptk_` + 192 bits from the CSPRNG. */
export function newPreviewToken(): string {
  return `ptk_${randomBytes(24).toString("base64url")}`;
}

export class WorkspaceService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly projects: ProjectService,
    /** WORKSPACE_QUOTA (0: no quota). */
    private readonly quota = 0,
  ) {}

  /**
   * One statement on the common path (the ownership check, the quota and the insert together;
   * with a key, also its claim, an earlier request's record and the stored response); a second
   * only to tell a missing project from a full quota, or to clear an expired or abandoned key.
   */
  async create(
    user: User,
    input: CreateWorkspaceInput,
  ): Promise<Result<{ workspace: Workspace; replayed: boolean }>> {
    const key = input.idempotencyKey ?? undefined;
    if (key !== undefined && !isValidIdempotencyKey(key)) {
      return fail(
        errors.invalidInput([{ field: "idempotencyKey", message: IDEMPOTENCY_KEY_RULE }]),
      );
    }
    if (!UUID_PATTERN.test(input.projectId)) return fail(errors.projectNotFound());
    const resolved = resolveHardware(input.hardware, userDefaultHardware(user), this.deps.gpuKinds);
    if (!resolved.ok) return fail(errors.invalidHardware(resolved.problems, "hardware"));
    const statements = statementsFor(this.deps.prisma);
    const insert = (): WorkspaceInsert => ({
      id: randomUUID(),
      projectId: input.projectId,
      userId: user.id,
      hardware: resolved.hardware,
      keepActive: input.keepActive ?? false,
      previewToken: newPreviewToken(),
      quota: this.quota,
    });

    if (key === undefined) {
      const workspace = await insertWorkspace(statements, insert());
      if (!workspace) return fail(await this.whyRefused(user.id, input.projectId));
      this.deps.status.changed(workspace);
      return ok({ workspace, replayed: false });
    }

    // The request as the client stated it: the same body through REST or GraphQL matches.
    const print = fingerprint({
      operation: "createWorkspace",
      projectId: input.projectId.toLowerCase(),
      hardware: input.hardware ?? {},
      keepActive: input.keepActive ?? false,
    });
    const created = await createOnce(this.deps.prisma, { key, fingerprint: print }, (claim) =>
      insertWorkspaceIdempotently(statements, insert(), claim),
    );
    if (!created.ok) return created;
    const outcome = created.value;
    // The key's record wins over the quota: repeating a create that reached it still answers.
    if (outcome.kind === "replayed") {
      return ok({ workspace: reviveWorkspace(outcome.response), replayed: true });
    }
    if (outcome.kind === "refused") return fail(await this.whyRefused(user.id, input.projectId));
    this.deps.status.changed(outcome.row);
    return ok({ workspace: outcome.row, replayed: false });
  }

  /** Why the create statement inserted nothing: not the user's project, or the quota. */
  private async whyRefused(userId: string, projectId: string) {
    if (this.quota === 0) return errors.projectNotFound();
    const project = await this.projects.getForUser(userId, projectId);
    if (!project.ok) return project.error;
    return (
      (await workspaceQuotaRefusal(this.deps.prisma, userId, this.quota)) ??
      errors.projectNotFound()
    );
  }

  /**
   * A workspace the user may see; anything else (including one being deleted) is not found.
   * `query` loads relations with the row (GraphQL passes the selection it planned).
   */
  async get(
    userId: string,
    workspaceId: string,
    query: { include?: Prisma.WorkspaceInclude } = {},
  ): Promise<Result<Workspace>> {
    if (!UUID_PATTERN.test(workspaceId)) return fail(errors.workspaceNotFound());
    // Without relations to load, the prepared statement (the same rule, a fraction of the CPU).
    const workspace =
      Object.keys(query).length > 0
        ? await this.deps.prisma.workspace.findFirst({
            ...query,
            where: { id: workspaceId, ...VISIBLE_WORKSPACES, project: { ownerId: userId } },
          })
        : await findVisibleWorkspace(statementsFor(this.deps.prisma), userId, workspaceId);
    if (!workspace) return fail(errors.workspaceNotFound());
    await this.recordActivity(workspace);
    return ok(workspace);
  }

  /**
   * A page of the project's workspaces, newest first: at most `limit` (1 to LIST_LIMIT_MAX,
   * default LIST_LIMIT_MAX), after the cursor of a previous page. `next` continues the list; it is
   * null on the last page.
   */
  async listForProject(
    userId: string,
    projectId: string,
    page: PageRequest = {},
  ): Promise<Result<{ workspaces: Workspace[]; next: string | null }>> {
    if (!UUID_PATTERN.test(projectId)) return fail(errors.projectNotFound());
    const read = readPage(page);
    if (!read.ok) return read;
    const { limit, where } = read.value;
    const project = await this.deps.prisma.project.findFirst({
      where: { id: projectId, ownerId: userId },
      select: {
        workspaces: {
          where: { ...VISIBLE_WORKSPACES, ...where },
          orderBy: [...NEWEST_FIRST],
          take: limit + 1,
        },
      },
    });
    if (!project) return fail(errors.projectNotFound());
    const { rows: workspaces, next } = pageOf(project.workspaces, limit);
    return ok({ workspaces, next });
  }

  /** Asks for the workspace to run: it is STARTING at once; the lifecycle engine does the rest. */
  start(userId: string, workspaceId: string): Promise<Result<Workspace>> {
    return this.requestMove(userId, workspaceId, "start");
  }

  /** Asks for the workspace to stop: it is STOPPING at once; the lifecycle engine does the rest. */
  stop(userId: string, workspaceId: string): Promise<Result<Workspace>> {
    return this.requestMove(userId, workspaceId, "stop");
  }

  /**
   * The workspace as it is now, then every change, ending with a "deleted" event when it goes
   * (see WorkspaceStatusService.watch). Someone else's workspace and a missing one read the same.
   */
  async watch(
    userId: string,
    workspaceId: string,
    signal: AbortSignal,
  ): Promise<Result<AsyncGenerator<WatchedWorkspace>>> {
    const found = await this.get(userId, workspaceId);
    if (!found.ok) return found;
    return ok(this.deps.status.watch(found.value.id, signal));
  }

  private async requestMove(
    userId: string,
    workspaceId: string,
    action: UserAction,
  ): Promise<Result<Workspace>> {
    for (;;) {
      const current = await this.get(userId, workspaceId);
      if (!current.ok) return current;
      const workspace = current.value;
      if (nextStatus(workspace.status, action) === undefined) {
        return fail(errors.invalidTransition(action, workspace.status));
      }
      const changed = await this.deps.status.transition(workspace, action, {
        desiredState: action === "start" ? "running" : "stopped",
        errorMessage: action === "start" ? null : workspace.errorMessage,
        lastActivityAt: new Date(),
      });
      if (changed) return ok(changed);
      // Lost a race with another writer: look again.
    }
  }

  /** Marks the workspace for deletion; the engine destroys its machine and removes the row. */
  async delete(userId: string, workspaceId: string): Promise<Result<Workspace>> {
    const current = await this.get(userId, workspaceId);
    if (!current.ok) return current;
    const [deleted] = await this.deps.prisma.workspace.updateManyAndReturn({
      where: { id: current.value.id, desiredState: { not: "deleted" } },
      data: { desiredState: "deleted", version: { increment: 1 }, updatedAt: new Date() },
    });
    if (!deleted) return fail(errors.workspaceNotFound());
    this.deps.status.changed(deleted);
    return ok(deleted);
  }

  private async recordActivity(workspace: Workspace) {
    const now = Date.now();
    if (now - workspace.lastActivityAt.getTime() < ACTIVITY_RESOLUTION_MS) return;
    await this.deps.prisma.workspace.updateMany({
      where: { id: workspace.id },
      data: { lastActivityAt: new Date(now) },
    });
  }
}
