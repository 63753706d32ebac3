import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { PrismaClient } from "../db/client.js";
import type { Prisma, Workspace } from "../generated/prisma/client.js";
import type { WorkspaceObserver } from "../services/deps.js";
import { transitionWorkspace } from "../services/workspaces.js";
import { Leases } from "./leases.js";
import type { LifecycleLogger } from "./logger.js";
import type { MachineSpec, Provisioner, ProvisionerStep } from "./provisioner.js";
import { isTransitional, STEP_OUTCOMES, type TransitionalStatus } from "./state-machine.js";

export interface EngineOptions {
  prisma: PrismaClient;
  provisioner: Provisioner;
  /** Told about every change the engine commits (publishes it, and wakes this engine). */
  observer: WorkspaceObserver;
  logger: LifecycleLogger;
  /** 0 disables idle auto-stop. */
  idleTimeoutMs: number;
  /** How long a claimed row stays ours without a heartbeat. */
  leaseTtlMs?: number;
  /** The sweep: claims work that no wake announced (other replicas, expired leases, idle). */
  pollIntervalMs?: number;
  /** Steps run at once by this process. */
  concurrency?: number;
  /** On stop, how long steps in flight may take to finish before they are handed back. */
  shutdownGraceMs?: number;
  /** Backoff before a row whose step hit an unexpected error is tried again. */
  retryAfterMs?: number;
}

const WORKSPACE_WITH_PROJECT = {
  project: { select: { name: true, defaultBranch: true } },
} as const satisfies Prisma.WorkspaceInclude;

type ClaimedWorkspace = Prisma.WorkspaceGetPayload<{ include: typeof WORKSPACE_WITH_PROJECT }>;

/** Whether the row is work by its status alone (idle stop is found by the sweep). */
export function needsStep(workspace: Workspace): boolean {
  return workspace.desiredState === "deleted" || isTransitional(workspace.status);
}

/**
 * Drives workspaces through the lifecycle. Each step: lease the row, call the provisioner, then
 * commit the next status with a compare-and-set that also ends the lease. A stale writer loses
 * the compare-and-set, gives the row back and the row is claimed afresh; the provisioner is
 * idempotent per workspace, so a step repeated after a crash does no harm.
 */
export class LifecycleEngine {
  readonly owner = `${process.pid}:${randomUUID()}`;
  private readonly leases: Leases;
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly shutdown = new AbortController();
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly retryAfterMs: number;
  private readonly shutdownGraceMs: number;
  private state: "idle" | "running" | "stopped" = "idle";
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private wakeScheduled = false;
  private wakeAgain = false;

  constructor(private readonly options: EngineOptions) {
    this.leases = new Leases(options.prisma, this.owner, options.leaseTtlMs ?? 5000);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.concurrency = options.concurrency ?? 32;
    this.retryAfterMs = options.retryAfterMs ?? 5000;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 3000;
    // Every step in flight listens on the shutdown signal.
    setMaxListeners(0, this.shutdown.signal);
  }

  start(): void {
    if (this.state !== "idle") return;
    this.state = "running";
    this.tick();
  }

