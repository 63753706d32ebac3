// The lifecycle engine in-process, with a recording provisioner: every step, its failures,
// deletion, leases (expiry, hand-back on stop) and two engines sharing one database.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import type { Workspace } from "../src/generated/prisma/client.js";
import { createLifecycle, type Lifecycle, type Provisioner } from "../src/lifecycle/index.js";
import { Leases } from "../src/lifecycle/leases.js";
import type { MachineSpec, ProvisionerStep } from "../src/lifecycle/provisioner.js";
import {
  createSimulatedProvisioner,
  simulatedMachineId,
  simulatedPrivateIp,
} from "../src/lifecycle/simulated-provisioner.js";
import { createServices, type Services } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { type PolicyRow, WorkspacePolicy } from "../src/services/workspace-policy.js";
import { type WatchedWorkspace, WorkspaceStatusService } from "../src/services/workspace-status.js";
import { embeddedDatabase, TEST_DATABASE_URL } from "./kit/database.js";
import { scratchPostgres } from "./kit/processes.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { waitFor } from "./kit/wait.js";

interface Recorder {
  provisioner: Provisioner;
  /** Each step with the volume id its spec carried (the workspace's kept volume_id). */
  calls: { step: ProvisionerStep; workspaceId: string; volumeId: string | null }[];
  count(workspaceId: string, step: ProvisionerStep): number;
  /** Workspaces whose steps hang until the engine aborts them (shutdown). */
  hold: Set<string>;
  /** Every step waits while the gate is closed: a test watches before anything moves. */
  closeGate(): void;
  openGate(): void;
}

function recordingProvisioner(delayMs = 10): Recorder {
  const inner = createSimulatedProvisioner({ delayMs });
  const calls: Recorder["calls"] = [];
  const hold = new Set<string>();
  let gate = Promise.resolve();
  let openGate = () => {};
  const record = async <T>(
    step: ProvisionerStep,
    { workspaceId, volumeId }: MachineSpec,
    signal: AbortSignal,
    run: () => Promise<T>,
  ): Promise<T> => {
    await gate;
    calls.push({ step, workspaceId, volumeId });
    if (hold.has(workspaceId)) {
      await new Promise((_, reject) =>
        signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
      );
    }
    return run();
  };
  return {
    calls,
    hold,
    closeGate() {
      gate = new Promise((resolve) => {
        openGate = resolve;
      });
    },
    openGate: () => openGate(),
    count: (workspaceId, step) =>
      calls.filter((call) => call.workspaceId === workspaceId && call.step === step).length,
    provisioner: {
      createMachine: (spec, signal) =>
        record("createMachine", spec, signal, () => inner.createMachine(spec, signal)),
      start: (id, spec, signal) =>
        record("start", spec, signal, () => inner.start(id, spec, signal)),
      stop: (id, spec, signal) => record("stop", spec, signal, () => inner.stop(id, spec, signal)),
      destroy: (id, spec, signal) =>
        record("destroy", spec, signal, () => inner.destroy(id, spec, signal)),
    },
  };
}

/** Watches a workspace through `status`, recording what arrives. */
function collect(status: WorkspaceStatusService, id: string) {
  const controller = new AbortController();
  const seen: WatchedWorkspace[] = [];
  const state = { ended: false };
  const done = (async () => {
    for await (const workspace of status.watch(id, controller.signal)) seen.push(workspace);
    state.ended = true;
  })();
  return {
    seen,
    state,
    done,
    statuses: () => seen.map((workspace) => workspace.status),
    stop: () => controller.abort(),
  };
}

interface Target {
  name: string;
  skip?: string;
  open(): Promise<Database>;
  close?(): Promise<void>;
}

