/**
 * Where a workspace's status changes: the lifecycle's one table of transitions (CONTRACT §5),
 * the one status write (a compare-and-set that publishes), and the stream watchers read.
 * The lifecycle engine and both front doors call this; it calls nothing above it.
 */
import { GroupCommit } from "../db/batcher.js";
import type { PrismaClient } from "../db/client.js";
import { statementsFor } from "../db/statements.js";
import {
  type ActivityWrite,
  isSharedWriteData,
  recordActivities,
  type WorkspaceWrite,
  writeWorkspaces,
} from "../db/write-workspaces.js";
import type { Prisma, Workspace } from "../generated/prisma/client.js";
import type { WorkspaceStatus } from "../generated/prisma/enums.js";
import type { BusEvent, StatusBus } from "./status-bus.js";
import { WorkspacePolicy, withPolicyData } from "./workspace-policy.js";

/**
 * What moves a workspace out of a status: a step of the engine that is `done` or `failed`, or a
 * user's `start` / `stop` (the engine's idle stop is a `stop` too). Every allowed transition is
 * here, and nothing else.
 */
export type Move = "done" | "failed" | "start" | "stop";

export const TRANSITIONS = {
  creating: { done: "starting", failed: "error" },
  starting: { done: "running", failed: "error" },
  running: { stop: "stopping" },
  stopping: { done: "stopped", failed: "stop_failed" },
  stopped: { start: "starting" },
  error: { start: "starting" },
  stop_failed: { stop: "stopping" },
} as const satisfies Record<WorkspaceStatus, Partial<Record<Move, WorkspaceStatus>>>;

/** The status `move` leads to from `from`, or undefined when the move is not allowed there. */
export function nextStatus(from: WorkspaceStatus, move: Move): WorkspaceStatus | undefined {
  return (TRANSITIONS[from] as Partial<Record<Move, WorkspaceStatus>>)[move];
}

/** The moves a user may ask for. */
export type UserAction = Extract<Move, "start" | "stop">;
export const USER_ACTIONS: readonly UserAction[] = ["start", "stop"];

const STATUSES = Object.keys(TRANSITIONS) as WorkspaceStatus[];

/** The statuses a user action is allowed from, derived from the table. */
export function statusesAllowing(move: Move): WorkspaceStatus[] {
  return STATUSES.filter((status) => nextStatus(status, move) !== undefined);
}

/** The statuses a step is in progress in (they have a `done`): the engine owes them a step. */
export const TRANSITIONAL = statusesAllowing("done") as TransitionalStatus[];
export type TransitionalStatus = {
  [S in WorkspaceStatus]: "done" extends keyof (typeof TRANSITIONS)[S] ? S : never;
}[WorkspaceStatus];

export function isTransitional(status: WorkspaceStatus): status is TransitionalStatus {
  return (TRANSITIONAL as WorkspaceStatus[]).includes(status);
}

/** Whether the row is work for the engine by itself (idle stop is found by the sweep). */
export function needsStep(workspace: Workspace): boolean {
  return workspace.desiredState === "deleted" || isTransitional(workspace.status);
}

/**
 * What a transition writes: the new status, with when it became running (max run time counts
 * from there) or stopped (auto-delete) and why it stopped (a stop is the user's unless the
 * caller names a policy; a start clears it), under `data`. Throws on a move the table forbids
 * (a bug in the caller).
 */
function transitionData(
  current: Workspace,
  move: Move,
  data: TransitionData,
): Prisma.WorkspaceUpdateManyMutationInput {
  const to = nextStatus(current.status, move);
  if (to === undefined) {
    throw new Error(`forbidden move ${move} from ${current.status} for workspace ${current.id}`);
  }
  const now = new Date();
  const lifecycle: TransitionData = {};
  if (to === "running") lifecycle.startedAt = now;
  if (to === "stopped") lifecycle.stoppedAt = now;
  if (move === "start") Object.assign(lifecycle, { stopReason: null, stoppedAt: null });
  if (move === "stop") lifecycle.stopReason = "user";
  return { ...lifecycle, ...data, status: to };
}

