/**
 * Group commit (issue 20): creates that arrive while a create statement is in flight share the
 * next statement, and each still gets its own answer. A refused row (not a member, a role too
 * low, over the quota) is refused alone; the quota counts the user's earlier rows in the same
 * statement; a kill -9 while shared statements are in flight loses no acknowledged create.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import { createGroup, insertWorkspaces, type WorkspaceInsert } from "../src/db/create-workspace.js";
import { statementsFor } from "../src/db/statements.js";
import { createServices, type Services } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { newPreviewToken } from "../src/services/workspaces.js";
import { databaseTargets, postgresDatabase, TEST_DATABASE_URL } from "./kit/database.js";
import { killProcessesAfterAll, scratchPostgres, startServerProcess } from "./kit/processes.js";
import { type RestResponse, restClient } from "./kit/rest.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

function insert(userId: string, projectId: string, quota: number): WorkspaceInsert {
  return {
    id: randomUUID(),
    projectId,
    userId,
    hardware: { cpuKind: "shared", cpus: 1, memoryMb: 1024, volumeSizeGb: 10, gpuKind: null },
    keepActive: true,
    autoStopMinutes: 0,
    maxRunMinutes: 0,
    autoDeleteMinutes: null,
    labels: [{ key: "batch", value: "shared" }],
    previewToken: newPreviewToken(),
    quota,
    tokenId: null,
  };
}

/** The 'created' events of these workspaces, per workspace. */
async function createdEvents(database: Database, ids: string[]): Promise<Map<string, number>> {
  const events = await database.prisma.workspaceEvent.findMany({
    where: { workspaceId: { in: ids }, type: "created" },
    select: { workspaceId: true },
  });
  const counts = new Map<string, number>();
  for (const { workspaceId } of events) counts.set(workspaceId, (counts.get(workspaceId) ?? 0) + 1);
  return counts;
}

describe.each(databaseTargets)("one shared create statement on the $name database", (target) => {
  let database: Database;
  let services: Services;

  beforeAll(async () => {
    if (target.skip) return;
    database = await target.open();
    services = createServices({ prisma: database.prisma, gpuKinds: [], bus: new LocalStatusBus() });
  });

  it.skipIf(target.skip)(
    "answers each row alone: quota n admitted and n+1 refused in request order, a non-member and a viewer refused, the others created",
    async () => {
      const owner = await seedUser(services, "batch-owner");
      const stranger = await seedUser(services, "batch-stranger");
      const viewer = await seedUser(services, "batch-viewer");
      const free = await seedUser(services, "batch-free");
      await database.prisma.projectMember.create({
        data: {
          projectId: owner.project.id,
          email: viewer.user.email,
          userId: viewer.user.id,
          role: "viewer",
        },
      });
      const QUOTA = 3;
      // One place taken before: the batch's first two of the owner's rows fill the quota (n),
      // the third is one over (n + 1).
      const [before] = await insertWorkspaces(statementsFor(database.prisma), [
        insert(owner.user.id, owner.project.id, QUOTA),
      ]);
      expect(before).not.toBeNull();

      const rows = [
        insert(owner.user.id, owner.project.id, QUOTA),
        insert(stranger.user.id, owner.project.id, QUOTA), // not a member
        insert(owner.user.id, owner.project.id, QUOTA),
        insert(viewer.user.id, owner.project.id, QUOTA), // a member without the role
        insert(stranger.user.id, stranger.project.id, QUOTA),
        insert(owner.user.id, owner.project.id, QUOTA), // over the quota
        insert(free.user.id, free.project.id, 0), // no quota
      ];
      const answers = await insertWorkspaces(statementsFor(database.prisma), rows);
      expect(answers.map((row) => row?.id ?? null)).toEqual([
        rows[0]?.id,
        null,
        rows[2]?.id,
        null,
        rows[4]?.id,
        null,
        rows[6]?.id,
      ]);
      // Each answer is its own row, as Prisma reads it back.
      for (const answer of answers.filter((row) => row !== null)) {
        expect(answer).toEqual(
          await database.prisma.workspace.findUniqueOrThrow({ where: { id: answer.id } }),
        );
      }
      expect(answers[4]).toMatchObject({
        projectId: stranger.project.id,
        createdById: stranger.user.id,
      });
      expect(answers[0]?.labels).toEqual([{ key: "batch", value: "shared" }]);
      expect(await database.prisma.workspace.count({ where: { createdById: owner.user.id } })).toBe(
        QUOTA,
      );
      expect(
        await database.prisma.workspace.count({ where: { id: { in: rows.map((r) => r.id) } } }),
      ).toBe(4);
      // The trigger wrote one created event per inserted row, none for the refused ones.
      const events = await createdEvents(
        database,
        rows.map((row) => row.id),
      );
      expect(rows.map((row) => events.get(row.id) ?? 0)).toEqual([1, 0, 1, 0, 1, 0, 1]);
    },
  );

  it.skipIf(target.skip)(
    "records the activity that arrives while one activity statement commits in the next one; a row that moved on loses alone",
    async () => {
      const owner = await seedUser(services, "batch-activity");
      const rows = [];
      for (let i = 0; i < 4; i++) {
        rows.push(
          await database.prisma.workspace.create({
            data: workspaceRow(owner.project.id, {
              status: "running",
              keepActive: false,
              lastActivityAt: new Date(Date.now() - 60_000),
            }),
          }),
        );
      }
      const [first, stale, ...others] = rows;
      if (!first || !stale) throw new Error("seeded rows missing");
      // The stale one changed since it was read (another writer bumped its version).
      await database.prisma.workspace.update({
        where: { id: stale.id },
        data: { version: { increment: 1 } },
      });
      const status = services.status;
      const before = { ...(status.sharedActivity?.stats ?? { statements: 0, rows: 0 }) };
      const at = new Date();
      // The first starts a statement at once; the other three wait for it and go together.
      const answers = await Promise.all(rows.map((row) => status.recordActivity(row, at)));
      const stats = status.sharedActivity?.stats ?? { statements: 0, rows: 0 };
      expect(stats.statements - before.statements).toBe(2);
      expect(stats.rows - before.rows).toBe(4);
      expect(answers.map((answer) => answer?.id ?? null)).toEqual([
        first.id,
        null,
        ...others.map((row) => row.id),
      ]);
      for (const answer of answers.filter((row) => row !== null)) {
        // Written: the activity and the auto-stop it moves; the version is not bumped.
        expect(answer.lastActivityAt.getTime()).toBe(at.getTime());
        expect(answer.autoStopAt?.getTime()).toBeGreaterThan(at.getTime());
        expect(answer).toEqual(
          await database.prisma.workspace.findUniqueOrThrow({ where: { id: answer.id } }),
        );
      }
      const untouched = await database.prisma.workspace.findUniqueOrThrow({
        where: { id: stale.id },
      });
      expect(untouched.lastActivityAt.getTime()).toBe(stale.lastActivityAt.getTime());
    },
  );
});

