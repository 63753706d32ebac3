/**
 * The lifecycle's steps, one per status: the provider calls for it, then the compare-and-set that
 * commits the next status. The lease is kept when the next status needs a step too (the engine
 * goes on with the row it has), and ends otherwise. The scheduler (engine.ts) decides when
 * steps run.
 */
import type { PrismaClient } from "../db/client.js";
import type { Prisma, Workspace } from "../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import { processMetrics } from "../metrics.js";
import {
  isTransitional,
  type Move,
  nextStatus,
  type TransitionalStatus,
  type WorkspaceStatusService,
} from "../services/workspace-status.js";
import { Leases } from "./leases.js";
import type { MachineSpec, Provisioner, ProvisionerStep } from "./provisioner.js";

export const WORKSPACE_WITH_PROJECT = {
  project: { select: { name: true, defaultBranch: true } },
} as const satisfies Prisma.WorkspaceInclude;

export type ClaimedWorkspace = Prisma.WorkspaceGetPayload<{
  include: typeof WORKSPACE_WITH_PROJECT;
}>;

export interface StepOptions {
  prisma: PrismaClient;
  status: WorkspaceStatusService;
  provisioner: Provisioner;
  logger: Logger;
  /**
   * Called with a row the sweep found due to stop, just before the compare-and-set that stops
   * it (tests hold the sweep there to race a keep-alive against it).
   */
  beforeAutoStop?: ((workspace: Workspace) => Promise<void>) | undefined;
  /** The engine that runs the steps, as written in logs. */
  owner: string;
  /** How long a lease kept past a commit lasts (the engine's heartbeat renews it). */
  leaseTtlMs: number;
}

/**
 * What a step did: committed a change (the row as it is now, still leased when it needs another
 * step), removed the row, or nothing (not due, or another writer got there first).
 */
export type StepResult = ClaimedWorkspace | "removed" | null;

/** Runs the step a claimed row is due. */
export class Steps {
  constructor(private readonly options: StepOptions) {}

  private get log(): Logger {
    return this.options.logger;
  }

  /** The step the row is due, if any; timed and, when it fails, counted (lifecycle_step_*). */
  async run(workspace: ClaimedWorkspace, signal: AbortSignal): Promise<StepResult> {
    const step = stepName(workspace);
    const end = processMetrics.stepSeconds.startTimer({ step });
    try {
      const result = await this.due(workspace, signal);
      // A row found not due did nothing worth timing.
      if (result !== null) end();
      return result;
    } catch (error) {
      if (!signal.aborted) {
        processMetrics.stepFailures.inc({ step });
        end();
      }
      throw error;
    }
  }

  private async due(workspace: ClaimedWorkspace, signal: AbortSignal): Promise<StepResult> {
    if (workspace.desiredState === "deleted") return this.destroy(workspace, signal);
    const { status } = workspace;
    if (isTransitional(status)) return this.advance(workspace, status, signal);
    if (status === "running") return this.stopIfDue(workspace);
    return null;
  }