/**
 * What watchers see: the workspace as it is, or, as the very last event of a stream, the
 * workspace as it was with status "deleted".
 */
export type WatchedWorkspace = Omit<Workspace, "status"> & { status: WorkspaceStatus | "deleted" };

/** Columns a transition may set besides the status (which it derives) and the bookkeeping. */
export type TransitionData = Omit<
  Prisma.WorkspaceUpdateManyMutationInput,
  "status" | "version" | "updatedAt"
>;

/**
 * The status of workspaces: changes them, announces every committed change (to watchers on every
 * replica through the bus, and to local listeners such as the engine) and streams them.
 */
export class WorkspaceStatusService {
  private readonly listeners = new Set<(workspace: Workspace) => void>();
  /** The shared statement of transitionShared, made on first use. */
  private sharedWrites: GroupCommit<WorkspaceWrite, Workspace | null> | undefined;
  /** The shared statement of recordActivity, made on first use (tests read its stats). */
  sharedActivity: GroupCommit<ActivityWrite, Workspace | null> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly bus: StatusBus,
    /** Turns policies into due times (IDLE_TIMEOUT_MINUTES, POLICY_MINUTE_MS). */
    readonly policy: WorkspacePolicy = new WorkspacePolicy(),
  ) {}

  /**
   * The one way a status changes: a compare-and-set on (status, version) that bumps the version
   * and updated_at, then announces the change. Returns null when another writer got there first
   * (the caller re-reads); throws on a move the table forbids (a bug in the caller). `guard`
   * adds conditions the row must still meet (the automatic stop: still due, so that a keep-alive
   * that landed after the sweep read the row wins).
   */
  async transition(
    current: Workspace,
    move: Move,
    data: TransitionData = {},
    guard: Prisma.WorkspaceWhereInput = {},
  ): Promise<Workspace | null> {
    return this.write(current, transitionData(current, move, data), {
      status: current.status,
      ...guard,
    });
  }

  /**
   * A transition as `transition`, in a statement shared with the other transitions that reach
   * here while one is committing (the engine's steps: one commit for the steps that finish
   * together, a stale row losing alone). `autoStopDueBy`: the automatic stop's guard.
   */
  async transitionShared(
    current: Workspace,
    move: Move,
    data: TransitionData = {},
    autoStopDueBy?: Date,
  ): Promise<Workspace | null> {
    const changes = transitionData(current, move, data);
    const write = { ...changes, ...this.policy.dueTimes(withPolicyData(current, changes)) };
    const full = { ...write, updatedAt: new Date() };
    if (!isSharedWriteData(full)) {
      const guard = autoStopDueBy ? { autoStopAt: { lte: autoStopDueBy } } : {};
      return this.write(current, changes, { status: current.status, ...guard });
    }
    this.sharedWrites ??= new GroupCommit((writes) =>
      writeWorkspaces(statementsFor(this.prisma), writes),
    );
    const changed = await this.sharedWrites.submit({
      id: current.id,
      version: current.version,
      status: current.status,
      autoStopDueBy,
      data: full,
    });
    if (changed) this.changed(changed);
    return changed;
  }

  /**
   * The one compare-and-set of a workspace row (a transition, a policy or hardware update): on
   * the version (and `guard`), bumping it and updated_at, with the due times recomputed from the
   * row as it will be; announces the change. Null when another writer got there first.
   */
  async write(
    current: Workspace,
    data: Prisma.WorkspaceUpdateManyMutationInput,
    guard: Prisma.WorkspaceWhereInput = {},
  ): Promise<Workspace | null> {
    const due = this.policy.dueTimes(withPolicyData(current, data));
    const [changed] = await this.prisma.workspace.updateManyAndReturn({
      where: { ...guard, id: current.id, version: current.version },
      data: { ...data, ...due, version: { increment: 1 }, updatedAt: new Date() },
    });
    if (!changed) return null;
    this.changed(changed);
    return changed;
  }

  /**
   * Records activity: last_activity_at and the auto-stop it moves, with a compare-and-set on the
   * version that does not bump it (activity is not a change watchers are told about). Null when
   * the row changed since it was read.
   */
  async recordActivity(current: Workspace, at: Date): Promise<Workspace | null> {
    if (at <= current.lastActivityAt) return current;
    const { autoStopAt } = this.policy.dueTimes({ ...current, lastActivityAt: at });
    // Shared with the activity of other workspaces that arrives while one statement commits.
    this.sharedActivity ??= new GroupCommit((writes) =>
      recordActivities(statementsFor(this.prisma), writes),
    );
    return this.sharedActivity.submit({
      id: current.id,
      version: current.version,
      at,
      autoStopAt: autoStopAt ?? null,
    });
  }

  /**
   * Marks stopped workspaces whose auto-delete is due for deletion (the engine then removes them
   * like any deleted workspace; watchers see DELETED last). Due rows are found through the
   * index on auto_delete_at; the write re-checks that each is still due and stopped.
   */
  async deleteDue(limit: number): Promise<Workspace[]> {
    const now = new Date();
    const due = await this.prisma.workspace.findMany({
      where: { autoDeleteAt: { lte: now } },
      orderBy: { autoDeleteAt: "asc" },
      take: limit,
      select: { id: true },
    });
    if (due.length === 0) return [];
    const deleted = await this.prisma.workspace.updateManyAndReturn({
      where: {
        id: { in: due.map((row) => row.id) },
        autoDeleteAt: { lte: now },
        status: "stopped",
        desiredState: { not: "deleted" },
      },
      data: {
        desiredState: "deleted",
        autoDeleteAt: null,
        version: { increment: 1 },
        updatedAt: now,
      },
    });
    for (const workspace of deleted) this.changed(workspace);
    return deleted;
  }

  /**
   * Announces a committed change (every transition does; a create or a delete request call it
   * themselves). Watchers are served after the current request has its answer: the fan-out
   * leaves the request's path, so its latency does not depend on who watches.
   */
  changed(workspace: Workspace): void {
    setImmediate(() => this.bus.publish({ kind: "changed", workspace }));
    for (const listener of this.listeners) listener(workspace);
  }

  /** Announces that the row is gone: watchers get their last event. */
  removed(workspace: Workspace): void {
    setImmediate(() => this.bus.publish({ kind: "deleted", workspace }));
  }

  /** Calls `listener` with every change committed by this process. Returns the unsubscribe. */
  onChange(listener: (workspace: Workspace) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The workspace as it is now, then every later version in order (never an older one, never the
   * same one twice). A workspace marked for deletion (or gone) ends the stream with one last
   * event whose status is "deleted". Ends too when `signal` aborts. The caller checked access.
   * `onEnd` is called once when it ends, however it ends (returned before its first read too).
   */
  watch(
    workspaceId: string,
    signal: AbortSignal,
    onEnd?: () => void,
  ): AsyncGenerator<WatchedWorkspace> {
    return new StatusWatch(this.bus, this.prisma, workspaceId, signal, onEnd);
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * One watcher of one workspace (WorkspaceStatusService.watch), with one reader. Not an async
 * generator: while it waits for the next change (what an open subscription does nearly all its
 * life) it holds its fields and the reader's pending promise, not a suspended generator with its
 * queue, request chain and closures (about 2 KB a watcher).
 */
class StatusWatch implements AsyncGenerator<WatchedWorkspace> {
  /** The last version handed out. */
  #last: Workspace | undefined;
  /** Bus events not yet looked at, in order (allocated when one waits). */
  #queue: BusEvent[] | undefined;
  #resolve: ((step: IteratorResult<WatchedWorkspace>) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;
  #unsubscribe: (() => void) | undefined;
  #state: "new" | "opening" | "open" | "reading" | "done" = "new";

  constructor(
    private readonly bus: StatusBus,
    private readonly prisma: PrismaClient,
    private readonly workspaceId: string,
    private readonly signal: AbortSignal,
    private onEnd: (() => void) | undefined,
  ) {}

  next(): Promise<IteratorResult<WatchedWorkspace>> {
    if (this.#state === "done") return Promise.resolve(DONE);
    if (this.#state === "new") return this.#open();
    if (this.#resolve) return Promise.reject(new Error("StatusWatch: one reader at a time"));
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#pump();
    });
  }

  return(): Promise<IteratorResult<WatchedWorkspace>> {
    this.#finish();
    return Promise.resolve(DONE);
  }

  throw(error: unknown): Promise<IteratorResult<WatchedWorkspace>> {
    this.#finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The signal aborted: a waiting reader is done (a resync read in flight finishes first). */
  handleEvent(): void {
    this.#pump();
  }

  async #open(): Promise<IteratorResult<WatchedWorkspace>> {
    this.#state = "opening";
    this.signal.addEventListener("abort", this, { once: true });
    try {
      // Subscribed before the snapshot is read: nothing committed after the read is missed.
      const unsubscribe = await this.bus.subscribe(this.workspaceId, this.#onEvent);
      if (this.#over()) {
        unsubscribe();
        return DONE;
      }
      this.#unsubscribe = unsubscribe;
      if (this.signal.aborted) return this.#finish();
      const last = await this.#read();
      if (this.#over()) return DONE;
      if (!last || last.desiredState === "deleted") return this.#finish();
      this.#last = last;
      this.#state = "open";
      return { done: false, value: last };
    } catch (error) {
      this.#finish();
      throw error;
    }
  }

  /** Returned (return()) meanwhile. */
  #over(): boolean {
    return this.#state === "done";
  }

  readonly #onEvent = (event: BusEvent): void => {
    if (this.#state === "done") return;
    if (this.#queue) this.#queue.push(event);
    else this.#queue = [event];
    this.#pump();
  };

  /** Answers the waiting reader from the queue, if it can (in order, one read at a time). */
  #pump(): void {
    while (this.#resolve && this.#state === "open") {
      if (this.signal.aborted) {
        this.#answer(DONE);
        this.#finish();
        return;
      }
      const event = this.#queue?.shift();
      if (!event) return;
      if (event.kind !== "resync") {
        this.#consider(event, event.workspace);
        continue;
      }
      this.#state = "reading";
      this.#read().then(
        (workspace) => {
          if (this.#state !== "reading") return;
          this.#state = "open";
          this.#consider(event, workspace);
          this.#pump();
        },
        (error: unknown) => {
          const reject = this.#reject;
          this.#resolve = undefined;
          this.#reject = undefined;
          this.#finish();
          reject?.(error);
        },
      );
      return;
    }
  }

  /** One event with the row it stands for (null: gone): news, the last event, or nothing. */
  #consider(event: BusEvent, workspace: Workspace | null): void {
    const last = this.#last as Workspace;
    if (!workspace || event.kind === "deleted" || workspace.desiredState === "deleted") {
      this.#answer({ done: false, value: { ...(workspace ?? last), status: "deleted" } });
      this.#finish();
      return;
    }
    // Duplicates, and late messages overtaken by a newer version, are not news.
    if (workspace.version <= last.version) return;
    this.#last = workspace;
    this.#answer({ done: false, value: workspace });
  }

  #answer(step: IteratorResult<WatchedWorkspace>): void {
    const resolve = this.#resolve;
    this.#resolve = undefined;
    this.#reject = undefined;
    resolve?.(step);
  }

  #read(): Promise<Workspace | null> {
    return this.prisma.workspace.findUnique({ where: { id: this.workspaceId } });
  }

  /** Over: the bus listener and the abort listener go, a waiting reader is done, onEnd called. */
  #finish(): IteratorReturnResult<undefined> {
    if (this.#state === "done") return DONE;
    this.#state = "done";
    this.signal.removeEventListener("abort", this);
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#queue = undefined;
    this.#last = undefined;
    this.#answer(DONE);
    const onEnd = this.onEnd;
    this.onEnd = undefined;
    onEnd?.();
    return DONE;
  }
}