  /** Claims work now rather than at the next sweep. */
  wake(): void {
    if (this.state !== "running") return;
    if (this.round) {
      this.wakeAgain = true;
      return;
    }
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.claimRound();
    });
  }

  /** Stops claiming; lets steps in flight finish for a grace period, then hands back the rest. */
  async stop(): Promise<void> {
    const was = this.state;
    this.state = "stopped";
    if (was !== "running") return;
    clearTimeout(this.timer);
    await this.round;
    const running = [...this.inflight.values()];
    if (running.length > 0) {
      await Promise.race([Promise.allSettled(running), delay(this.shutdownGraceMs)]);
    }
    this.shutdown.abort();
    await Promise.allSettled(running);
    try {
      const handedBack = await this.leases.releaseAll();
      if (handedBack > 0) this.log.info({ handedBack }, "lifecycle: handed back unfinished steps");
    } catch (error) {
      this.log.error({ err: error }, "lifecycle: could not hand back leases; they will expire");
    }
  }

  private get log(): LifecycleLogger {
    return this.options.logger;
  }

  private tick(): void {
    if (this.state !== "running") return;
    const renew =
      this.inflight.size > 0
        ? this.leases.renew().catch((error: unknown) => {
            this.log.warn({ err: error }, "lifecycle: lease heartbeat failed");
          })
        : undefined;
    void Promise.resolve(renew).then(() => {
      this.claimRound();
      this.timer = setTimeout(() => this.tick(), this.pollIntervalMs);
      this.timer.unref();
    });
  }

  private claimRound(): void {
    if (this.state !== "running" || this.round) return;
    this.round = this.claimLoop().finally(() => {
      this.round = undefined;
      // A wake that came after the loop's last look.
      if (this.wakeAgain) this.wake();
    });
  }

  private async claimLoop(): Promise<void> {
    do {
      this.wakeAgain = false;
      const room = this.concurrency - this.inflight.size;
      if (room <= 0) return;
      let ids: string[];
      try {
        ids = await this.leases.claim(room, this.options.idleTimeoutMs);
      } catch (error) {
        this.log.warn(
          { err: error },
          "lifecycle: claiming work failed; retrying at the next sweep",
        );
        return;
      }
      // Claimed while stopping: stop() hands these back with everything else.
      if (this.state !== "running") return;
      for (const id of ids) this.launch(id);
    } while (this.wakeAgain);
  }

  private launch(id: string): void {
    // The claim can return a row whose previous step here is still winding down (its commit
    // woke this round): run the next step after it, not beside it.
    const previous = this.inflight.get(id);
    const run = (previous ?? Promise.resolve())
      .then(() => this.runStep(id))
      .finally(() => {
        if (this.inflight.get(id) === run) this.inflight.delete(id);
        this.wake();
      });
    this.inflight.set(id, run);
  }

  private async runStep(id: string): Promise<void> {
    const signal = this.shutdown.signal;
    try {
      const workspace = await this.options.prisma.workspace.findUnique({
        where: { id },
        include: WORKSPACE_WITH_PROJECT,
      });
      if (!workspace) return;
      const committed = await this.step(workspace, signal);
      if (!committed) await this.leases.release(id);
    } catch (error) {
      if (signal.aborted) return;
      this.log.error({ err: error, workspaceId: id }, "lifecycle: step failed unexpectedly");
      await this.leases.release(id, this.retryAfterMs).catch(() => {});
    }
  }

  /** One step for the row; true when a change was committed (which also ended the lease). */
  private async step(workspace: ClaimedWorkspace, signal: AbortSignal): Promise<boolean> {
    if (workspace.desiredState === "deleted") return this.destroy(workspace, signal);
    const { status } = workspace;
    if (isTransitional(status)) return this.advance(workspace, status, signal);
    if (status === "running") return this.stopIfIdle(workspace);
    return false;
  }

  private async advance(
    workspace: ClaimedWorkspace,
    status: TransitionalStatus,
    signal: AbortSignal,
  ): Promise<boolean> {
    const outcome = STEP_OUTCOMES[status];
    // What the provisioner has made so far; kept on the row even when a later call fails.
    const machine = { id: workspace.machineId };
    let done: Prisma.WorkspaceUpdateManyMutationInput;
    try {
      done = await this.provision(workspace, status, machine, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      return this.commit(workspace, outcome.failed, {
        machineId: machine.id,
        errorMessage: failureMessage(status, error),
      });
    }
    return this.commit(workspace, outcome.done, done);
  }

  /** The provisioner calls of one step; resolves to the columns its success sets. */
  private async provision(
    workspace: ClaimedWorkspace,
    status: TransitionalStatus,
    machine: { id: string | null },
    signal: AbortSignal,
  ): Promise<Prisma.WorkspaceUpdateManyMutationInput> {
    const spec = machineSpec(workspace);
    // A start after a failed creation has no machine yet: it makes one first.
    const ensureMachine = async (): Promise<string> => {
      machine.id ??= (
        await this.call("createMachine", workspace, signal, (p) => p.createMachine(spec, signal))
      ).machineId;
      return machine.id;
    };
    switch (status) {
      case "creating":
        return { machineId: await ensureMachine(), errorMessage: null };
      case "starting": {
        const machineId = await ensureMachine();
        const { privateIp } = await this.call("start", workspace, signal, (p) =>
          p.start(machineId, spec, signal),
        );
        return {
          machineId,
          privateIp,
          gitRef: workspace.project.defaultBranch,
          errorMessage: null,
          // Idle time counts from when the workspace came up.
          lastActivityAt: new Date(),
        };
      }
      case "stopping": {
        const machineId = machine.id;
        if (machineId !== null) {
          await this.call("stop", workspace, signal, (p) => p.stop(machineId, spec, signal));
        }
        return { errorMessage: null };
      }
    }
  }

  private async stopIfIdle(workspace: ClaimedWorkspace): Promise<boolean> {
    // The claim found it idle; re-check what may have changed since (an API call, keep_active).
    const { provisioner, idleTimeoutMs } = this.options;
    const idleFor = (since: Date) => Date.now() - since.getTime();
    if (idleTimeoutMs <= 0 || workspace.keepActive || workspace.desiredState !== "running") {
      return false;
    }
    if (idleFor(workspace.lastActivityAt) < idleTimeoutMs) return false;
    if (provisioner.lastActivity && workspace.machineId) {
      const seen = await provisioner.lastActivity(workspace.machineId, machineSpec(workspace));
      if (seen && seen > workspace.lastActivityAt) {
        await this.options.prisma.workspace.updateMany({
          where: { id: workspace.id },
          data: { lastActivityAt: seen },
        });
        if (idleFor(seen) < idleTimeoutMs) return false;
      }
    }
    this.log.info({ workspaceId: workspace.id }, "lifecycle: idle timeout; stopping");
    return this.commit(workspace, "stopping", { desiredState: "stopped" });
  }

  private async destroy(workspace: ClaimedWorkspace, signal: AbortSignal): Promise<boolean> {
    const spec = machineSpec(workspace);
    await this.call("destroy", workspace, signal, (p) =>
      p.destroy(workspace.machineId, spec, signal),
    );
    const { count } = await this.options.prisma.workspace.deleteMany({
      where: { id: workspace.id, version: workspace.version },
    });
    if (count === 0) return false;
    const { project: _project, ...row } = workspace;
    this.log.info({ workspaceId: workspace.id }, "lifecycle: workspace deleted");
    this.options.observer.workspaceDeleted(row);
    return true;
  }

  /** The compare-and-set that completes a step; false when another writer got there first. */
  private async commit(
    workspace: ClaimedWorkspace,
    to: Workspace["status"],
    data: Prisma.WorkspaceUpdateManyMutationInput,
  ): Promise<boolean> {
    const { project: _project, ...current } = workspace;
    const changed = await transitionWorkspace(this.options, current, to, {
      ...data,
      ...Leases.cleared,
    });
    if (changed) {
      this.log.info(
        { workspaceId: workspace.id, from: workspace.status, to, version: changed.version },
        "lifecycle: status changed",
      );
    } else {
      this.log.info({ workspaceId: workspace.id }, "lifecycle: lost a compare-and-set; re-reading");
    }
    return changed !== null;
  }

  /** Calls the provisioner, logging each call (tests count them to prove each step ran once). */
  private async call<T>(
    step: ProvisionerStep,
    workspace: Workspace,
    signal: AbortSignal,
    run: (provisioner: Provisioner) => Promise<T>,
  ): Promise<T> {
    signal.throwIfAborted();
    this.log.info(
      { workspaceId: workspace.id, step, machineId: workspace.machineId, owner: this.owner },
      "provisioner step",
    );
    try {
      return await run(this.options.provisioner);
    } catch (error) {
      if (!signal.aborted) {
        this.log.warn({ err: error, workspaceId: workspace.id, step }, "provisioner step failed");
      }
      throw error;
    }
  }
}

function machineSpec(workspace: ClaimedWorkspace): MachineSpec {
  return {
    workspaceId: workspace.id,
    projectId: workspace.projectId,
    projectName: workspace.project.name,
    cpuKind: workspace.cpuKind,
    cpus: workspace.cpus,
    memoryMb: workspace.memoryMb,
    volumeSizeGb: workspace.volumeSizeGb,
    gpuKind: workspace.gpuKind,
  };
}

const FAILURE_PREFIX: Record<TransitionalStatus, string> = {
  creating: "could not create the machine",
  starting: "could not start the machine",
  stopping: "could not stop the machine",
};

function failureMessage(status: TransitionalStatus, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `${FAILURE_PREFIX[status]}: ${reason}`.slice(0, 1000);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