describe.skipIf(!TEST_DATABASE_URL)("creates sharing a statement over HTTP (PostgreSQL)", () => {
  const QUOTA = 3;
  let server: TestServer;
  let locker: pg.Client;

  beforeAll(async () => {
    server = await startServer(await postgresDatabase(), {
      WORKSPACE_QUOTA: String(QUOTA),
      MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
    });
    locker = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await locker.connect();
  });

  afterAll(async () => {
    await locker?.end();
    await server?.app.stop();
  });

  const create = (user: SeededUser, projectId = user.project.id) =>
    restClient(server.url).post(`/projects/${projectId}/workspaces`, {
      token: user.token,
      json: { keep_active: true },
    });

  it("holds the next creates while one is in flight, sends them in one statement, and answers each its own", async () => {
    const services = server.services;
    const holder = await seedUser(services, "gc-holder");
    const owner = await seedUser(services, "gc-owner");
    const stranger = await seedUser(services, "gc-stranger");
    const viewer = await seedUser(services, "gc-viewer");
    await server.database.prisma.projectMember.create({
      data: {
        projectId: owner.project.id,
        email: viewer.user.email,
        userId: viewer.user.id,
        role: "viewer",
      },
    });
    expect((await create(owner)).status).toBe(201);
    const missing = await create(stranger, randomUUID());
    expect(missing.status).toBe(404);

    const group = createGroup(statementsFor(server.database.prisma));
    // The holder's create waits on its quota lock, held here: a statement stays in flight.
    await locker.query("SELECT pg_advisory_lock(hashtextextended('workspace_quota:' || $1, 0))", [
      holder.user.id,
    ]);
    const before = { ...group.stats };
    const held = create(holder);
    await waitFor(() => group.stats.statements === before.statements + 1, {
      what: "the holder's statement in flight",
    });
    const queued: Promise<RestResponse>[] = [
      create(owner),
      create(stranger, owner.project.id),
      create(owner),
      create(viewer, owner.project.id),
      create(stranger),
      create(owner),
    ];
    await waitFor(() => group.waiting === queued.length, { what: "six creates queued" });
    await locker.query("SELECT pg_advisory_unlock(hashtextextended('workspace_quota:' || $1, 0))", [
      holder.user.id,
    ]);
    const [holderAnswer, ...answers] = await Promise.all([held, ...queued]);

    expect(holderAnswer?.status, holderAnswer?.text).toBe(201);
    // Two statements in all: the holder's, then the six together.
    expect(group.stats.statements - before.statements).toBe(2);
    expect(group.stats.rows - before.rows).toBe(1 + queued.length);
    expect(group.stats.largest).toBeGreaterThanOrEqual(queued.length);

    const [a1, foreign, a2, asViewer, own, a3] = answers as RestResponse[];
    // The owner had one: two more fill the quota of 3, the third is refused (in request order).
    const ownerStatuses = [a1, a2, a3].map((r) => r?.status).sort();
    expect(ownerStatuses).toEqual([201, 201, 429]);
    expect(foreign?.status).toBe(404);
    expect(foreign?.text).toBe(missing.text);
    expect(asViewer?.status, asViewer?.text).toBe(403);
    expect(own?.status, own?.text).toBe(201);
    expect(own?.json).toMatchObject({ project_id: stranger.project.id, status: "creating" });

    const created = [holderAnswer, ...answers].filter((r) => r?.status === 201);
    const ids = created.map((r) => r?.json.id as string);
    expect(new Set(ids).size).toBe(4);
    const rows = await server.database.prisma.workspace.findMany({ where: { id: { in: ids } } });
    expect(rows).toHaveLength(4);
    for (const response of created) {
      const row = rows.find((r) => r.id === response?.json.id);
      expect(row?.projectId).toBe(response?.json.project_id);
    }
    expect(
      await server.database.prisma.workspace.count({ where: { createdById: owner.user.id } }),
    ).toBe(QUOTA);
    const events = await createdEvents(server.database, ids);
    expect(ids.map((id) => events.get(id))).toEqual([1, 1, 1, 1]);
  });

  it("starts a lone create at once: no statement waits for company", async () => {
    const group = createGroup(statementsFor(server.database.prisma));
    const user = await seedUser(server.services, "gc-lone");
    const before = { ...group.stats };
    expect((await create(user)).status).toBe(201);
    expect(group.stats.statements - before.statements).toBe(1);
    expect(group.stats.rows - before.rows).toBe(1);
  });
});

