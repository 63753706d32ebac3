// The engine's lease heartbeat (Leases.renew): it renews only the leases that run out soon, and
// it locks rows in id order and never waits for a row a step is writing, so it cannot deadlock
// with the engine's shared compare-and-set, which locks its rows in id order
// (db/write-workspaces.ts). A heartbeat that locked rows in the order its scan met them
// deadlocked with shared steps 71 times in one bench run, each broken only after PostgreSQL's
// deadlock_timeout.
import pg from "pg";
import { describe, expect, it } from "vitest";
import { Leases } from "../src/lifecycle/leases.js";
import { createServices } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { databaseTargets, TEST_DATABASE_URL } from "./kit/database.js";
import { seedUser, workspaceRow } from "./kit/seed.js";

describe.each(databaseTargets)("lease heartbeat on the $name database", ({ name, open, skip }) => {
  async function leasedRows(label: string, owner: string, offsets: string[]) {
    const { prisma } = await open();
    const services = createServices({ prisma, gpuKinds: [], bus: new LocalStatusBus() });
    const { project } = await seedUser(services, label);
    const ids: string[] = [];
    for (const offset of offsets) {
      const row = await prisma.workspace.create({
        data: workspaceRow(project.id, { status: "starting", keepActive: false }),
      });
      await prisma.$executeRawUnsafe(
        `UPDATE workspaces SET lease_owner = $1, lease_expires_at = now() + $2::interval
         WHERE id = $3::uuid`,
        owner,
        offset,
        row.id,
      );
      ids.push(row.id);
    }
    const expiries = async () =>
      new Map(
        (
          await prisma.workspace.findMany({
            where: { id: { in: ids } },
            select: { id: true, leaseExpiresAt: true },
          })
        ).map((row) => [row.id, row.leaseExpiresAt?.getTime() ?? null]),
      );
    return { prisma, ids, expiries };
  }

  it.skipIf(skip)("renews only the leases with less than the window left", async () => {
    const owner = `heartbeat-window:${name}`;
    const { prisma, ids, expiries } = await leasedRows("heartbeat-window", owner, [
      "4 seconds",
      "2 seconds",
    ]);
    const [later = "", sooner = ""] = ids;
    const before = await expiries();
    await new Leases(prisma, owner, 5000).renew(3000);
    const after = await expiries();
    // 4 s left is more than the 3 s window: untouched, to the millisecond.
    expect(after.get(later)).toBe(before.get(later));
    // 2 s left: renewed to the full 5 s lease from now, past where it was.
    expect(after.get(sooner)).toBeGreaterThan(before.get(sooner) ?? Number.POSITIVE_INFINITY);
    expect(after.get(sooner)).toBeGreaterThanOrEqual((before.get(later) ?? 0) - 1000);
    await prisma.workspace.deleteMany({ where: { id: { in: ids } } });
  });

  it.skipIf(skip)(
    "claims, heartbeats and hand-backs leave the event trigger alone; a status change runs it",
    async () => {
      const owner = `heartbeat-trigger:${name}`;
      const { prisma, ids } = await leasedRows("heartbeat-trigger", owner, ["1 second"]);
      const [id = ""] = ids;
      class RollBack extends Error {}
      const calls: number[] = [];
      const outcome = await prisma
        .$transaction(async (tx) => {
          // The function's calls in this transaction, counted by PostgreSQL itself.
          await tx.$executeRawUnsafe("SET LOCAL track_functions = 'pl'");
          const count = async () => {
            const [row] = await tx.$queryRawUnsafe<{ n: bigint }[]>(
              "SELECT pg_stat_get_xact_function_calls('workspace_event_append'::regproc) AS n",
            );
            calls.push(Number(row?.n ?? 0));
          };
          const leases = new Leases(tx as unknown as typeof prisma, owner, 5000);
          await leases.renew();
          await leases.release(id);
          await tx.$executeRawUnsafe(
            "UPDATE workspaces SET lease_owner = $1, lease_expires_at = now() WHERE id = $2::uuid",
            owner,
            id,
          );
          await count();
          await tx.$executeRawUnsafe(
            "UPDATE workspaces SET status = 'running' WHERE id = $1::uuid",
            id,
          );
          await count();
          throw new RollBack();
        })
        .catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(RollBack);
      expect(calls).toEqual([0, 1]);
      await prisma.workspace.deleteMany({ where: { id: { in: ids } } });
    },
    60_000,
  );

  it.skipIf(skip || name !== "postgres")(
    "never waits for a row a step holds, so a step locking the next row cannot deadlock with it",
    async () => {
      const owner = `heartbeat-order:${name}`;
      const { prisma, ids, expiries } = await leasedRows("heartbeat-order", owner, [
        "1 second",
        "1 second",
      ]);
      const [low = "", high = ""] = [...ids].sort();
      const before = await expiries();
      // A shared step (another connection) holds the lower row, as it would lock it first.
      const step = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await step.connect();
      try {
        await step.query("BEGIN");
        await step.query("SELECT id FROM workspaces WHERE id = $1 FOR UPDATE", [low]);
        let settled = false;
        const heartbeat = new Leases(prisma, owner, 5000).renew().then(
          () => {
            settled = true;
          },
          (error: unknown) => {
            settled = true;
            throw error;
          },
        );
        // Until the heartbeat has either finished or is waiting for a lock: a heartbeat that
        // waits for the lower row while holding the higher one is what deadlocked.
        for (;;) {
          if (settled) break;
          const waiting = await step.query(
            `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE NOT l.granted AND a.query LIKE '%SET lease_expires_at%' AND a.pid <> pg_backend_pid()`,
          );
          if (waiting.rowCount) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // The step goes on to its next row, in id order.
        await step.query("SELECT id FROM workspaces WHERE id = $1 FOR UPDATE", [high]);
        await step.query("COMMIT");
        await heartbeat;
      } finally {
        await step.end();
      }
      const after = await expiries();
      // The held row was skipped (its step writes it), the other renewed.
      expect(after.get(low)).toBe(before.get(low));
      expect(after.get(high)).toBeGreaterThan(before.get(high) ?? Number.POSITIVE_INFINITY);
      await prisma.workspace.deleteMany({ where: { id: { in: ids } } });
    },
    60_000,
  );
});
