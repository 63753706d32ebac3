import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/db/client.js";
import type { Workspace } from "../src/generated/prisma/client.js";
import type { WorkspaceStatus } from "../src/generated/prisma/enums.js";
import {
  canTransition,
  STEP_OUTCOMES,
  TRANSITIONAL,
  TRANSITIONS,
  USER_ACTIONS,
} from "../src/lifecycle/state-machine.js";
import { createServices } from "../src/services/index.js";
import { transitionWorkspace } from "../src/services/workspaces.js";
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

// CONTRACT §5, written out again here so that a change to TRANSITIONS has to be deliberate.
const ALLOWED = new Set([
  "creating→starting",
  "starting→running",
  "running→stopping",
  "stopping→stopped",
  "stopped→starting",
  "creating→error",
  "starting→error",
  "running→error",
  "stopping→stop_failed",
  "error→starting",
  "stop_failed→stopping",
]);

const ALL_PAIRS = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

describe("the lifecycle state machine", () => {
  it.each(ALL_PAIRS)("%s → %s is allowed exactly when the contract says so", (from, to) => {
    expect(canTransition(from, to)).toBe(ALLOWED.has(`${from}→${to}`));
  });

  it("lists every status and no transition twice", () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...STATUSES].sort());
    for (const targets of Object.values(TRANSITIONS)) {
      expect(new Set(targets).size).toBe(targets.length);
    }
  });

  it("gives every in-progress status an allowed success and failure", () => {
    expect(Object.keys(STEP_OUTCOMES).sort()).toEqual([...TRANSITIONAL].sort());
    for (const [from, { done, failed }] of Object.entries(STEP_OUTCOMES)) {
      expect(canTransition(from as WorkspaceStatus, done)).toBe(true);
      expect(canTransition(from as WorkspaceStatus, failed)).toBe(true);
    }
    expect(STEP_OUTCOMES.stopping.failed).toBe("stop_failed");
    expect(STEP_OUTCOMES.creating.failed).toBe("error");
  });

  it("lets user actions take only allowed transitions", () => {
    for (const { from, to } of Object.values(USER_ACTIONS)) {
      for (const status of from) expect(canTransition(status, to)).toBe(true);
    }
  });
});

describe.each(databaseTargets)("compare-and-set on (status, version) [$name]", (target) => {
  let database: Database;
  let workspaceOf: () => Promise<Workspace>;
  const published: Workspace[] = [];
  const deps = () => ({
    prisma: database.prisma,
    observer: { workspaceChanged: (w: Workspace) => published.push(w), workspaceDeleted() {} },
  });
  const ownIds: string[] = [];

  beforeAll(async () => {
    if (target.skip) return;
    database = await target.open();
    const services = createServices({ ...deps(), gpuKinds: [] });
    const { project } = await seedUser(services, "cas");
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
      const changed = await transitionWorkspace(deps(), workspace, "error", {
        errorMessage: "machine lost",
      });
      expect(changed).toMatchObject({ status: "error", version: workspace.version + 1 });
      expect(changed?.updatedAt.getTime()).toBeGreaterThanOrEqual(workspace.updatedAt.getTime());
      expect(published.at(-1)).toEqual(changed);
    },
  );

  it.skipIf(target.skip)(
    "a stale writer loses to a newer version and changes nothing",
    async () => {
      const stale = await workspaceOf();
      const newer = await transitionWorkspace(deps(), stale, "error", { errorMessage: "first" });
      expect(newer?.version).toBe(stale.version + 1);
      const before = published.length;

      const lost = await transitionWorkspace(deps(), stale, "stopping");
      expect(lost).toBeNull();
      expect(published).toHaveLength(before);
      const row = await database.prisma.workspace.findUniqueOrThrow({ where: { id: stale.id } });
      expect(row).toMatchObject({
        status: "error",
        errorMessage: "first",
        version: newer?.version,
      });
    },
  );

  it.skipIf(target.skip)("of two writers racing from one snapshot, exactly one wins", async () => {
    const snapshot = await workspaceOf();
    const results = await Promise.all(
      ["a", "b", "c"].map((writer) =>
        transitionWorkspace(deps(), snapshot, "error", { errorMessage: writer }),
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
    await expect(transitionWorkspace(deps(), workspace, "creating")).rejects.toThrow(
      /forbidden transition running → creating/,
    );
    const row = await database.prisma.workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    expect(row).toMatchObject({ status: "running", version: workspace.version });
  });
});
