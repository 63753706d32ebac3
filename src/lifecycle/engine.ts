/**
 * The scheduler of the lifecycle: claims rows that are work (leases, in batches), runs their
 * steps (steps.ts) one after the other while the row keeps needing one, and claims again when a
 * change asks for it (wakes, coalesced) or the sweep comes.
 */
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import type { PrismaClient } from "../db/client.js";
import type { Workspace } from "../generated/prisma/client.js";
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
  /**
   * How often due automatic stops and deletes are looked for (AUTO_STOP_SWEEP_INTERVAL_S); the
   * sweep also runs at the earliest due time it knows of. Default 30 s.
   */
  policySweepMs?: number | undefined;
  /** Tests: called just before an automatic stop's compare-and-set (see Steps). */
  beforeAutoStop?: ((workspace: Workspace) => Promise<void>) | undefined;
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

/** The policy sweep runs at most this often when something stays due (a row another holds). */
const POLICY_SWEEP_MIN_GAP_MS = 1000;

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
  private readonly renewWithinMs: number;
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
  private readonly policySweepMs: number;
  private policyTimer: NodeJS.Timeout | undefined;
  /** When the policy timer fires (Infinity: not set). */
  private policySweepAt = Number.POSITIVE_INFINITY;
  private policySweeping: Promise<void> | undefined;

  constructor(private readonly options: EngineOptions) {
    this.leases = new Leases(options.prisma, this.owner, options.leaseTtlMs ?? 5000);
    this.steps = new Steps({ ...options, owner: this.owner, leaseTtlMs: this.leases.ttlMs });
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    // A heartbeat renews a lease once less than this is left: lease − 2 ticks, so a lease is
    // renewed with at least lease − 3 ticks still in hand (5 s leases, 1 s ticks: renewed every
    // 2–3 s with ≥ 2 s left, not every second). Leases shorter than 4 ticks: every tick, as before.
    const twoTicksLeft = this.leases.ttlMs - 2 * this.pollIntervalMs;
    this.renewWithinMs = twoTicksLeft >= this.leases.ttlMs / 2 ? twoTicksLeft : this.leases.ttlMs;
    this.concurrency = options.concurrency ?? 1000;
    this.retryAfterMs = options.retryAfterMs ?? 5000;
    this.shutdownGraceMs = options.shutdownGraceMs ?? 3000;
    this.policySweepMs = options.policySweepMs ?? 30_000;
    // Every step in flight listens on the shutdown signal.
    setMaxListeners(0, this.shutdown.signal);
  }

  start(): void {
    if (this.state !== "idle") return;
    this.state = "running";
    this.tick();
    this.schedulePolicySweep(Date.now());
  }

  /**
   * A change committed here: when it brings an automatic stop or delete closer than the next
   * policy sweep, the sweep runs then (other replicas' changes wait for the interval at most).
   */
  noticeDue(workspace: Workspace): void {
    const due = [workspace.autoStopAt, workspace.autoDeleteAt].filter((at) => at !== null);
    if (due.length === 0) return;
    this.schedulePolicySweep(Math.min(...due.map((at) => at.getTime())));
  }

  private schedulePolicySweep(at: number): void {
    if (this.state !== "running" || at >= this.policySweepAt) return;
    clearTimeout(this.policyTimer);
    this.policySweepAt = at;
    this.policyTimer = setTimeout(
      () => {
        this.policyTimer = undefined;
        this.policySweepAt = Number.POSITIVE_INFINITY;
        this.policySweeping ??= this.policySweep().finally(() => {
          this.policySweeping = undefined;
        });
      },
      Math.max(0, at - Date.now()),
    );
    this.policyTimer.unref();
  }

  /**
   * Automatic stops and deletes that are due, found through the indexes on their due times:
   * stops are leased and run as steps (each re-checked in its compare-and-set); deletes mark the
   * rows, which the engine then removes like any deleted workspace.
   */
  private async policySweep(): Promise<void> {
    let next: Date | null = null;
    try {
      const room = this.concurrency - this.inflight.size;
      if (room > 0) {
        const rows = await this.leases.claimDueStops(room);
        if (this.state === "running") for (const row of rows) this.launch(row);
      }
      await this.options.status.deleteDue(this.concurrency);
      next = await this.leases.nextDue();
    } catch (error) {
      this.log.warn({ err: error }, "lifecycle: the policy sweep failed");
    }
    const now = Date.now();
    const soonest = now + Math.min(POLICY_SWEEP_MIN_GAP_MS, this.policySweepMs);
    const due = next === null ? Number.POSITIVE_INFINITY : Math.max(next.getTime(), soonest);
    this.schedulePolicySweep(Math.min(now + this.policySweepMs, due));
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
    clearTimeout(this.policyTimer);
    await this.round;
    await this.policySweeping;
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
        ? this.leases.renew(this.renewWithinMs).catch((error: unknown) => {
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
