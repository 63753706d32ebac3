import type { PrismaClient } from "../db/client.js";
import { type Logger, silentLogger } from "../logger.js";
import { needsStep, type WorkspaceStatusService } from "../services/workspace-status.js";
import { type EngineOptions, LifecycleEngine } from "./engine.js";
import type { Provisioner } from "./provisioner.js";
import { createSimulatedProvisioner } from "./simulated-provisioner.js";

export type { MachineSpec, Provisioner } from "./provisioner.js";

export interface LifecycleOptions {
  prisma: PrismaClient;
  status: WorkspaceStatusService;
  /** SIMULATED_PROVISION_DELAY_MS, for the default (simulated) provisioner. */
  provisionDelayMs: number;
  /**
   * AUTO_STOP_SWEEP_INTERVAL_S in ms: how often due automatic stops and deletes are looked for
   * (the policies themselves, IDLE_TIMEOUT_MINUTES included, are the status service's).
   */
  policySweepMs?: number | undefined;
  /** Tests: called just before an automatic stop's compare-and-set. */
  beforeAutoStop?: EngineOptions["beforeAutoStop"];
  /** LIFECYCLE_CONCURRENCY: workspaces in flight at once in this process. */
  concurrency?: number | undefined;
  logger?: Logger | undefined;
  /** Replaces the simulated provisioner. */
  provisioner?: Provisioner | undefined;
  /** Engine tuning, for tests: lease time-to-live, sweep interval, shutdown grace. */
  leaseTtlMs?: number | undefined;
  pollIntervalMs?: number | undefined;
  shutdownGraceMs?: number | undefined;
}

export interface Lifecycle {
  /** Starts claiming work (including whatever a dead process left behind). */
  start(): void;
  /** Stops claiming, finishes or hands back steps in flight. */
  stop(): Promise<void>;
}

/**
 * The lifecycle engine: every change committed in this process that leaves a row needing a
 * step wakes it; a periodic sweep picks up what other replicas, dead processes and the idle
 * clock leave.
 */
export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const engine = new LifecycleEngine({
    prisma: options.prisma,
    status: options.status,
    provisioner:
      options.provisioner ?? createSimulatedProvisioner({ delayMs: options.provisionDelayMs }),
    logger: options.logger ?? silentLogger,
    policySweepMs: options.policySweepMs,
    beforeAutoStop: options.beforeAutoStop,
    concurrency: options.concurrency,
    leaseTtlMs: options.leaseTtlMs,
    pollIntervalMs: options.pollIntervalMs,
    shutdownGraceMs: options.shutdownGraceMs,
  });
  let stopListening: (() => void) | undefined;
  return {
    start() {
      stopListening = options.status.onChange((workspace) => {
        // A step this engine committed with the lease kept goes on here without a claim.
        if (needsStep(workspace) && workspace.leaseOwner !== engine.owner) engine.wake();
        engine.noticeDue(workspace);
      });
      engine.start();
    },
    async stop() {
      stopListening?.();
      await engine.stop();
    },
  };
}
