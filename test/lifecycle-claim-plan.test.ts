// The engine's claims read only the rows that are work, through their indexes, whatever else the
// table holds: at 100,000 settled rows, no sequential scan and no sort of the whole table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import type { Prisma } from "../src/generated/prisma/client.js";
import { Leases } from "../src/lifecycle/leases.js";
import { createServices } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { explainPlan, TEST_DATABASE_URL, withoutEventTrigger } from "./kit/database.js";
import { scratchPostgres } from "./kit/processes.js";
import { seedUser } from "./kit/seed.js";

const SETTLED_ROWS = 100_000;

describe.skipIf(!TEST_DATABASE_URL)(
  "claim plans on PostgreSQL (skipped without TEST_DATABASE_URL)",
  () => {
    let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
    let database: Database;
    let leases: Leases;

    beforeAll(async () => {
      // A database of its own: no engine of another suite claims these rows.
      scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "plan");
      database = await openDatabase({ databaseUrl: scratch.url, dataDir: "", migrate: true });
      const services = createServices({
        prisma: database.prisma,
        gpuKinds: [],
        bus: new LocalStatusBus(),
      });
      const { project } = await seedUser(services, "plan");
      // Settled rows (running, stopped) and a few that are work, in one statement each.
      await withoutEventTrigger(
        database.prisma,
        () => database.prisma.$executeRaw`
        INSERT INTO workspaces (id, project_id, status, desired_state, cpu_kind, cpus, memory_mb,
          volume_size_gb, keep_active, preview_token, last_activity_at)
        SELECT gen_random_uuid(), ${project.id}::uuid,
          (CASE WHEN n % 2 = 0 THEN 'running' ELSE 'stopped' END)::"WorkspaceStatus",
          (CASE WHEN n % 2 = 0 THEN 'running' ELSE 'stopped' END)::"DesiredState",
          'shared', 1, 1024, 1, n % 3 = 0, 'ptk_plan_' || n, now()
        FROM generate_series(1, ${SETTLED_ROWS}::int) AS n`,
      );
      await database.prisma.$executeRaw`
        INSERT INTO workspaces (id, project_id, status, cpu_kind, cpus, memory_mb,
          volume_size_gb, preview_token)
        SELECT gen_random_uuid(), ${project.id}::uuid, 'creating', 'shared', 1, 1024, 1,
          'ptk_plan_work_' || n
        FROM generate_series(1, 20) AS n`;
      await database.prisma.$executeRaw`ANALYZE workspaces`;
      leases = new Leases(database.prisma, "plan-test", 5000);
      // Generous: a scratch database, migrations and 100,000 rows on a busy 2-core machine.
    }, 300_000);

    afterAll(async () => {
      await database?.close();
      await scratch?.drop();
    });

    const plan = (statement: Prisma.Sql) => explainPlan(database.prisma, statement);

    it("finds work through the partial index, oldest first, without scanning or sorting", async () => {
      const text = await plan(leases.claimStatement(500));
      expect(text).toContain("workspaces_work_idx");
      expect(text).not.toMatch(/Seq Scan on workspaces\b/);
      expect(text).not.toMatch(/Sort\b/);
    });

    it("finds due automatic stops through the index on auto_stop_at", async () => {
      const text = await plan(leases.dueStopClaimStatement(500));
      expect(text).toContain("workspaces_auto_stop_at_idx");
      expect(text).not.toMatch(/Seq Scan on workspaces\b/);
    });

    it("claims exactly the rows that are work, whole, with their project", async () => {
      const claimed = await leases.claim(500);
      expect(claimed).toHaveLength(20);
      for (const row of claimed) {
        expect(row).toMatchObject({ status: "creating", leaseOwner: "plan-test" });
        expect(row.project.name).toBe("plan project");
        expect(row.createdAt).toBeInstanceOf(Date);
      }
      expect(await leases.claim(500)).toEqual([]);
    });
  },
);