  private async advance(
    workspace: ClaimedWorkspace,
    status: TransitionalStatus,
    signal: AbortSignal,
  ): Promise<StepResult> {
    // What the provisioner has made so far; kept on the row even when a later call fails.
    const machine = { id: workspace.machineId };
    let done: Prisma.WorkspaceUpdateManyMutationInput;
    try {
      done = await this.provision(workspace, status, machine, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      processMetrics.stepFailures.inc({ step: status });
      return this.commit(workspace, "failed", {
        machineId: machine.id,
        errorMessage: failureMessage(status, error),
      });
    }
    return this.commit(workspace, "done", done);
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
    // The provider's volume id, once it reports one: kept so later steps need no look-up.
    let volumeId = spec.volumeId;
    const ensureMachine = async (): Promise<string> => {
      if (machine.id === null) {
        const created = await this.call("createMachine", workspace, signal, (p) =>
          p.createMachine(spec, signal),
        );
        machine.id = created.machineId;
        volumeId = created.volumeId ?? volumeId;
      }
      return machine.id;
    };
    switch (status) {
      case "creating":
        return { machineId: await ensureMachine(), volumeId, errorMessage: null };
      case "starting": {
        const machineId = await ensureMachine();
        const started = await this.call("start", workspace, signal, (p) =>
          p.start(machineId, { ...spec, volumeId }, signal),
        );
        return {
          machineId,
          volumeId: started.volumeId ?? volumeId,
          privateIp: started.privateIp,
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

  /**
   * The automatic stop (idle or max run time). The claim found auto_stop_at due; the rules are
   * applied again to the row as read (its policy, the settings now), activity the provider saw
   * is recorded, and the stop's compare-and-set requires auto_stop_at to be still due, so a
   * keep-alive that lands after this read wins.
   */
  private async stopIfDue(workspace: ClaimedWorkspace): Promise<StepResult> {
    const { provisioner, status } = this.options;
    const { project, ...row } = workspace;
    let current: Workspace = row;
    let reason = status.policy.stopDue(current);
    if (reason === "idle" && provisioner.lastActivity && current.machineId) {
      const seen = await provisioner.lastActivity(current.machineId, machineSpec(workspace));
      if (seen && seen > current.lastActivityAt) {
        current = (await status.recordActivity(current, seen)) ?? current;
        reason = status.policy.stopDue(current);
      }
    }
    if (reason === null) {
      // Not due under the rules now (a setting changed, activity seen): due again later.
      const { autoStopAt } = status.policy.dueTimes(current);
      if (autoStopAt?.getTime() !== current.autoStopAt?.getTime()) {
        await this.options.prisma.workspace.updateMany({
          where: { id: current.id, version: current.version },
          data: { autoStopAt },
        });
      }
      return null;
    }
    await this.options.beforeAutoStop?.(current);
    this.log.info({ workspaceId: workspace.id, reason }, "lifecycle: automatic stop");
    return this.commit(
      { ...current, project },
      "stop",
      { desiredState: "stopped", stopReason: reason, changeReason: reason },
      new Date(),
    );
  }

  private async destroy(workspace: ClaimedWorkspace, signal: AbortSignal): Promise<StepResult> {
    const spec = machineSpec(workspace);
    await this.call("destroy", workspace, signal, (p) =>
      p.destroy(workspace.machineId, spec, signal),
    );
    const { count } = await this.options.prisma.workspace.deleteMany({
      where: { id: workspace.id, version: workspace.version },
    });
    if (count === 0) return null;
    const { project: _project, ...row } = workspace;
    this.log.info({ workspaceId: workspace.id }, "lifecycle: workspace deleted");
    this.options.status.removed(row);
    return "removed";
  }

  /**
   * The compare-and-set that completes a step; null when another writer got there first. The
   * lease goes on while the next status needs a step, and ends with it otherwise. Steps that
   * finish while one commits share the next statement (transitionShared). `autoStopDueBy`: an
   * automatic stop's guard (still due then, so that a keep-alive landing after the read wins).
   */
  private async commit(
    workspace: ClaimedWorkspace,
    move: Move,
    data: Prisma.WorkspaceUpdateManyMutationInput,
    autoStopDueBy?: Date,
  ): Promise<StepResult> {
    const { project, ...current } = workspace;
    const to = nextStatus(current.status, move);
    const lease =
      to !== undefined && isTransitional(to) && current.desiredState !== "deleted"
        ? { leaseExpiresAt: new Date(Date.now() + this.options.leaseTtlMs) }
        : Leases.cleared;
    const changed = await this.options.status.transitionShared(
      current,
      move,
      { ...data, ...lease },
      autoStopDueBy,
    );
    if (changed) {
      this.log.info(
        {
          workspaceId: workspace.id,
          from: workspace.status,
          to: changed.status,
          version: changed.version,
        },
        "lifecycle: status changed",
      );
    } else {
      this.log.info({ workspaceId: workspace.id }, "lifecycle: lost a compare-and-set; re-reading");
    }
    return changed && { ...changed, project };
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
      {
        workspaceId: workspace.id,
        step,
        machineId: workspace.machineId,
        owner: this.options.owner,
      },
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

/** The step's name in metrics: the transitional status it completes, "destroy" or "idle_stop". */
function stepName(workspace: ClaimedWorkspace): string {
  if (workspace.desiredState === "deleted") return "destroy";
  return workspace.status === "running" ? "idle_stop" : workspace.status;
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
    volumeId: workspace.volumeId,
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