describe.skipIf(!TEST_DATABASE_URL)(
  "kill -9 while shared create statements are in flight (PostgreSQL)",
  () => {
    killProcessesAfterAll();
    let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
    let database: Database;
    let locker: pg.Client;

    beforeAll(async () => {
      scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "groupkill");
      database = await openDatabase({ databaseUrl: scratch.url, dataDir: "", migrate: true });
      locker = new pg.Client({ connectionString: scratch.url });
      await locker.connect();
    }, 120_000);

    afterAll(async () => {
      await locker?.end().catch(() => {});
      await database?.close();
      await scratch?.drop();
    });

    it("every create answered 201 before the kill exists afterwards", async () => {
      const services = createServices({
        prisma: database.prisma,
        gpuKinds: [],
        bus: new LocalStatusBus(),
      });
      const user = await seedUser(services, "gc-kill");
      const server = await startServerProcess({
        DATABASE_URL: scratch.url,
        // On, so that each shared statement takes the user's lock, which the test can hold.
        WORKSPACE_QUOTA: "100000",
        MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
      });
      const api = restClient(server.url);
      const acknowledged: string[] = [];
      let failed = 0;
      let stop = false;
      const worker = async () => {
        while (!stop) {
          try {
            const response = await api.post(`/projects/${user.project.id}/workspaces`, {
              token: user.token,
              json: {},
            });
            if (response.status === 201) acknowledged.push(response.json.id as string);
            else failed++;
          } catch {
            failed++;
            return;
          }
        }
      };
      const workers = Array.from({ length: 16 }, () => worker());
      await waitFor(() => acknowledged.length >= 100, { what: "100 creates answered" });

      // Hold the user's lock: the next shared statement stays in flight with its rows.
      await locker.query("SELECT pg_advisory_lock(hashtextextended('workspace_quota:' || $1, 0))", [
        user.user.id,
      ]);
      const waitingStatements = async () => {
        const { rows } = await locker.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND query LIKE '%jsonb_to_recordset%'`,
        );
        return rows[0]?.n ?? 0;
      };
      await waitFor(async () => (await waitingStatements()) === 1, {
        what: "a shared create statement waiting on the lock",
      });
      expect(await server.kill("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
      stop = true;
      await Promise.all(workers);
      await locker.query("SELECT pg_advisory_unlock_all()");
      // The orphaned statement finishes (or not) on its own; wait until it has.
      await waitFor(async () => (await waitingStatements()) === 0, { what: "the statement ended" });

      expect(failed).toBeGreaterThan(0);
      const found = await database.prisma.workspace.count({ where: { id: { in: acknowledged } } });
      expect(found).toBe(acknowledged.length);
      const all = await database.prisma.workspace.count({ where: { createdById: user.user.id } });
      expect(all).toBeGreaterThanOrEqual(acknowledged.length);
    }, 120_000);
  },
);
