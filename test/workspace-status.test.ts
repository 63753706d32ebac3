import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/db/client.js";
import type { Workspace } from "../src/generated/prisma/client.js";
import type { WorkspaceStatus } from "../src/generated/prisma/enums.js";
import { createServices, type Services } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import {
  type Move,
  nextStatus,
  statusesAllowing,
  TRANSITIONAL,
  TRANSITIONS,
  USER_ACTIONS,
} from "../src/services/workspace-status.js";
import { databaseTargets } from "./kit/database.js";
import { seedUser, workspaceRow } from "./kit/seed.js";

const STATUSES: WorkspaceStatus[] = [
  "creating",
  "starting",
  "running",
  "stopping",
  "stopped",
  "error",
  "stop_failed",
];
const MOVES: Move[] = ["done", "failed", "start", "stop"];

// CONTRACT §5, written out again here so that a change to TRANSITIONS has to be deliberate.
const ALLOWED = new Set([
  "creating -done→ starting",
  "creating -failed→ error",
  "starting -done→ running",
  "starting -failed→ error",
  "running -stop→ stopping",
  "stopping -done→ stopped",
  "stopping -failed→ stop_failed",
  "stopped -start→ starting",
  "error -start→ starting",
  "stop_failed -stop→ stopping",
]);

const ALL_MOVES = STATUSES.flatMap((from) => MOVES.map((move) => [from, move] as const));

describe("the lifecycle's one table of transitions", () => {
  it.each(ALL_MOVES)("%s by %s is allowed exactly when the contract says so", (from, move) => {
    const to = nextStatus(from, move);
    const allowed = [...ALLOWED].find((line) => line.startsWith(`${from} -${move}→ `));
    expect(to === undefined ? undefined : `${from} -${move}→ ${to}`).toBe(allowed);
  });

  it("lists every status", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...STATUSES].sort());
  });

  it("derives the in-progress statuses: those a step finishes, each with a failure too", () => {
    expect([...TRANSITIONAL].sort()).toEqual(["creating", "starting", "stopping"]);
    for (const status of TRANSITIONAL) expect(nextStatus(status, "failed")).toBeDefined();
    expect(nextStatus("stopping", "failed")).toBe("stop_failed");
    expect(nextStatus("creating", "failed")).toBe("error");
  });

  it("derives what users may do from the same table", () => {
    expect(USER_ACTIONS).toEqual(["start", "stop"]);
    expect(statusesAllowing("start").sort()).toEqual(["error", "stopped"]);
    expect(statusesAllowing("stop").sort()).toEqual(["running", "stop_failed"]);
  });
});

describe.each(databaseTargets)("compare-and-set on (status, version) [$name]", (target) => {
  let database: Database;
  let workspaceOf: () => Promise<Workspace>;
  const published: Workspace[] = [];
  let services: Services;
  let userId: string;
  const ownIds: string[] = [];

  beforeAll(async () => {
    if (target.skip) return;
    database = await target.open();
    services = createServices({ prisma: database.prisma, gpuKinds: [], bus: new LocalStatusBus() });
    services.status.onChange((workspace) => published.push(workspace));
    const { project, user } = await seedUser(services, "cas");
    userId = user.id;
    // Rows start `running` with keep_active: not work, so no engine sharing the database
    // touches them while these tests write.
    workspaceOf = async () => {
      const row = await database.prisma.workspace.create({
        data: workspaceRow(project.id),
      });
      ownIds.push(row.id);
      return row;
    };
  });

  afterAll(async () => {
    if (target.skip) return;
    await database.prisma.workspace.deleteMany({ where: { id: { in: ownIds } } });
  });

  it.skipIf(target.skip)(
    "a write from the current version wins and bumps the version",
    async () => {
      const workspace = await workspaceOf();
      const changed = await services.status.transition(workspace, "stop", {
        errorMessage: "machine lost",
      });
      expect(changed).toMatchObject({ status: "stopping", version: workspace.version + 1 });
      expect(changed?.updatedAt.getTime()).toBeGreaterThanOrEqual(workspace.updatedAt.getTime());
      expect(published.at(-1)).toEqual(changed);
    },
  );

  it.skipIf(target.skip)(
    "a stale writer loses to a newer version and changes nothing",
    async () => {
      const stale = await workspaceOf();
      const newer = await services.status.transition(stale, "stop", { errorMessage: "first" });
      expect(newer?.version).toBe(stale.version + 1);
      const before = published.length;

      const lost = await services.status.transition(stale, "stop");
      expect(lost).toBeNull();
      expect(published).toHaveLength(before);
      const row = await database.prisma.workspace.findUniqueOrThrow({ where: { id: stale.id } });
      expect(row).toMatchObject({
        status: "stopping",
        errorMessage: "first",
        version: newer?.version,
      });
    },
  );

  it.skipIf(target.skip)("of two writers racing from one snapshot, exactly one wins", async () => {
    const snapshot = await workspaceOf();
    const results = await Promise.all(
      ["a", "b", "c"].map((writer) =>
        services.status.transition(snapshot, "stop", { errorMessage: writer }),
      ),
    );
    const winners = results.filter((result) => result !== null);
    expect(winners).toHaveLength(1);
    const row = await database.prisma.workspace.findUniqueOrThrow({ where: { id: snapshot.id } });
    expect(row.version).toBe(snapshot.version + 1);
    expect(row.errorMessage).toBe(winners[0]?.errorMessage);
  });

  it.skipIf(target.skip)("a forbidden transition throws and writes nothing", async () => {
    const workspace = await workspaceOf();
    await expect(services.status.transition(workspace, "start")).rejects.toThrow(
      /forbidden move start from running/,
    );
    const row = await database.prisma.workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    expect(row).toMatchObject({ status: "running", version: workspace.version });
  });

  it.skipIf(target.skip)(
    "a stale writer loses to a change that kept the status (a delete mark): nothing is resurrected",
    async () => {
      const stale = await workspaceOf();
      const deleted = await services.workspaces.delete(userId, stale.id);
      expect(deleted.ok && deleted.value).toMatchObject({
        status: stale.status,
        desiredState: "deleted",
        version: stale.version + 1,
      });

      const lost = await services.status.transition(stale, "stop", { desiredState: "stopped" });
      expect(lost).toBeNull();
      const row = await database.prisma.workspace.findUniqueOrThrow({ where: { id: stale.id } });
      expect(row).toMatchObject({ status: "running", desiredState: "deleted" });
    },
  );
});