let scratch: Awaited<ReturnType<typeof scratchPostgres>> | undefined;
let scratchDatabase: Database | undefined;
const targets: Target[] = [
  { name: "embedded", open: embeddedDatabase },
  {
    name: "postgres",
    ...(TEST_DATABASE_URL ? {} : { skip: "TEST_DATABASE_URL is not set" }),
    async open() {
      // A database of its own: engines of other suites' servers would claim these rows.
      scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "engine");
      scratchDatabase = await openDatabase({
        databaseUrl: scratch.url,
        dataDir: "",
        migrate: true,
      });
      return scratchDatabase;
    },
    async close() {
      await scratchDatabase?.close();
      await scratch?.drop();
    },
  },
];

describe.each(targets)("the lifecycle engine [$name]", (target) => {
  let database: Database;
  let owner: SeededUser;
  const lifecycles: Lifecycle[] = [];

  function startEngine(
    recorder: Recorder,
    options: Partial<Parameters<typeof createLifecycle>[0]> = {},
    { autoStart = true } = {},
  ): { lifecycle: Lifecycle; services: Services } {
    const services = createServices({
      prisma: database.prisma,
      gpuKinds: [],
      bus: new LocalStatusBus(),
    });
    const lifecycle = createLifecycle({
      prisma: database.prisma,
      status: services.status,
      provisionDelayMs: 0,
      provisioner: recorder.provisioner,
      pollIntervalMs: 100,
      ...options,
    });
    lifecycles.push(lifecycle);
    if (autoStart) lifecycle.start();
    return { lifecycle, services };
  }

  /** Creates a workspace and watches it from its first status: the steps wait meanwhile. */
  async function createWatched(recorder: Recorder, services: Services) {
    recorder.closeGate();
    const workspace = await createWorkspace(services);
    const watch = collect(services.status, workspace.id);
    await waitFor(() => watch.seen.length === 1, { what: "the snapshot" });
    recorder.openGate();
    return { workspace, watch };
  }

  async function createWorkspace(services: Services, projectId = owner.project.id) {
    const created = await services.workspaces.create(owner.user, { projectId });
    if (!created.ok) throw new Error(created.error.message);
    return created.value.workspace;
  }

  async function projectNamed(services: Services, name: string) {
    const project = await services.projects.create(owner.user.id, { name });
    if (!project.ok) throw new Error(project.error.message);
    return project.value;
  }

  const row = (id: string) => database.prisma.workspace.findUnique({ where: { id } });

  beforeAll(async () => {
    if (target.skip) return;
    database = await target.open();
    const services = createServices({
      prisma: database.prisma,
      gpuKinds: [],
      bus: new LocalStatusBus(),
    });
    owner = await seedUser(services, "engine");
    await database.prisma.project.update({
      where: { id: owner.project.id },
      data: { defaultBranch: "develop" },
    });
  });

  afterEach(async () => {
    await Promise.all(lifecycles.splice(0).map((lifecycle) => lifecycle.stop()));
  });

  afterAll(async () => {
    if (target.skip) return;
    await database.prisma.user.delete({ where: { id: owner.user.id } });
    await target.close?.();
  });

  it.skipIf(target.skip)(
    "takes a new workspace through creating and starting to running, once each",
    async () => {
      const recorder = recordingProvisioner();
      const { services } = startEngine(recorder);
      const { workspace, watch } = await createWatched(recorder, services);
      await waitFor(() => watch.seen.at(-1)?.status === "running", { what: "running" });

      expect(watch.statuses()).toEqual(["creating", "starting", "running"]);
      const versions = watch.seen.map((seen) => seen.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(watch.seen.at(-1)).toMatchObject({
        machineId: simulatedMachineId(workspace.id),
        privateIp: simulatedPrivateIp(workspace.id),
        gitRef: "develop",
        errorMessage: null,
        leaseOwner: null,
      });
      expect(recorder.count(workspace.id, "createMachine")).toBe(1);
      expect(recorder.count(workspace.id, "start")).toBe(1);
      watch.stop();
      await watch.done;
    },
  );

  it.skipIf(target.skip)(
    "stops and starts again on the same machine, and deletes: destroy, row gone, stream ended",
    async () => {
      const recorder = recordingProvisioner();
      const { services } = startEngine(recorder);
      const { workspace, watch } = await createWatched(recorder, services);
      await waitFor(() => watch.seen.at(-1)?.status === "running", { what: "running" });

      expect((await services.workspaces.stop(owner.user.id, workspace.id)).ok).toBe(true);
      await waitFor(() => watch.seen.at(-1)?.status === "stopped", { what: "stopped" });
      expect((await services.workspaces.start(owner.user.id, workspace.id)).ok).toBe(true);
      await waitFor(() => watch.seen.at(-1)?.status === "running", { what: "running again" });
      expect((await services.workspaces.delete(owner.user.id, workspace.id)).ok).toBe(true);
      await watch.done;

      expect(watch.state.ended).toBe(true);
      expect(watch.statuses()).toEqual([
        "creating",
        "starting",
        "running",
        "stopping",
        "stopped",
        "starting",
        "running",
        // Gone for its user at once: the last event says so, then the stream ends.
        "deleted",
      ]);
      expect(watch.seen.at(-1)?.desiredState).toBe("deleted");
      await waitFor(async () => (await row(workspace.id)) === null, { what: "the row removed" });
      expect(recorder.count(workspace.id, "createMachine")).toBe(1);
      expect(recorder.count(workspace.id, "start")).toBe(2);
      expect(recorder.count(workspace.id, "stop")).toBe(1);
      expect(recorder.count(workspace.id, "destroy")).toBe(1);
    },
  );

  it.skipIf(target.skip)(
    "hands the workspace's kept volume id to the provider's stop, start and destroy (the claim reads volume_id)",
    async () => {
      const recorder = recordingProvisioner();
      const { services } = startEngine(recorder);
      const { id } = await database.prisma.workspace.create({
        data: workspaceRow(owner.project.id, {
          status: "stopping",
          desiredState: "stopped",
          machineId: "machine-kept",
          volumeId: "vol_kept",
        }),
      });
      await waitFor(async () => (await row(id))?.status === "stopped", { what: "stopped" });
      expect((await services.workspaces.start(owner.user.id, id)).ok).toBe(true);
      await waitFor(async () => (await row(id))?.status === "running", { what: "running" });
      expect((await services.workspaces.delete(owner.user.id, id)).ok).toBe(true);
      await waitFor(async () => (await row(id)) === null, { what: "the row removed" });
      // The Fly driver reaches the volume by this id instead of listing the app's volumes.
      expect(recorder.calls.filter((call) => call.workspaceId === id)).toEqual([
        { step: "stop", workspaceId: id, volumeId: "vol_kept" },
        { step: "start", workspaceId: id, volumeId: "vol_kept" },
        { step: "destroy", workspaceId: id, volumeId: "vol_kept" },
      ]);
    },
  );

  it.skipIf(target.skip)("ends failed steps in error or stop_failed with the reason", async () => {
    const recorder = recordingProvisioner();
    const { services } = startEngine(recorder);
    const failCreate = await projectNamed(services, "broken [fail:create]");
    const failStart = await projectNamed(services, "broken [fail:start]");
    const failStop = await projectNamed(services, "broken [fail:stop]");
    const [a, b, c] = await Promise.all(
      [failCreate, failStart, failStop].map((project) => createWorkspace(services, project.id)),
    );
    if (!a || !b || !c) throw new Error("not created");

    const settled = (id: string, status: string) =>
      waitFor(async () => ((await row(id))?.status === status ? row(id) : undefined), {
        what: `${id} ${status}`,
      });
    expect(await settled(a.id, "error")).toMatchObject({
      machineId: null,
      errorMessage: expect.stringMatching(/^could not create the machine: .*\[fail:create\]/),
    });
    expect(await settled(b.id, "error")).toMatchObject({
      machineId: simulatedMachineId(b.id),
      errorMessage: expect.stringMatching(/^could not start the machine: /),
    });
    await settled(c.id, "running");
    expect((await services.workspaces.stop(owner.user.id, c.id)).ok).toBe(true);
    expect(await settled(c.id, "stop_failed")).toMatchObject({
      errorMessage: expect.stringMatching(/^could not stop the machine: /),
      leaseOwner: null,
    });

    // A start after a failed creation makes the machine it never got.
    expect((await services.workspaces.start(owner.user.id, a.id)).ok).toBe(true);
    await settled(a.id, "error");
    expect(recorder.count(a.id, "createMachine")).toBe(2);
  });

  it.skipIf(target.skip)("carries on a workspace whose lease holder died", async () => {
    const recorder = recordingProvisioner();
    const { services, lifecycle } = startEngine(recorder, {}, { autoStart: false });
    const workspace = await createWorkspace(services);
    // A process that claimed the row and died: its lease runs out and nobody renews it.
    const dead = new Leases(database.prisma, "dead-process", 400);
    await waitFor(
      async () => (await dead.claim(100)).some((row) => row.id === workspace.id) || undefined,
      {
        what: "the dead process's claim",
      },
    );
    lifecycle.start();

    await waitFor(async () => (await row(workspace.id))?.status === "running", {
      what: "running after the lease expired",
    });
    expect(recorder.count(workspace.id, "createMachine")).toBe(1);
  });

  it.skipIf(target.skip)("hands back steps in flight on stop, for another engine", async () => {
    const first = recordingProvisioner();
    const { lifecycle, services } = startEngine(first, { shutdownGraceMs: 50 });
    const workspace = await createWorkspace(services);
    first.hold.add(workspace.id);
    await waitFor(() => first.count(workspace.id, "createMachine") === 1, {
      what: "the first engine's step",
    });
    await lifecycle.stop();
    expect(await row(workspace.id)).toMatchObject({
      status: "creating",
      leaseOwner: null,
      leaseExpiresAt: null,
    });

    const second = recordingProvisioner();
    startEngine(second);
    await waitFor(async () => (await row(workspace.id))?.status === "running", {
      what: "running on the second engine",
    });
    expect(second.count(workspace.id, "createMachine")).toBe(1);
  });

  it.skipIf(target.skip)("with two engines on one database, runs each step once", async () => {
    const recorder = recordingProvisioner(30);
    const a = startEngine(recorder);
    const b = startEngine(recorder);
    const workspaces = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createWorkspace(i % 2 ? a.services : b.services)),
    );
    await waitFor(
      async () =>
        (await database.prisma.workspace.count({
          where: { id: { in: workspaces.map((w) => w.id) }, status: "running" },
        })) === workspaces.length,
      { what: "all running" },
    );
    for (const workspace of workspaces) {
      expect(recorder.count(workspace.id, "createMachine")).toBe(1);
      expect(recorder.count(workspace.id, "start")).toBe(1);
    }
  });
});

