/**
 * The scheduler of the lifecycle: claims rows that are work (leases), runs their step
 * (steps.ts) and claims again when a step commits, a change asks for it, or the sweep comes.
 */
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import type { PrismaClient } from "../db/client.js";
import type { Logger } from "../logger.js";
import type { WorkspaceStatusService } from "../services/workspace-status.js";
import { Leases } from "./leases.js";
import type { Provisioner } from "./provisioner.js";
import { Steps, WORKSPACE_WITH_PROJECT } from "./steps.js";

export interface EngineOptions {
  prisma: PrismaClient;
  /** Commits every step's status change (and announces it). */
  status: WorkspaceStatusService;
  provisioner: Provisioner;
  logger: Logger;
  /** 0 disables idle auto-stop. */
  idleTimeoutMs: number;
  /** How long a claimed row stays ours without a heartbeat. */
  leaseTtlMs?: number | undefined;
  /** The sweep: claims work that no wake announced (other replicas, expired leases, idle). */
  pollIntervalMs?: number | undefined;
  /** Steps run at once by this process. */
  concurrency?: number | undefined;
  /** On stop, how long steps in flight may take to finish before they are handed back. */
  shutdownGraceMs?: number | undefined;
  /** Backoff before a row whose step hit an unexpected error is tried again. */
  retryAfterMs?: number | undefined;
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
  private readonly steps: Steps;
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
    this.steps = new Steps({ ...options, owner: this.owner });
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
      await Promise.race([
        Promise.allSettled(running),
        delay(this.shutdownGraceMs, undefined, { ref: false }),
      ]);
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

  private get log(): Logger {
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
      const committed = await this.steps.run(workspace, signal);
      if (!committed) await this.leases.release(id);
    } catch (error) {
      if (signal.aborted) return;
      this.log.error({ err: error, workspaceId: id }, "lifecycle: step failed unexpectedly");
      await this.leases.release(id, this.retryAfterMs).catch(() => {});
    }
  }
}
