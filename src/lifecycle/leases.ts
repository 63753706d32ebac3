import type { PrismaClient } from "../db/client.js";
import { Prisma } from "../generated/prisma/client.js";
import { processMetrics } from "../metrics.js";
import { TRANSITIONAL } from "../services/workspace-status.js";
import type { ClaimedWorkspace } from "./steps.js";

/** The claimed rows as `ClaimedWorkspace`s: every column, and the project's name and branch. */
const CLAIMED_COLUMNS = Prisma.sql`
  w.id, w.project_id AS "projectId", w.status::text AS status,
  w.desired_state::text AS "desiredState", w.cpu_kind::text AS "cpuKind", w.cpus,
  w.memory_mb AS "memoryMb", w.volume_size_gb AS "volumeSizeGb", w.gpu_kind AS "gpuKind",
  w.keep_active AS "keepActive", w.machine_id AS "machineId", w.private_ip AS "privateIp",
  w.git_ref AS "gitRef", w.preview_token AS "previewToken", w.error_message AS "errorMessage",
  w.version, w.lease_owner AS "leaseOwner", w.lease_expires_at AS "leaseExpiresAt",
  w.last_activity_at AS "lastActivityAt", w.created_at AS "createdAt",
  w.updated_at AS "updatedAt", w.auto_stop_minutes AS "autoStopMinutes",
  w.max_run_minutes AS "maxRunMinutes", w.auto_delete_minutes AS "autoDeleteMinutes", w.labels,
  w.started_at AS "startedAt", w.stopped_at AS "stoppedAt", w.stop_reason::text AS "stopReason",
  w.auto_stop_at AS "autoStopAt", w.auto_delete_at AS "autoDeleteAt", w.volume_id AS "volumeId",
  p.name AS "projectName", p.default_branch AS "defaultBranch"`;

type ClaimedRow = Omit<ClaimedWorkspace, "project"> & {
  projectName: string;
  defaultBranch: string;
  /** Who held the lease before this claim: set when it expired without being handed back. */
  previousOwner: string | null;
};

/** Rows that need a step by their status alone; the partial index workspaces_work_idx covers it. */
const WORK = Prisma.raw(
  `(status IN (${TRANSITIONAL.map((status) => `'${status}'`).join(", ")}) OR desired_state = 'deleted')`,
);

/**
 * The work queue is the workspaces table: a row is work while its status is transitional, it is
 * marked for deletion, or it is running and due for idle stop. A worker leases a row before its
 * step; a lease that expires (its process died) makes the row claimable again.
 */
export class Leases {
  constructor(
    private readonly prisma: PrismaClient,
    /** This process, as written to lease_owner. */
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  /**
   * Leases up to `limit` rows that need a step, oldest change first, and returns them whole, in
   * one statement: SKIP LOCKED keeps concurrent claimers on PostgreSQL off each other's rows, and
   * a row another transaction leased meanwhile fails the re-checked condition.
   */
  claim(limit: number): Promise<ClaimedWorkspace[]> {
    return this.lease(this.claimStatement(limit));
  }

  /**
   * Leases up to `limit` running rows whose automatic stop (idle or max run time) is due, found
   * through the index on auto_stop_at (the sweep's stop; the step re-checks each).
   */
  claimDueStops(limit: number): Promise<ClaimedWorkspace[]> {
    return this.lease(this.dueStopClaimStatement(limit));
  }

  /** The earliest due stop or delete, or null: when the next sweep is worth running. */
  async nextDue(): Promise<Date | null> {
    const [row] = await this.prisma.$queryRaw<{ due: Date | null }[]>`
      SELECT LEAST((SELECT min(auto_stop_at) FROM workspaces),
                   (SELECT min(auto_delete_at) FROM workspaces)) AS due`;
    return row?.due ?? null;
  }

  /** The claim's statement (tests EXPLAIN it). */
  claimStatement(limit: number): Prisma.Sql {
    return this.leaseStatement(limit, WORK, Prisma.sql`updated_at`);
  }

  dueStopClaimStatement(limit: number): Prisma.Sql {
    return this.leaseStatement(
      limit,
      Prisma.sql`auto_stop_at <= now() AND status = 'running' AND desired_state = 'running'`,
      Prisma.sql`auto_stop_at`,
    );
  }

  private async lease(statement: Prisma.Sql): Promise<ClaimedWorkspace[]> {
    const rows = await this.prisma.$queryRaw<ClaimedRow[]>(statement);
    const takenOver = rows.filter((row) => row.previousOwner !== null).length;
    if (takenOver > 0) processMetrics.leaseTakeovers.inc(takenOver);
    return rows.map(({ projectName, defaultBranch, previousOwner: _previous, ...row }) => ({
      ...row,
      project: { name: projectName, defaultBranch },
    }));
  }

  private leaseStatement(limit: number, condition: Prisma.Sql, order: Prisma.Sql): Prisma.Sql {
    // The claimable rows are read first so that RETURNING can say who held each one before.
    return Prisma.sql`
      WITH claimable AS (
        SELECT id, lease_owner FROM workspaces
        WHERE ${condition} AND (lease_expires_at IS NULL OR lease_expires_at < now())
        ORDER BY ${order}
        LIMIT ${limit}::int
        FOR UPDATE SKIP LOCKED
      )
      UPDATE workspaces w
      SET lease_owner = ${this.owner},
          lease_expires_at = now() + ${this.ttlMs}::int * interval '1 millisecond'
      FROM projects p, claimable c
      WHERE p.id = w.project_id AND w.id = c.id
      RETURNING ${CLAIMED_COLUMNS}, c.lease_owner AS "previousOwner"`;
  }

  /**
   * Extends the leases this process holds that run out within `withinMs` (a heartbeat while steps
   * run; a lease renewed at the last heartbeat is left alone). Rows are locked in id order, as the
   * engine's shared compare-and-set locks them (db/write-workspaces.ts): locked in the order the
   * scan met them, a heartbeat and a shared step deadlocked, and PostgreSQL broke each deadlock
   * only after deadlock_timeout (1 s) — 71 times in one bench run. A row locked by a step in
   * flight is skipped: the step is writing it, and the next heartbeat comes long before expiry.
   */
  async renew(withinMs = this.ttlMs): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE workspaces w
      SET lease_expires_at = now() + ${this.ttlMs}::int * interval '1 millisecond'
      FROM (
        SELECT id FROM workspaces
        WHERE lease_owner = ${this.owner}
          AND lease_expires_at < now() + ${withinMs}::int * interval '1 millisecond'
        ORDER BY id
        FOR UPDATE SKIP LOCKED
      ) mine
      WHERE w.id = mine.id`;
  }

  /** Gives the row back; with `retryAfterMs`, nobody claims it before then (a backoff). */
  async release(id: string, retryAfterMs = 0): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE workspaces
      SET lease_owner = NULL,
          lease_expires_at = CASE WHEN ${retryAfterMs}::int > 0
            THEN now() + ${retryAfterMs}::int * interval '1 millisecond' END
      WHERE id = ${id}::uuid AND lease_owner = ${this.owner}`;
  }

  /** Hands back every row this process holds, so another process carries on at once. */
  async releaseAll(): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE workspaces SET lease_owner = NULL, lease_expires_at = NULL
      WHERE lease_owner = ${this.owner}`;
  }

  /** The columns that end a lease, for a compare-and-set that completes a step. */
  static readonly cleared = { leaseOwner: null, leaseExpiresAt: null } as const;
}
