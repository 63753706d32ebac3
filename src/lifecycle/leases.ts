import type { PrismaClient } from "../db/client.js";
import { Prisma } from "../generated/prisma/client.js";
import { TRANSITIONAL } from "../services/workspace-status.js";

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
    private readonly ttlMs: number,
  ) {}

  /**
   * Leases up to `limit` rows that are work and not leased, in one statement: SKIP LOCKED keeps
   * concurrent claimers on PostgreSQL off each other's rows, and a row another transaction
   * leased meanwhile fails the re-checked condition. Returns the ids.
   */
  async claim(limit: number, idleTimeoutMs: number): Promise<string[]> {
    const due =
      idleTimeoutMs > 0
        ? Prisma.sql`OR (status = 'running' AND desired_state = 'running' AND keep_active = false
            AND last_activity_at < now() - ${idleTimeoutMs}::int * interval '1 millisecond')`
        : Prisma.empty;
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE workspaces
      SET lease_owner = ${this.owner},
          lease_expires_at = now() + ${this.ttlMs}::int * interval '1 millisecond'
      WHERE id IN (
        SELECT id FROM workspaces
        WHERE (lease_expires_at IS NULL OR lease_expires_at < now())
          AND (status::text IN (${Prisma.join(TRANSITIONAL)}) OR desired_state = 'deleted' ${due})
        ORDER BY updated_at
        LIMIT ${limit}::int
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id`;
    return rows.map((row) => row.id);
  }

  /** Extends every lease this process holds (a heartbeat while steps run). */
  async renew(): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE workspaces
      SET lease_expires_at = now() + ${this.ttlMs}::int * interval '1 millisecond'
      WHERE lease_owner = ${this.owner}`;
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