describe("status events", () => {
  let database: Database;
  let owner: SeededUser;

  beforeAll(async () => {
    database = await embeddedDatabase();
    const services = createServices({
      prisma: database.prisma,
      gpuKinds: [],
      bus: new LocalStatusBus(),
    });
    owner = await seedUser(services, "events");
  });

  afterAll(async () => {
    await database.prisma.user.delete({ where: { id: owner.user.id } });
  });

  it("sends the snapshot, then only newer versions, resyncs from the database, ends on deletion", async () => {
    const bus = new LocalStatusBus();
    const events = new WorkspaceStatusService(database.prisma, bus);
    const workspace = await database.prisma.workspace.create({
      data: workspaceRow(owner.project.id, {
        status: "stopped",
        desiredState: "stopped",
        keepActive: false,
        version: 5,
      }),
    });
    const watch = collect(events, workspace.id);
    await waitFor(() => watch.seen.length === 1, { what: "the snapshot" });

    const at = (version: number, status: Workspace["status"]) => ({
      ...workspace,
      version,
      status,
    });
    bus.publish({ kind: "changed", workspace: at(4, "error") }); // older: dropped
    bus.publish({ kind: "changed", workspace: at(5, "error") }); // same: dropped
    bus.publish({ kind: "changed", workspace: at(7, "starting") });
    bus.publish({ kind: "changed", workspace: at(6, "error") }); // overtaken: dropped
    // A change whose message was lost: only a resync finds it.
    await database.prisma.workspace.update({
      where: { id: workspace.id },
      data: { version: 9, status: "running" },
    });
    bus.deliver(workspace.id, { kind: "resync" });
    await waitFor(() => watch.seen.length === 3, { what: "the resynced row" });
    bus.publish({ kind: "deleted", workspace: at(9, "running") });
    await watch.done;

    expect(watch.seen.map((seen) => [seen.version, seen.status])).toEqual([
      [5, "stopped"],
      [7, "starting"],
      [9, "running"],
      [9, "deleted"],
    ]);
    expect(watch.state.ended).toBe(true);
    expect(bus.ids()).toEqual([]);
  });

  it("ends with a deleted event as soon as the workspace is marked for deletion", async () => {
    const bus = new LocalStatusBus();
    const events = new WorkspaceStatusService(database.prisma, bus);
    const workspace = await database.prisma.workspace.create({
      data: workspaceRow(owner.project.id, { status: "stopped", keepActive: false }),
    });
    const watch = collect(events, workspace.id);
    await waitFor(() => watch.seen.length === 1, { what: "the snapshot" });
    const marked = { ...workspace, desiredState: "deleted" as const, version: 2 };
    events.changed(marked);
    await watch.done;
    expect(watch.seen.map((seen) => [seen.version, seen.status])).toEqual([
      [1, "stopped"],
      [2, "deleted"],
    ]);
  });

  it("ends at once for a workspace that does not exist, and on abort", async () => {
    const bus = new LocalStatusBus();
    const events = new WorkspaceStatusService(database.prisma, bus);
    const missing = collect(events, "00000000-0000-4000-8000-000000000000");
    await missing.done;
    expect(missing.seen).toEqual([]);

    const workspace = await database.prisma.workspace.create({
      data: workspaceRow(owner.project.id, { status: "stopped", keepActive: false }),
    });
    const watch = collect(events, workspace.id);
    await waitFor(() => watch.seen.length === 1, { what: "the snapshot" });
    watch.stop();
    await watch.done;
    expect(watch.state.ended).toBe(true);
    expect(bus.ids()).toEqual([]);
  });
});

