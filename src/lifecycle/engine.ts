/**
 * The scheduler of the lifecycle: claims rows that are work (leases, in batches), runs their
 * steps (steps.ts) one after the other while the row keeps needing one, and claims again when a
 * change asks for it (wakes, coalesced) or the sweep comes.
 */
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import type { PrismaClient } from "../db/client.js";
import type { Logger } from "../logger.js";
import { needsStep, type WorkspaceStatusService } from "../services/workspace-status.js";
import { Leases } from "./leases.js";
import type { Provisioner } from "./provisioner.js";
import { type ClaimedWorkspace, Steps } from "./steps.js";

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
  /** Workspaces in flight at once in this process (LIFECYCLE_CONCURRENCY). */
  concurrency?: number | undefined;
  /** On stop, how long steps in flight may take to finish before they are handed back. */
  shutdownGraceMs?: number | undefined;
  /** Backoff before a row whose step hit an unexpected error is tried again. */
  retryAfterMs?: number | undefined;
}

/** Wakes within this long are served by one claim. */
const WAKE_COALESCE_MS = 5;

/**
 * Drives workspaces through the lifecycle. A claim leases a batch of rows and returns them
 * whole; each row then runs its steps one after the other (call the provisioner, commit the next
 * status with a compare-and-set that keeps the lease while another step is due) until it
 * settles. A stale writer loses the compare-and-set, gives the row back and the row is claimed
 * afresh; the provisioner is idempotent per workspace, so a step repeated after a crash does no
 * harm.
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
  /** The last claim filled every free slot: a finished row may leave work behind. */
  private saturated = false;

  constructor(private readonly options: EngineOptions) {
    this.leases = new Leases(options.prisma, this.owner, options.leaseTtlMs ?? 5000);
    this.steps = new Steps({ ...options, owner: this.owner, leaseTtlMs: this.leases.ttlMs });
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.concurrency = options.concurrency ?? 1000;
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
    setTimeout(() => {
      this.wakeScheduled = false;
      this.claimRound();
    }, WAKE_COALESCE_MS).unref();
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
    void Promise.resolve(renew)
      .then(() => this.claimIdle())
      .then(() => {
        this.claimRound();
        this.timer = setTimeout(() => this.tick(), this.pollIntervalMs);
        this.timer.unref();
      });
  }

  /** Idle auto-stop: found by the sweep only (the clock changes nothing a wake would see). */
  private async claimIdle(): Promise<void> {
    const { idleTimeoutMs } = this.options;
    const room = this.concurrency - this.inflight.size;
    if (idleTimeoutMs <= 0 || room <= 0) return;
    try {
      const rows = await this.leases.claimIdle(room, idleTimeoutMs);
      if (this.state === "running") for (const row of rows) this.launch(row);
    } catch (error) {
      this.log.warn({ err: error }, "lifecycle: claiming idle workspaces failed");
    }
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
      let rows: ClaimedWorkspace[];
      try {
        rows = await this.leases.claim(room);
      } catch (error) {
        this.log.warn(
          { err: error },
          "lifecycle: claiming work failed; retrying at the next sweep",
        );
        return;
      }
      // Claimed while stopping: stop() hands these back with everything else.
      if (this.state !== "running") return;
      this.saturated = rows.length === room;
      for (const row of rows) this.launch(row);
    } while (this.wakeAgain);
  }

  private launch(claimed: ClaimedWorkspace): void {
    const { id } = claimed;
    // The claim can return a row whose last step here is still winding down (its commit ended
    // the lease, then a change made it work again): run after it, not beside it.
    const previous = this.inflight.get(id);
    const run = (previous ?? Promise.resolve())
      .then(() => this.work(claimed))
      .finally(() => {
        if (this.inflight.get(id) === run) this.inflight.delete(id);
        if (this.saturated) this.wake();
      });
    this.inflight.set(id, run);
  }

  /** Runs the row's steps while it keeps needing one and the lease is still ours. */
  private async work(claimed: ClaimedWorkspace): Promise<void> {
    const signal = this.shutdown.signal;
    let workspace = claimed;
    try {
      for (;;) {
        const result = await this.steps.run(workspace, signal);
        if (result === null) return await this.leases.release(workspace.id);
        if (result === "removed" || result.leaseOwner !== this.owner) return;
        if (!needsStep(result) || this.state !== "running") {
          return await this.leases.release(workspace.id);
        }
        workspace = result;
      }
    } catch (error) {
      if (signal.aborted) return;
      this.log.error(
        { err: error, workspaceId: workspace.id },
        "lifecycle: step failed unexpectedly",
      );
      await this.leases.release(workspace.id, this.retryAfterMs).catch(() => {});
    }
  }
}
