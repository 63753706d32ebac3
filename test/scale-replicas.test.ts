// Scale-out (CONTRACT §5): replicas as real processes on one PostgreSQL database and one Redis.
// Events reach subscribers on any replica, each step runs once, and a dead replica's work is
// finished by another.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import { simulatedMachineId } from "../src/lifecycle/simulated-provisioner.js";
import { createServices } from "../src/services/index.js";
import { LocalStatusBus } from "../src/services/status-bus.js";
import { killRedisClient, TEST_DATABASE_URL, TEST_REDIS_URL } from "./kit/database.js";
import { graphqlWsClient } from "./kit/graphql.js";
import {
  killProcessesAfterAll,
  provisionerCalls,
  type ServerProcess,
  scratchPostgres,
  startServerProcess,
} from "./kit/processes.js";
import { Rest, type RestWorkspace } from "./kit/rest.js";
import { type SeededUser, seedUser } from "./kit/seed.js";
import { STATUS_ORDER, type StatusStream, wsWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

const SKIP =
  TEST_DATABASE_URL && TEST_REDIS_URL
    ? undefined
    : "skipped: needs TEST_DATABASE_URL and TEST_REDIS_URL (replicas share PostgreSQL and Redis)";

describe.skipIf(SKIP)(
  `two replicas on one PostgreSQL and one Redis${SKIP ? ` (${SKIP})` : ""}`,
  () => {
    killProcessesAfterAll();
    let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
    let database: Database;
    let owner: SeededUser;
    let a: ServerProcess;
    let b: ServerProcess;
    let env: Record<string, string>;
    const disposers: (() => unknown)[] = [];
    const observed = { transitions: 0 };

    beforeAll(async () => {
      // A database of their own: other suites' engines must not claim these rows.
      scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "scale");
      database = await openDatabase({ databaseUrl: scratch.url, dataDir: "", migrate: true });
      const services = createServices({
        prisma: database.prisma,
        gpuKinds: [],
        bus: new LocalStatusBus(),
      });
      owner = await seedUser(services, "scale");
      env = {
        DATABASE_URL: scratch.url,
        REDIS_URL: TEST_REDIS_URL ?? "",
        SIMULATED_PROVISION_DELAY_MS: "300",
        IDLE_TIMEOUT_MINUTES: "0",
      };
      [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    }, 120_000);

    afterAll(async () => {
      for (const dispose of disposers) await dispose();
      await Promise.all([a, b].map((p) => p?.kill("SIGTERM").catch(() => p.kill("SIGKILL"))));
      await database?.close();
      await scratch?.drop();
      console.log(
        `scale-out: ${observed.transitions} status events observed on replica B in total`,
      );
    });

    function subscriberOn(replica: ServerProcess) {
      const client = graphqlWsClient(replica.url, { authorization: `Bearer ${owner.token}` });
      disposers.push(() => client.dispose());
      return client;
    }

    it("a subscriber on replica B sees every transition of 20 workspaces created on A, in order; each step runs once", async () => {
      const started = Date.now();
      const restA = new Rest(a.url, owner.token);
      const onB = subscriberOn(b);
      const streams = new Map<string, StatusStream>();
      for (let i = 0; i < 20; i++) {
        const created = await restA.createWorkspace(owner.project.id);
        streams.set(created.id, wsWatch(onB.client, created.id));
      }
      const ids = [...streams.keys()];
      const phases: string[] = [`created ${Date.now() - started}`];
      await Promise.all([...streams.values()].map((stream) => stream.until("RUNNING")));
      phases.push(`running ${Date.now() - started}`);
      await Promise.all(ids.map((id) => restA.act(id, "stop")));
      await Promise.all([...streams.values()].map((stream) => stream.until("STOPPED")));
      phases.push(`stopped ${Date.now() - started}`);
      await Promise.all(ids.map((id) => restA.deleteWorkspace(id)));
      await Promise.all([...streams.values()].map((stream) => stream.ended()));
      phases.push(`deleted ${Date.now() - started}`);
      // DELETED reaches watchers at the request; the engine destroys machines and rows after.
      await waitFor(
        async () => (await database.prisma.workspace.count({ where: { id: { in: ids } } })) === 0,
        { what: "every row removed" },
      );
      phases.push(`removed ${Date.now() - started}`);

      // Per workspace and step, how many times either replica called the provisioner.
      const logs = [a, b].flatMap((p) => p.logs);
      const calls = (id: string, step: string) => provisionerCalls(logs, id, step);
      let events = 0;
      for (const [id, stream] of streams) {
        events += stream.events.length;
        expect(stream.errors).toEqual([]);
        expect(stream.completed).toBe(true);
        // From whatever the snapshot was, every later status in lifecycle order, none skipped,
        // none twice, then DELETED as the last event.
        const seen = stream.statuses();
        const from = STATUS_ORDER.indexOf(seen[0] as (typeof STATUS_ORDER)[number]);
        expect(from).toBeGreaterThanOrEqual(0);
        expect(from).toBeLessThanOrEqual(STATUS_ORDER.indexOf("RUNNING"));
        expect(seen).toEqual([...STATUS_ORDER.slice(from), "DELETED"]);
        const machineIds = new Set(stream.events.map((e) => e.machineId).filter(Boolean));
        expect([...machineIds]).toEqual([simulatedMachineId(id)]);
        for (const step of ["createMachine", "start", "stop", "destroy"]) {
          expect(calls(id, step), `${step} for ${id}`).toBe(1);
        }
      }
      observed.transitions += events;
      const fromCreating = [...streams.values()].filter((s) => s.statuses()[0] === "CREATING");
      console.log(
        `scale-out: 20 workspaces created on A, watched on B: ${events} status events, ` +
          `${fromCreating.length}/20 streams from CREATING, ${ids.length * 4} provisioner steps ` +
          `(A ran ${stepCount(a, ids)}, B ran ${stepCount(b, ids)}), ${Date.now() - started} ms ` +
          `(ms since start: ${phases.join(", ")})`,
      );
    }, 90_000);

    it("after B's Redis subscriber connection is killed, B's watchers still get the final state", async () => {
      const started = Date.now();
      const restA = new Rest(a.url, owner.token);
      const onB = subscriberOn(b);
      const created: RestWorkspace[] = [];
      for (let i = 0; i < 5; i++) created.push(await restA.createWorkspace(owner.project.id));
      const streams = created.map((w) => wsWatch(onB.client, w.id));
      await Promise.all(streams.map((stream) => stream.until("RUNNING")));

      const killed = await killRedisClient(`workspace-gateway:${b.pid}:subscribe`);
      expect(killed).toBe(1);
      await Promise.all(created.map((w) => restA.act(w.id, "stop")));
      await Promise.all(streams.map((stream) => stream.until("STOPPED")));

      await waitFor(
        () => b.logs.some((l) => l.msg === "redis reconnected; resyncing status watchers"),
        {
          what: "B to resync after the reconnect",
        },
      );
      const events = streams.reduce((sum, stream) => sum + stream.events.length, 0);
      observed.transitions += events;
      console.log(
        `scale-out: Redis subscriber of B killed; ${streams.length} watchers on B reached STOPPED ` +
          `(${events} status events) in ${Date.now() - started} ms`,
      );
    }, 60_000);

    it("SIGTERM on a replica hands its steps back; kill -9 on another leaves B to finish the work", async () => {
      const started = Date.now();
      const onB = subscriberOn(b);
      const slow = { ...env, SIMULATED_PROVISION_DELAY_MS: "600000" };
      const claimedBy = (replicas: ServerProcess[], workspaces: RestWorkspace[]) => () =>
        workspaces.every((w) =>
          replicas.some((r) =>
            r.logs.some((l) => l.msg === "provisioner step" && l.workspaceId === w.id),
          ),
        );

      // From here on B is the only replica left to carry on.
      expect(await a.kill("SIGTERM")).toEqual({ code: 0, signal: null });

      // SIGTERM: exits 0 and hands back, so B may take the rows at once.
      const terminated = await startServerProcess(slow);
      const handedBack: RestWorkspace[] = [];
      const restT = new Rest(terminated.url, owner.token);
      for (let i = 0; i < 3; i++) handedBack.push(await restT.createWorkspace(owner.project.id));
      await waitFor(claimedBy([terminated, b], handedBack), { what: "the first steps" });
      expect(await terminated.kill("SIGTERM", 12_000)).toEqual({ code: 0, signal: null });
      // Lease owners are "<pid>:<uuid>".
      const leasedByTerminated = await database.prisma.workspace.count({
        where: { leaseOwner: { startsWith: `${terminated.pid}:` } },
      });
      expect(leasedByTerminated).toBe(0);

      // kill -9 mid-provisioning: the leases run out and B carries on.
      const killed = await startServerProcess(slow);
      const restK = new Rest(killed.url, owner.token);
      const orphans: RestWorkspace[] = [];
      for (let i = 0; i < 10; i++) orphans.push(await restK.createWorkspace(owner.project.id));
      const streams = [...handedBack, ...orphans].map((w) => wsWatch(onB.client, w.id));
      await waitFor(claimedBy([killed, b], orphans), { what: "the first steps" });
      expect(await killed.kill("SIGKILL")).toMatchObject({ signal: "SIGKILL" });

      const running = await Promise.all(streams.map((stream) => stream.until("RUNNING", 40_000)));
      for (const [i, workspace] of [...handedBack, ...orphans].entries()) {
        expect(running[i]?.machineId).toBe(simulatedMachineId(workspace.id));
        const machineIds = new Set(streams[i]?.events.map((e) => e.machineId).filter(Boolean));
        expect(machineIds.size).toBe(1);
      }
      const rows = await database.prisma.workspace.findMany({
        where: { id: { in: [...handedBack, ...orphans].map((w) => w.id) } },
      });
      expect(rows.map((row) => row.status)).toEqual(rows.map(() => "running"));
      expect(rows.map((row) => row.leaseOwner)).toEqual(rows.map(() => null));
      const events = streams.reduce((sum, stream) => sum + stream.events.length, 0);
      observed.transitions += events;
      const takenOver = orphans.filter((w) => claimedBy([killed], [w])()).length;
      console.log(
        `scale-out: 3 workspaces handed back on SIGTERM and ${orphans.length} orphaned by kill -9 ` +
          `(${takenOver} mid-step) all reached RUNNING via B (${events} status events) in ${Date.now() - started} ms`,
      );
    }, 120_000);
  },
);

function stepCount(replica: ServerProcess, ids: string[]): number {
  return replica.logs.filter(
    (l) => l.msg === "provisioner step" && ids.includes(String(l.workspaceId)),
  ).length;
}
