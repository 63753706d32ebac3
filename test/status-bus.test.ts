// The status bus across replicas: two RedisStatusBus instances stand in for two processes.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Workspace } from "../src/generated/prisma/client.js";
import { silentLogger } from "../src/logger.js";
import { type BusEvent, LocalStatusBus, RedisStatusBus } from "../src/services/status-bus.js";
import { killRedisClient, TEST_REDIS_URL } from "./kit/database.js";
import { waitFor } from "./kit/wait.js";

function workspace(id: string, version: number): Workspace {
  const now = new Date();
  return {
    id,
    projectId: randomUUID(),
    status: "starting",
    desiredState: "running",
    cpuKind: "shared",
    cpus: 1,
    memoryMb: 512,
    volumeSizeGb: 1,
    gpuKind: null,
    keepActive: false,
    machineId: "0123456789abcd",
    volumeId: null,
    privateIp: null,
    gitRef: null,
    previewToken: "ptk_test",
    errorMessage: null,
    version,
    leaseOwner: null,
    leaseExpiresAt: null,
    lastActivityAt: now,
    createdAt: now,
    updatedAt: now,
    autoStopMinutes: null,
    maxRunMinutes: 0,
    autoDeleteMinutes: null,
    labels: [],
    startedAt: null,
    stoppedAt: null,
    stopReason: null,
    autoStopAt: null,
    autoDeleteAt: null,
    createdById: null,
    changeReason: null,
    changeUserId: null,
    changeTokenId: null,
  };
}

describe("the in-process status bus", () => {
  it("delivers a message only to the watchers of its workspace", async () => {
    const bus = new LocalStatusBus();
    const [x, y] = [randomUUID(), randomUUID()];
    const got: [string, BusEvent][] = [];
    const offX = await bus.subscribe(x, (event) => got.push([x, event]));
    const offY = await bus.subscribe(y, (event) => got.push([y, event]));
    bus.publish({ kind: "changed", workspace: workspace(x, 2) });
    expect(got.map(([id]) => id)).toEqual([x]);
    offX();
    offY();
    expect(bus.ids()).toEqual([]);
  });
});

describe.skipIf(!TEST_REDIS_URL)("the Redis status bus (skipped without TEST_REDIS_URL)", () => {
  const buses: RedisStatusBus[] = [];
  const open = async () => {
    const bus = new RedisStatusBus({ url: TEST_REDIS_URL ?? "", logger: silentLogger });
    buses.push(bus);
    await bus.connect();
    return bus;
  };
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  it("carries a change to watchers on another replica, and to local watchers once", async () => {
    const [a, b] = [await open(), await open()];
    const id = randomUUID();
    const onA: BusEvent[] = [];
    const onB: BusEvent[] = [];
    await a.subscribe(id, (event) => onA.push(event));
    await b.subscribe(id, (event) => onB.push(event));

    const sent = workspace(id, 3);
    a.publish({ kind: "changed", workspace: sent });
    a.publish({ kind: "deleted", workspace: sent });
    await waitFor(() => onB.length === 2, { what: "both messages on B" });

    expect(onB.map((event) => event.kind)).toEqual(["changed", "deleted"]);
    const [changed] = onB;
    expect(changed?.kind === "changed" && changed.workspace.updatedAt).toBeInstanceOf(Date);
    expect(changed).toEqual({ kind: "changed", workspace: sent });
    // Its own messages reach A directly, not a second time through Redis: a marker sent by B
    // after them arrives after any echo would have (one subscription connection, in order).
    b.publish({ kind: "changed", workspace: workspace(id, 4) });
    await waitFor(() => onA.length >= 3, { what: "B's marker on A" });
    expect(onA.map((event) => event.kind === "changed" && event.workspace.version)).toEqual([
      3,
      false,
      4,
    ]);
  });

  it("tells every watcher to resync after its subscriber connection comes back", async () => {
    const bus = await open();
    const [x, y] = [randomUUID(), randomUUID()];
    const got: string[] = [];
    await bus.subscribe(x, (event) => got.push(`${x}:${event.kind}`));
    await bus.subscribe(y, (event) => got.push(`${y}:${event.kind}`));

    const killed = await killRedisClient(`workspace-gateway:${process.pid}:subscribe`);
    expect(killed).toBeGreaterThanOrEqual(1);
    await waitFor(() => got.length >= 2, { what: "resync events" });
    expect(got.sort()).toEqual([`${x}:resync`, `${y}:resync`].sort());

    // And the resubscription is live: a message from another replica arrives.
    const other = await open();
    other.publish({ kind: "changed", workspace: workspace(x, 9) });
    await waitFor(() => got.includes(`${x}:changed`), { what: "a message after the reconnect" });
  });

  it("after close, delivers locally only and unsubscribes", async () => {
    const [closed, other, marker] = [await open(), await open(), await open()];
    const id = randomUUID();
    const local: number[] = [];
    const remote: number[] = [];
    const off = await closed.subscribe(id, (event) => {
      if (event.kind === "changed") local.push(event.workspace.version);
    });
    await other.subscribe(id, (event) => {
      if (event.kind === "changed") remote.push(event.workspace.version);
    });
    await closed.close();

    closed.publish({ kind: "changed", workspace: workspace(id, 2) });
    expect(local).toEqual([2]);
    marker.publish({ kind: "changed", workspace: workspace(id, 3) });
    await waitFor(() => remote.includes(3), { what: "the marker on the other replica" });
    expect(remote).toEqual([3]);

    off();
    closed.publish({ kind: "changed", workspace: workspace(id, 4) });
    expect(local).toEqual([2]);
  });
});
