import { randomBytes } from "node:crypto";
import type { Prisma, User, Workspace } from "../generated/prisma/client.js";
import type { WorkspaceStatus } from "../generated/prisma/enums.js";
import { canTransition, USER_ACTIONS, type UserAction } from "../lifecycle/state-machine.js";
import type { ServiceDeps } from "./deps.js";
import { type HardwareRequest, resolveHardware } from "./hardware-policy.js";
import {
  fingerprint,
  IDEMPOTENCY_KEY_MAX,
  releaseIdempotencyKey,
  reserveIdempotencyKey,
} from "./idempotency.js";
import type { ProjectService } from "./projects.js";
import { errors, fail, ok, type Result, UUID_PATTERN } from "./result.js";
import { userDefaultHardware } from "./users.js";

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
  ) {}

  async create(
    user: User,
    input: CreateWorkspaceInput,
  ): Promise<Result<{ workspace: Workspace; replayed: boolean }>> {
    const key = input.idempotencyKey ?? undefined;
    if (key !== undefined && (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX)) {
      return fail(
        errors.invalidInput([
          {
            field: "idempotency_key",
            message: `must be 1 to ${IDEMPOTENCY_KEY_MAX} characters`,
          },
        ]),
      );
    }
    const project = await this.projects.getForUser(user.id, input.projectId);
    if (!project.ok) return project;
    const resolved = resolveHardware(input.hardware, userDefaultHardware(user), {
      gpuKinds: this.deps.gpuKinds,
    });
    if (!resolved.ok) return fail(errors.invalidHardware(resolved.issues));
    const { hardware } = resolved;
    const data: Prisma.WorkspaceUncheckedCreateInput = {
      projectId: project.value.id,
      cpuKind: hardware.cpu_kind,
      cpus: hardware.cpus,
      memoryMb: hardware.memory_mb,
      volumeSizeGb: hardware.volume_size_gb,
      gpuKind: hardware.gpu_kind,
      keepActive: input.keepActive ?? false,
      previewToken: newPreviewToken(),
    };

    if (key === undefined) {
      const workspace = await this.deps.prisma.workspace.create({ data });
      this.deps.observer.workspaceChanged(workspace);
      return ok({ workspace, replayed: false });
    }

    // The request as the client stated it: the same body through REST or GraphQL matches.
    const print = fingerprint({
      operation: "createWorkspace",
      projectId: project.value.id,
      hardware: input.hardware ?? {},
      keepActive: input.keepActive ?? false,
    });
    const reservation = await reserveIdempotencyKey(this.deps.prisma, user.id, key, print);
    if (reservation.kind === "rejected") return fail(reservation.error);
    if (reservation.kind === "replay") {
      return ok({ workspace: reviveWorkspace(reservation.response), replayed: true });
    }
    try {
      const workspace = await this.deps.prisma.$transaction(async (tx) => {
        const created = await tx.workspace.create({ data });
        await tx.idempotencyRecord.update({
          where: { id: reservation.recordId },
          data: {
            state: "completed",
            workspaceId: created.id,
            response: JSON.parse(JSON.stringify(created)),
          },
        });
        return created;
      });
      this.deps.observer.workspaceChanged(workspace);
      return ok({ workspace, replayed: false });
    } catch (error) {
      await releaseIdempotencyKey(this.deps.prisma, reservation.recordId);
      throw error;
    }
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
    const workspace = await this.deps.prisma.workspace.findFirst({
      ...query,
      where: { id: workspaceId, ...VISIBLE_WORKSPACES, project: { ownerId: userId } },
    });
    if (!workspace) return fail(errors.workspaceNotFound());
    await this.recordActivity(workspace);
    return ok(workspace);
  }

  /** The project's workspaces, newest first. */
  async listForProject(userId: string, projectId: string): Promise<Result<Workspace[]>> {
    if (!UUID_PATTERN.test(projectId)) return fail(errors.projectNotFound());
    const project = await this.deps.prisma.project.findFirst({
      where: { id: projectId, ownerId: userId },
      select: {
        workspaces: { where: VISIBLE_WORKSPACES, orderBy: [...NEWEST_FIRST] },
      },
    });
    return project ? ok(project.workspaces) : fail(errors.projectNotFound());
  }

  /** Start or stop: the first step happens now; the lifecycle engine does the rest. */
  async act(userId: string, workspaceId: string, action: UserAction): Promise<Result<Workspace>> {
    const rule = USER_ACTIONS[action];
    for (;;) {
      const current = await this.get(userId, workspaceId);
      if (!current.ok) return current;
      const workspace = current.value;
      if (!(rule.from as readonly WorkspaceStatus[]).includes(workspace.status)) {
        return fail(errors.invalidTransition(action, workspace.status));
      }
      const changed = await transitionWorkspace(this.deps, workspace, rule.to, {
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
    this.deps.observer.workspaceChanged(deleted);
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

/**
 * The one way a workspace's status changes: a compare-and-set on (status, version) that bumps
 * the version and updated_at, then tells the observer. Returns null when another writer got
 * there first (the caller re-reads); throws on a transition the state machine forbids.
 */
export async function transitionWorkspace(
  deps: Pick<ServiceDeps, "prisma" | "observer">,
  current: Workspace,
  to: WorkspaceStatus,
  data: Omit<Prisma.WorkspaceUpdateManyMutationInput, "status" | "version" | "updatedAt"> = {},
): Promise<Workspace | null> {
  if (!canTransition(current.status, to)) {
    throw new Error(`forbidden transition ${current.status} → ${to} for workspace ${current.id}`);
  }
  const [changed] = await deps.prisma.workspace.updateManyAndReturn({
    where: { id: current.id, status: current.status, version: current.version },
    data: { ...data, status: to, version: { increment: 1 }, updatedAt: new Date() },
  });
  if (!changed) return null;
  deps.observer.workspaceChanged(changed);
  return changed;
}

const DATE_FIELDS = ["createdAt", "updatedAt", "lastActivityAt", "leaseExpiresAt"] as const;

/** A workspace stored as JSON (an idempotent replay) back into the row it was. */
function reviveWorkspace(json: unknown): Workspace {
  const row = { ...(json as Record<string, unknown>) };
  for (const field of DATE_FIELDS) {
    if (typeof row[field] === "string") row[field] = new Date(row[field] as string);
  }
  return row as unknown as Workspace;
}
