// Issue 15, item 17: a lease is taken over only once it has expired, by the database's clock.
// The lease functions run against the database inside one transaction, where now() stands still:
// a lease 1 ms from its expiry is refused and one 1 ms past it is taken, however slow the machine
// (an early-take slack of any size fails the first claim). Rolled back, so nothing is left.
import { describe, expect, it } from "vitest";
import type { PrismaClient } from "../src/db/client.js";
import { Leases } from "../src/lifecycle/leases.js";
import { createServices } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { databaseTargets } from "./kit/database.js";
import { seedUser, workspaceRow } from "./kit/seed.js";

const DEAD_OWNER = "dead-process:lease-expiry";

class RollBack extends Error {}

describe.each(databaseTargets)("lease expiry on the $name database", ({ open, skip }) => {
  it.skipIf(skip)(
    "refuses a live lease 1 ms before its expiry and takes it over 1 ms after",
    async () => {
      const { prisma } = await open();
      const services = createServices({ prisma, gpuKinds: [], bus: new LocalStatusBus() });
      const { project } = await seedUser(services, "lease-expiry");
      const row = await prisma.workspace.create({
        data: workspaceRow(project.id, { status: "creating", keepActive: false }),
      });
      const seen: { before: string[]; after: { id: string; leaseOwner: string | null }[] } = {
        before: [],
        after: [],
      };

      const outcome = await prisma
        .$transaction(async (tx) => {
          // The oldest change first in the claim's order, so a limit never hides this row.
          const lease = (offset: string) =>
            tx.$executeRawUnsafe(
              `UPDATE workspaces SET lease_owner = $1, updated_at = '2000-01-01',
                 lease_expires_at = now() + $2::interval
               WHERE id = $3::uuid`,
              DEAD_OWNER,
              offset,
              row.id,
            );
          const leases = new Leases(tx as unknown as PrismaClient, "taker:lease-expiry", 5000);

          expect(await lease("1 millisecond")).toBe(1);
          seen.before = (await leases.claim(10)).map((claimed) => claimed.id);

          expect(await lease("-1 millisecond")).toBe(1);
          seen.after = (await leases.claim(10)).map(({ id, leaseOwner }) => ({ id, leaseOwner }));
          throw new RollBack();
        })
        .catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(RollBack);

      expect(seen.before).not.toContain(row.id);
      expect(seen.after).toContainEqual({ id: row.id, leaseOwner: "taker:lease-expiry" });
      // Rolled back: the row is as it was created.
      const after = await prisma.workspace.findUniqueOrThrow({ where: { id: row.id } });
      expect(after.leaseOwner).toBeNull();
      await prisma.workspace.delete({ where: { id: row.id } });
    },
    60_000,
  );
});