describe("automatic stop rules (WorkspacePolicy.stopDue, what the sweep asks)", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  const minutes = (n: number) => n * 60_000;
  const policy = new WorkspacePolicy({ idleTimeoutMinutes: 10, minuteMs: minutes(1) });
  const running: PolicyRow = {
    status: "running",
    desiredState: "running",
    autoStopMinutes: null,
    maxRunMinutes: 0,
    autoDeleteMinutes: null,
    lastActivityAt: new Date(now.getTime() - minutes(10)),
    startedAt: new Date(now.getTime() - minutes(10)),
    stoppedAt: null,
  };

  it("stops a running workspace idle for the timeout or longer, not one minute less", () => {
    expect(policy.stopDue(running, now)).toBe("idle");
    expect(policy.stopDue({ ...running, autoStopMinutes: 11 }, now)).toBeNull();
    const lately = new Date(now.getTime() - minutes(9));
    expect(policy.stopDue({ ...running, lastActivityAt: lately }, now)).toBeNull();
  });

  it("never stops one kept active (auto_stop_minutes 0), one not meant to run, or one not running", () => {
    expect(policy.stopDue({ ...running, autoStopMinutes: 0 }, now)).toBeNull();
    expect(policy.stopDue({ ...running, desiredState: "stopped" }, now)).toBeNull();
    expect(policy.stopDue({ ...running, desiredState: "deleted" }, now)).toBeNull();
    expect(policy.stopDue({ ...running, status: "starting" }, now)).toBeNull();
  });

  it("is off with IDLE_TIMEOUT_MINUTES=0 for workspaces without their own", () => {
    const off = new WorkspacePolicy({ idleTimeoutMinutes: 0, minuteMs: minutes(1) });
    expect(off.stopDue({ ...running, lastActivityAt: new Date(0) }, now)).toBeNull();
    expect(off.stopDue({ ...running, autoStopMinutes: 10 }, now)).toBe("idle");
  });
});
