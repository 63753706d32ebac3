import { randomBytes, randomUUID } from "node:crypto";
import {
  insertWorkspace,
  insertWorkspaceIdempotently,
  type WorkspaceInsert,
} from "../db/create-workspace.js";
import { findVisibleWorkspace } from "../db/read-workspace.js";
import { statementsFor } from "../db/statements.js";
import { readWorkspacePage } from "../db/workspace-page.js";
import type { Prisma, User, Workspace } from "../generated/prisma/client.js";
import {
  type Action,
  type Caller,
  callerUserId,
  decide,
  refusalError,
  scopeProjectId,
} from "./access-policy.js";
import type { ServiceDeps } from "./deps.js";
import { type HardwareRequest, resolveHardware } from "./hardware-rules.js";
import {
  createOnce,
  fingerprint,
  invalidIdempotencyKey,
  isValidIdempotencyKey,
} from "./idempotency.js";
import { type PageRequest, pageOf, readPage } from "./page.js";
import type { ProjectService } from "./projects.js";
import { workspaceQuotaRefusal } from "./quota.js";
import { errors, fail, ok, type Result, type ServiceError, UUID_PATTERN } from "./result.js";
import type { Principal } from "./tokens.js";
import { userDefaultHardware } from "./users.js";
import { reviveWorkspace } from "./workspace-json.js";
import {
  type Labels,
  labelProblems,
  labelsOf,
  type PolicyRequest,
  policyProblems,
  storedLabels,
  type WorkspaceFilter,
} from "./workspace-policy.js";
import { nextStatus, type UserAction, type WatchedWorkspace } from "./workspace-status.js";

export interface CreateWorkspaceInput {
  projectId: string;
  /** Fields not given come from the user's default_hardware, then the system default. */
  hardware?: HardwareRequest | null | undefined;
  keepActive?: boolean | null | undefined;
  idempotencyKey?: string | null | undefined;
  /** Left out: the user's default_auto_stop_minutes, else IDLE_TIMEOUT_MINUTES (keepActive: 0). */
  autoStopMinutes?: number | null | undefined;
  maxRunMinutes?: number | null | undefined;
  autoDeleteMinutes?: number | null | undefined;
  labels?: Labels | null | undefined;
}

/**
 * A change to a workspace (PATCH's merge patch, GraphQL's updateWorkspace). Left out: unchanged;
 * null: back to the default. `labels` merges (a null value removes that label) unless
 * `replaceLabels`, when it is the whole new set; null as a whole removes every label.
 */
export interface UpdateWorkspaceInput extends PolicyRequest {
  labels?: Record<string, string | null> | null | undefined;
  replaceLabels?: boolean | undefined;
  /** Merged over the workspace's current hardware; only while it is stopped. */
  hardware?: HardwareRequest | null | undefined;
}

