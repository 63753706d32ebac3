// The policy sweeps and the label filter read through their indexes, whatever else the table
// holds: at 100,000 running workspaces that are not due (and carry a common label), the due stops,
// the due deletes and a rare label are found without a sequential scan of workspaces.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import { Prisma } from "../src/generated/prisma/client.js";
import { Leases } from "../src/lifecycle/leases.js";
import { createServices, type Services } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { explainPlan, TEST_DATABASE_URL, withoutEventTrigger } from "./kit/database.js";
import { scratchPostgres } from "./kit/processes.js";
import { type SeededUser, seedUser } from "./kit/seed.js";

const ROWS = 100_000;

describe.skipIf(!TEST_DATABASE_URL)(
  "policy sweep and label filter plans on PostgreSQL (skipped without TEST_DATABASE_URL)",
  () => {
    let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
    let database: Database;
    let services: Services;
    let seeded: SeededUser;
    let leases: Leases;
    const statements: string[] = [];

    beforeAll(async () => {
      // A database of its own: no engine of another suite sweeps these rows.
      scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "sweep");
      database = await openDatabase({
        databaseUrl: scratch.url,
        dataDir: "",
        migrate: true,
        onQuery: (sql) => statements.push(sql),
      });
      services = createServices({
        prisma: database.prisma,
        gpuKinds: [],
        bus: new LocalStatusBus(),
      });
      seeded = await seedUser(services, "sweep");
      // Running, due in the next hours, labelled team=common; then 20 due now, 10 labelled rare.
      await withoutEventTrigger(
        database.prisma,
        () => database.prisma.$executeRaw`
        INSERT INTO workspaces (id, project_id, status, desired_state, cpu_kind, cpus, memory_mb,
          volume_size_gb, preview_token, labels, auto_stop_at, started_at)
        SELECT gen_random_uuid(), ${seeded.project.id}::uuid, 'running', 'running', 'shared', 1,
          1024, 1, 'ptk_sweep_' || n, '[{"key":"team","value":"common"}]',
          now() + interval '1 day' + (n % 600) * interval '1 minute', now()
        FROM generate_series(1, ${ROWS}::int) AS n`,
      );
      await database.prisma.$executeRaw`
        INSERT INTO workspaces (id, project_id, status, desired_state, cpu_kind, cpus, memory_mb,
          volume_size_gb, preview_token, labels, auto_stop_at, started_at)
        SELECT gen_random_uuid(), ${seeded.project.id}::uuid, 'running', 'running', 'shared', 1,
          1024, 1, 'ptk_sweep_due_' || n,
          CASE WHEN n <= 10 THEN '[{"key":"team","value":"rare"}]'::jsonb ELSE '[]'::jsonb END,
          now() - interval '1 minute', now()
        FROM generate_series(1, 20) AS n`;
      await database.prisma.$executeRaw`ANALYZE workspaces`;
      leases = new Leases(database.prisma, "sweep-plan-test", 5000);
    }, 400_000);

    afterAll(async () => {
      await database?.close();
      await scratch?.drop();
    });

    const plan = (statement: Prisma.Sql) => explainPlan(database.prisma, statement);

    it("finds due stops through workspaces_auto_stop_at_idx, never scanning the running rows", async () => {
      const text = await plan(leases.dueStopClaimStatement(500));
      expect(text).toContain("workspaces_auto_stop_at_idx");
      expect(text).not.toMatch(/Seq Scan on workspaces\b/);
    });

    it("claims exactly the 20 due rows", async () => {
      const claimed = await leases.claimDueStops(500);
      expect(claimed).toHaveLength(20);
      await leases.releaseAll();
    });

    it("finds due deletes through workspaces_auto_delete_at_idx", async () => {
      // The query of WorkspaceStatusService.deleteDue, as Prisma sends it.
      const text = await plan(
        Prisma.sql`SELECT id FROM workspaces WHERE auto_delete_at <= now()
          ORDER BY auto_delete_at ASC LIMIT 1000`,
      );
      expect(text).toContain("workspaces_auto_delete_at_idx");
      expect(text).not.toMatch(/Seq Scan on workspaces\b/);
    });

    it("filters by label with jsonb containment through the GIN index workspaces_labels_idx", async () => {
      statements.length = 0;
      const listed = await services.workspaces.listForUser(
        seeded.user.id,
        {},
        {
          labels: [{ key: "team", value: "rare" }],
        },
      );
      expect(listed.ok && listed.value.workspaces).toHaveLength(10);
      // The list's SQL compares with @> (what the index serves)...
      expect(statements.join("\n")).toMatch(/"labels" @>/);
      // ...and that comparison is answered through the index.
      const text = await plan(
        Prisma.sql`SELECT id FROM workspaces WHERE labels @> '[{"key":"team","value":"rare"}]'::jsonb
          AND desired_state <> 'deleted' ORDER BY created_at DESC, id DESC LIMIT 101`,
      );
      expect(text).toContain("workspaces_labels_idx");
      expect(text).not.toMatch(/Seq Scan on workspaces\b/);
    });
  },
);
