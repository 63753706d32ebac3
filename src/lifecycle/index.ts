import type { PrismaClient } from "../db/client.js";
import type { WorkspaceObserver } from "../services/deps.js";
import { LifecycleEngine, needsStep } from "./engine.js";
import { type LifecycleLogger, silentLogger } from "./logger.js";
import type { Provisioner } from "./provisioner.js";
import { createSimulatedProvisioner } from "./simulated-provisioner.js";
import { LocalStatusBus, RedisStatusBus, type StatusBus } from "./status-bus.js";
import { createStatusEvents, type StatusEvents } from "./status-events.js";

export type { LifecycleLogger } from "./logger.js";
export type { MachineSpec, Provisioner } from "./provisioner.js";
export { FAILURE_MARKERS } from "./simulated-provisioner.js";
export type { StatusEvents } from "./status-events.js";

export interface LifecycleOptions {
  prisma: PrismaClient;
  /** SIMULATED_PROVISION_DELAY_MS, for the default (simulated) provisioner. */
  provisionDelayMs: number;
  /** IDLE_TIMEOUT_MINUTES; 0 disables idle auto-stop. Fractions are allowed. */
  idleTimeoutMinutes: number;
  /** Set: status events fan out across replicas through Redis. */
  redisUrl?: string | undefined;
  logger?: LifecycleLogger | undefined;
  /** Replaces the simulated provisioner. */
  provisioner?: Provisioner | undefined;
  /** Engine tuning, for tests: lease time-to-live, sweep interval, shutdown grace. */
  leaseTtlMs?: number | undefined;
  pollIntervalMs?: number | undefined;
  shutdownGraceMs?: number | undefined;
}

export interface Lifecycle {
  observer: WorkspaceObserver;
  events: StatusEvents;
  /** Starts claiming work (including whatever a dead process left behind). */
  start(): Promise<void>;
  /** Stops claiming, finishes or hands back steps in flight, closes Redis. */
  stop(): Promise<void>;
}

/**
 * The lifecycle engine and the status events. Every committed change reaches the observer,
 * which publishes it to watchers and wakes the engine when the row needs a step; a periodic
 * sweep picks up what other replicas, dead processes and the idle clock leave.
 */
export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const logger = options.logger ?? silentLogger;
  const bus: StatusBus = options.redisUrl
    ? new RedisStatusBus({ url: options.redisUrl, logger })
    : new LocalStatusBus();

  const observer: WorkspaceObserver = {
    workspaceChanged(workspace) {
      bus.publish({ kind: "changed", workspace });
      if (needsStep(workspace)) engine.wake();
    },
    workspaceDeleted(workspace) {
      bus.publish({ kind: "deleted", workspace });
    },
  };

  const engine = new LifecycleEngine({
    prisma: options.prisma,
    provisioner:
      options.provisioner ?? createSimulatedProvisioner({ delayMs: options.provisionDelayMs }),
    observer,
    logger,
    idleTimeoutMs: Math.round(options.idleTimeoutMinutes * 60_000),
    leaseTtlMs: options.leaseTtlMs,
    pollIntervalMs: options.pollIntervalMs,
    shutdownGraceMs: options.shutdownGraceMs,
  });

  return {
    observer,
    events: createStatusEvents(options.prisma, bus),
    async start() {
      await bus.connect();
      engine.start();
    },
    async stop() {
      await engine.stop();
      await bus.close();
    },
  };
}