/** The policy columns a create or an update stores, from the request and the defaults. */
function storedAutoStop(request: PolicyRequest, userDefault: number | null): number | null {
  if (typeof request.autoStopMinutes === "number") return request.autoStopMinutes;
  if (request.keepActive === true) return 0;
  return userDefault;
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

/**
 * API calls on a workspace count as activity; a read records it at most this often per
 * workspace and process (an explicit keep-alive always does).
 */
export const ACTIVITY_RESOLUTION_MS = 30_000;

/** Workspaces whose read activity this process recorded lately; pruned past this size. */
const ACTIVITY_MEMORY_MAX = 10_000;

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

  /** When this process last recorded read activity per workspace (the 30 s throttle). */
  private readonly activityWritten = new Map<string, number>();

  /**
   * One statement on the common path (the ownership check, the quota and the insert together;
   * with a key, also its claim, an earlier request's record and the stored response); a second
   * only to tell a missing project from a full quota, or to clear an expired or abandoned key.
   */
  async create(
    /** A user (the operator's tools: all their memberships allow) or a token's principal. */
    caller: User | Principal,
    input: CreateWorkspaceInput,
    /** The caller's API token, recorded as the event's actor (null: not known). */
    tokenId: string | null = null,
  ): Promise<Result<{ workspace: Workspace; replayed: boolean }>> {
    const key = input.idempotencyKey ?? undefined;
    if (key !== undefined && !isValidIdempotencyKey(key)) {
      return fail(invalidIdempotencyKey(key));
    }
    if (!UUID_PATTERN.test(input.projectId)) return fail(errors.projectNotFound());
    const user = "tokenId" in caller ? caller.user : caller;
    const actor: Caller = "tokenId" in caller ? caller : user.id;
    // The token's own limits (its project, its role) first: the statement knows only the member.
    if (decide(actor, "workspace.create", input.projectId, "admin") !== undefined) {
      return fail(await this.whyRefused(actor, input.projectId));
    }
    const resolved = resolveHardware(input.hardware, userDefaultHardware(user), this.deps.gpuKinds);
    if (!resolved.ok) return fail(errors.invalidHardware(resolved.problems, "hardware"));
    const labels = input.labels ?? {};
    const issues = [...policyProblems(input), ...labelProblems(labels)];
    if (issues.length > 0) return fail(errors.invalidInput(issues));
    const autoStopMinutes = storedAutoStop(input, user.defaultAutoStopMinutes);
    const statements = statementsFor(this.deps.prisma);
    const insert = (): WorkspaceInsert => ({
      id: randomUUID(),
      projectId: input.projectId,
      userId: user.id,
      hardware: resolved.hardware,
      keepActive: autoStopMinutes === 0,
      autoStopMinutes,
      maxRunMinutes: input.maxRunMinutes ?? 0,
      autoDeleteMinutes: input.autoDeleteMinutes ?? null,
      labels: storedLabels(labels),
      previewToken: newPreviewToken(),
      quota: this.quota,
      tokenId,
    });

    if (key === undefined) {
      const workspace = await insertWorkspace(statements, insert());
      if (!workspace) return fail(await this.whyRefused(actor, input.projectId));
      this.deps.status.changed(workspace);
      return ok({ workspace, replayed: false });
    }

    // The request as the client stated it: the same body through REST or GraphQL matches.
    const print = fingerprint({
      operation: "createWorkspace",
      projectId: input.projectId.toLowerCase(),
      hardware: input.hardware ?? {},
      keepActive: input.keepActive ?? false,
      // Only when given: keys stored before policies existed still match their requests.
      ...definedOnly({
        autoStopMinutes: input.autoStopMinutes,
        maxRunMinutes: input.maxRunMinutes,
        autoDeleteMinutes: input.autoDeleteMinutes,
        labels: input.labels,
      }),
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
    if (outcome.kind === "refused") return fail(await this.whyRefused(actor, input.projectId));
    this.deps.status.changed(outcome.row);
    return ok({ workspace: outcome.row, replayed: false });
  }

  /**
   * Why a create inserted nothing: no member (or a token for another project), a role too low
   * (the member's or the token's), or the quota.
   */
  private async whyRefused(caller: Caller, projectId: string) {
    const role = await this.projects.memberRole(callerUserId(caller), projectId);
    const refusal = decide(caller, "workspace.create", projectId, role);
    if (refusal) return refusalError(refusal, "workspace.create");
    return (
      (await workspaceQuotaRefusal(this.deps.prisma, callerUserId(caller), this.quota)) ??
      errors.projectNotFound()
    );
  }

  /**
   * A workspace the user may see; anything else (including one being deleted) is not found.
   * `query` loads relations with the row (GraphQL passes the selection it planned).
   */
  async get(
    caller: Caller,
    workspaceId: string,
    query: { include?: Prisma.WorkspaceInclude } = {},
  ): Promise<Result<Workspace>> {
    // Reading needs the lowest role: any membership (within the token's project) allows it, so
    // the planned Prisma query filters on membership alone.
    const workspace =
      Object.keys(query).length > 0 && UUID_PATTERN.test(workspaceId)
        ? await this.deps.prisma.workspace.findFirst({
            ...query,
            where: { id: workspaceId, ...VISIBLE_WORKSPACES, ...visibleTo(caller) },
          })
        : await this.visible(caller, workspaceId, "workspace.read");
    if (!workspace) return fail(errors.workspaceNotFound());
    if ("ok" in workspace) return workspace;
    return ok(await this.readActivity(workspace));
  }

  /**
   * The workspace if the caller may take `action` on it: one prepared statement reads it with the
   * caller's membership, and the access policy decides (not a member: not found; too low: 403).
   */
  private async visible(
    caller: Caller,
    workspaceId: string,
    action: Action,
  ): Promise<Workspace | { ok: false; error: ServiceError } | null> {
    if (!UUID_PATTERN.test(workspaceId)) return null;
    const found = await findVisibleWorkspace(
      statementsFor(this.deps.prisma),
      callerUserId(caller),
      workspaceId,
      scopeProjectId(caller),
    );
    if (!found) return null;
    const refusal = decide(caller, action, found.workspace.projectId, found.memberRole);
    if (refusal) return fail(refusalError(refusal, action, errors.workspaceNotFound));
    return found.workspace;
  }

  /** `get` for an action other than reading: the role it needs, then the row. */
  private async getFor(
    caller: Caller,
    workspaceId: string,
    action: Action,
  ): Promise<Result<Workspace>> {
    const workspace = await this.visible(caller, workspaceId, action);
    if (!workspace) return fail(errors.workspaceNotFound());
    if ("ok" in workspace) return workspace;
    return ok(await this.readActivity(workspace));
  }

  /**
   * An explicit keep-alive: records activity now (always written) and answers the workspace
   * with its new auto_stop_at.
   */
  async keepAlive(caller: Caller, workspaceId: string): Promise<Result<Workspace>> {
    for (;;) {
      const current = await this.visible(caller, workspaceId, "workspace.keepalive");
      if (!current) return fail(errors.workspaceNotFound());
      if ("ok" in current) return current;
      const kept = await this.deps.status.recordActivity(current, new Date());
      if (kept) {
        this.activityWritten.set(kept.id, Date.now());
        return ok(kept);
      }
      // The row changed since it was read: read it again.
    }
  }

  /**
   * Changes a workspace's policies, labels or hardware (a merge over what it has). Hardware only
   * while it is stopped: merged over its current hardware, checked by the hardware rules, and the
   * volume may only grow; the provider applies it at the next start.
   */
  async update(
    caller: Caller,
    workspaceId: string,
    patch: UpdateWorkspaceInput,
    user?: User,
  ): Promise<Result<Workspace>> {
    const issues = policyProblems(patch);
    if (issues.length > 0) return fail(errors.invalidInput(issues));
    for (;;) {
      const found = await this.getFor(caller, workspaceId, "workspace.update");
      if (!found.ok) return found;
      const current = found.value;
      const data: Prisma.WorkspaceUpdateManyMutationInput = {};

      const labels = mergedLabels(labelsOf(current), patch);
      const labelIssues = labelProblems(labels);
      if (labelIssues.length > 0) return fail(errors.invalidInput(labelIssues));
      if (patch.labels !== undefined) data.labels = storedLabels(labels);

      if (patch.autoStopMinutes !== undefined || patch.keepActive !== undefined) {
        const defaultAutoStop = user
          ? user.defaultAutoStopMinutes
          : await this.userDefaultAutoStop(callerUserId(caller));
        const autoStopMinutes = storedAutoStop(patch, defaultAutoStop);
        Object.assign(data, { autoStopMinutes, keepActive: autoStopMinutes === 0 });
      }
      if (patch.maxRunMinutes !== undefined) data.maxRunMinutes = patch.maxRunMinutes ?? 0;
      if (patch.autoDeleteMinutes !== undefined) data.autoDeleteMinutes = patch.autoDeleteMinutes;

      if (patch.hardware !== undefined && patch.hardware !== null) {
        if (current.status !== "stopped") {
          return fail(errors.invalidTransition("resize", current.status));
        }
        const resized = resolveHardware(patch.hardware, current, this.deps.gpuKinds);
        if (!resized.ok) return fail(errors.invalidHardware(resized.problems, "hardware"));
        const { hardware } = resized;
        if (hardware.volumeSizeGb < current.volumeSizeGb) {
          return fail(
            errors.invalidInput([
              {
                field: "hardware.volumeSizeGb",
                message: `may only grow: at least ${current.volumeSizeGb} (got ${hardware.volumeSizeGb})`,
              },
            ]),
          );
        }
        Object.assign(data, hardware);
      }
      // Only while stopped: the guard keeps a start that raced us from running the old size.
      const guard = patch.hardware ? { status: "stopped" as const } : {};
      const changed = await this.deps.status.write(current, data, guard);
      if (changed) return ok(changed);
      // Lost a race with another writer: look again.
    }
  }

  private async userDefaultAutoStop(userId: string): Promise<number | null> {
    const user = await this.deps.prisma.user.findUnique({
      where: { id: userId },
      select: { defaultAutoStopMinutes: true },
    });
    return user?.defaultAutoStopMinutes ?? null;
  }

  /**
   * A page of the project's workspaces, newest first: at most `limit` (1 to LIST_LIMIT_MAX,
   * default LIST_LIMIT_MAX), after the cursor of a previous page. `next` continues the list; it is
   * null on the last page.
   */
  async listForProject(
    caller: Caller,
    projectId: string,
    page: PageRequest = {},
    filter: WorkspaceFilter = {},
  ): Promise<Result<{ workspaces: Workspace[]; next: string | null }>> {
    if (!UUID_PATTERN.test(projectId)) return fail(errors.projectNotFound());
    const read = readPage(page);
    if (!read.ok) return read;
    const { limit, after } = read.value;
    // One named statement (db/workspace-page.ts): the membership check and the page together.
    const found = await readWorkspacePage(statementsFor(this.deps.prisma), {
      projectId,
      access: { userId: callerUserId(caller), scopeProjectId: scopeProjectId(caller) },
      status: filter.status?.length ? filter.status : null,
      labels: (filter.labels ?? []).map(({ key, value }) => ({ key, value })),
      after,
      before: null,
      fromEnd: false,
      take: limit + 1,
      withProject: false,
    });
    if (!found.found) return fail(errors.projectNotFound());
    const { rows: workspaces, next } = pageOf(found.rows, limit);
    return ok({ workspaces, next });
  }

  /** Every workspace of the user across projects, newest first, paged and filtered alike. */
  async listForUser(
    caller: Caller,
    page: PageRequest = {},
    filter: WorkspaceFilter = {},
  ): Promise<Result<{ workspaces: Workspace[]; next: string | null }>> {
    const read = readPage(page);
    if (!read.ok) return read;
    const { limit, where } = read.value;
    const rows = await this.deps.prisma.workspace.findMany({
      where: { ...userWorkspaces(caller, filter), ...where },
      orderBy: [...NEWEST_FIRST],
      take: limit + 1,
    });
    const { rows: workspaces, next } = pageOf(rows, limit);
    return ok({ workspaces, next });
  }

  /** Asks for the workspace to run: it is STARTING at once; the lifecycle engine does the rest. */
  start(caller: Caller, workspaceId: string, tokenId?: string | null): Promise<Result<Workspace>> {
    return this.requestMove(caller, workspaceId, "start", tokenId ?? null);
  }

  /** Asks for the workspace to stop: it is STOPPING at once; the lifecycle engine does the rest. */
  stop(caller: Caller, workspaceId: string, tokenId?: string | null): Promise<Result<Workspace>> {
    return this.requestMove(caller, workspaceId, "stop", tokenId ?? null);
  }

  /**
   * The workspace as it is now, then every change, ending with a "deleted" event when it goes
   * (see WorkspaceStatusService.watch). Someone else's workspace and a missing one read the same.
   */
  async watch(
    caller: Caller,
    workspaceId: string,
    signal: AbortSignal,
  ): Promise<Result<AsyncGenerator<WatchedWorkspace>>> {
    const found = await this.getFor(caller, workspaceId, "workspace.watch");
    if (!found.ok) return found;
    // A membership removed or lowered ends the stream, on every replica (revocations.ts).
    const hold = this.deps.revocations.holdMembership(
      { userId: callerUserId(caller), projectId: found.value.projectId },
      signal,
    );
    // Released when the watch ends, however it ends (no generator around it).
    return ok(this.deps.status.watch(found.value.id, hold.signal, hold.release));
  }

  private async requestMove(
    caller: Caller,
    workspaceId: string,
    action: UserAction,
    tokenId: string | null,
  ): Promise<Result<Workspace>> {
    for (;;) {
      const current = await this.getFor(caller, workspaceId, `workspace.${action}`);
      if (!current.ok) return current;
      const workspace = current.value;
      if (nextStatus(workspace.status, action) === undefined) {
        return fail(errors.invalidTransition(action, workspace.status));
      }
      const changed = await this.deps.status.transition(workspace, action, {
        desiredState: action === "start" ? "running" : "stopped",
        errorMessage: action === "start" ? null : workspace.errorMessage,
        lastActivityAt: new Date(),
        ...requestedBy(callerUserId(caller), tokenId),
      });
      if (changed) return ok(changed);
      // Lost a race with another writer: look again.
    }
  }

  /** Marks the workspace for deletion; the engine destroys its machine and removes the row. */
  async delete(
    caller: Caller,
    workspaceId: string,
    tokenId?: string | null,
  ): Promise<Result<Workspace>> {
    const current = await this.getFor(caller, workspaceId, "workspace.delete");
    if (!current.ok) return current;
    const [deleted] = await this.deps.prisma.workspace.updateManyAndReturn({
      where: { id: current.value.id, desiredState: { not: "deleted" } },
      data: {
        desiredState: "deleted",
        version: { increment: 1 },
        updatedAt: new Date(),
        ...requestedBy(callerUserId(caller), tokenId ?? null),
      },
    });
    if (!deleted) return fail(errors.workspaceNotFound());
    this.deps.status.changed(deleted);
    return ok(deleted);
  }

  /**
   * A read is activity, recorded at most once per ACTIVITY_RESOLUTION_MS per workspace: skipped
   * when the row's own last activity is that recent, or when this process wrote it that recently
   * (concurrent reads of one workspace then write once). A lost compare-and-set is not retried:
   * a read's activity is worth one try.
   */
  private async readActivity(workspace: Workspace): Promise<Workspace> {
    const now = Date.now();
    if (now - workspace.lastActivityAt.getTime() < ACTIVITY_RESOLUTION_MS) return workspace;
    const written = this.activityWritten.get(workspace.id);
    if (written !== undefined && now - written < ACTIVITY_RESOLUTION_MS) return workspace;
    this.rememberActivity(workspace.id, now);
    return (await this.deps.status.recordActivity(workspace, new Date(now))) ?? workspace;
  }

  private rememberActivity(workspaceId: string, now: number): void {
    if (this.activityWritten.size >= ACTIVITY_MEMORY_MAX) {
      for (const [id, at] of this.activityWritten) {
        if (now - at >= ACTIVITY_RESOLUTION_MS) this.activityWritten.delete(id);
      }
    }
    this.activityWritten.set(workspaceId, now);
  }
}

/**
 * A write's who and why, for its event (the trigger of migration 20261206120000 reads and clears
 * these columns): a user's request, with the token it came with.
 */
export function requestedBy(userId: string, tokenId: string | null) {
  return { changeUserId: userId, changeTokenId: tokenId, changeReason: "requested" } as const;
}

/** The labels after a patch: merged (null removes one), replaced, or all removed (null). */
function mergedLabels(current: Labels, patch: UpdateWorkspaceInput): Labels {
  if (patch.labels === undefined) return current;
  if (patch.labels === null) return {};
  const merged: Record<string, string | null> = patch.replaceLabels
    ? { ...patch.labels }
    : { ...current, ...patch.labels };
  const labels: Labels = {};
  for (const [key, value] of Object.entries(merged)) if (value !== null) labels[key] = value;
  return labels;
}

/**
 * A list filter as a Prisma `where`: any of the statuses, all of the labels (one jsonb
 * containment, `labels @> [{...}]`, which the GIN index workspaces_labels_idx serves).
 */
export function filterWhere(filter: WorkspaceFilter): Prisma.WorkspaceWhereInput {
  const where: Prisma.WorkspaceWhereInput = {};
  if (filter.status && filter.status.length > 0) where.status = { in: [...filter.status] };
  if (filter.labels && filter.labels.length > 0) {
    where.labels = { array_contains: filter.labels.map(({ key, value }) => ({ key, value })) };
  }
  return where;
}

/** The user's visible workspaces across projects, filtered. */
export function userWorkspaces(
  caller: Caller,
  filter: WorkspaceFilter,
): Prisma.WorkspaceWhereInput {
  return { ...VISIBLE_WORKSPACES, ...visibleTo(caller), ...filterWhere(filter) };
}

/** The fields that are set (not undefined), for fingerprints that predate them. */
function definedOnly(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value != null));
}

/** Where a caller's workspaces are, for Prisma: their projects (within the token's project). */
export function visibleTo(caller: Caller): Prisma.WorkspaceWhereInput {
  const scope = scopeProjectId(caller);
  return {
    project: { members: { some: { userId: callerUserId(caller) } } },
    ...(scope ? { AND: [{ projectId: scope }] } : {}),
  };
}
