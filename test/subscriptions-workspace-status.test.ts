// workspaceStatus (CONTRACT §3, §5) through a started server: graphql-ws and SSE, driven by the
// lifecycle engine with the simulated provisioner.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatedMachineId } from "../src/lifecycle/simulated-provisioner.js";
import { embeddedDatabase } from "./kit/database.js";
import { graphqlWsClient } from "./kit/graphql.js";
import { Rest } from "./kit/rest.js";
import { heldWorkspace, type SeededUser, seedUser } from "./kit/seed.js";
import { type TestServer, useServer } from "./kit/server.js";
import { type StatusStream, sseWatch, wsWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

const MACHINE_ID = /^[0-9a-f]{14}$/;
const PRIVATE_IP = /^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Users, clients and streams of one suite, closed after it. */
function useClients(server: TestServer) {
  const opened: { dispose(): unknown }[] = [];
  const streams: StatusStream[] = [];
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await Promise.all(opened.map((client) => client.dispose()));
  });
  return {
    async user(label: string): Promise<SeededUser & { rest: Rest }> {
      const seeded = await seedUser(server.services, label);
      return { ...seeded, rest: new Rest(server.url, seeded.token) };
    },
    ws(token: string) {
      const client = graphqlWsClient(server.url, { authorization: `Bearer ${token}` });
      opened.push(client);
      return client;
    },
    watchWs(token: string, id: string): StatusStream {
      const stream = wsWatch(this.ws(token).client, id);
      streams.push(stream);
      return stream;
    },
    watchSse(token: string, id: string): StatusStream {
      const stream = sseWatch(server.url, token, id);
      streams.push(stream);
      return stream;
    },
    /**
     * A new workspace watched from its first status: the engine gets it only once the stream
     * has its snapshot (no timing margin).
     */
    async createWatched(
      token: string,
      projectId: string,
      transport: "ws" | "sse" = "ws",
      overrides: { keepActive?: boolean } = {},
    ) {
      const held = await heldWorkspace(
        server.services,
        server.database.prisma,
        projectId,
        overrides,
      );
      const stream =
        transport === "ws"
          ? this.watchWs(token, held.workspace.id)
          : this.watchSse(token, held.workspace.id);
      await stream.until("CREATING");
      await held.release();
      return { created: held.workspace, stream };
    },
  };
}

describe("workspaceStatus subscriptions", () => {
  const server = useServer(embeddedDatabase, { SIMULATED_PROVISION_DELAY_MS: "50" });
  const clients = useClients(server);
  let alice: SeededUser & { rest: Rest };

  beforeAll(async () => {
    alice = await clients.user("status");
  });

  it("streams creating → starting → running over graphql-ws, with machine, address and branch", async () => {
    const { created, stream } = await clients.createWatched(alice.token, alice.project.id);
    const running = await stream.until("RUNNING");

    expect(stream.statuses()).toEqual(["CREATING", "STARTING", "RUNNING"]);
    expect(stream.events[0]).toMatchObject({ id: created.id, machineId: null, privateIp: null });
    expect(stream.events[1]?.machineId).toBe(simulatedMachineId(created.id));
    expect(running).toMatchObject({ gitRef: "main", errorMessage: null });
    expect(running.machineId).toMatch(MACHINE_ID);
    expect(running.privateIp).toMatch(PRIVATE_IP);
    expect(stream.errors).toEqual([]);
  });

  it("streams the same over SSE", async () => {
    const { created, stream } = await clients.createWatched(alice.token, alice.project.id, "sse", {
      keepActive: true,
    });
    const running = await stream.until("RUNNING");

    expect(stream.statuses()).toEqual(["CREATING", "STARTING", "RUNNING"]);
    expect(running.machineId).toBe(simulatedMachineId(created.id));
    expect(running.privateIp).toMatch(PRIVATE_IP);
    expect(running.gitRef).toBe("main");
  });

  it("sends a late subscriber the workspace as it is now", async () => {
    const created = await alice.rest.createWorkspace(alice.project.id);
    await clients.watchWs(alice.token, created.id).until("RUNNING");

    const late = clients.watchWs(alice.token, created.id);
    const snapshot = await late.until("RUNNING");
    const sse = clients.watchSse(alice.token, created.id);
    await sse.until("RUNNING");

    expect(late.statuses()).toEqual(["RUNNING"]);
    expect(sse.statuses()).toEqual(["RUNNING"]);
    expect(snapshot.machineId).toBe(simulatedMachineId(created.id));
    expect(snapshot.privateIp).toMatch(PRIVATE_IP);
  });

  it("streams stop, start and delete; deletion ends the stream on both transports", async () => {
    const { created, stream: ws } = await clients.createWatched(alice.token, alice.project.id);
    await ws.until("RUNNING");
    const sse = clients.watchSse(alice.token, created.id);
    await sse.until("RUNNING");

    await alice.rest.act(created.id, "stop");
    await ws.until("STOPPED");
    await alice.rest.act(created.id, "start");
    const restarted = await ws.until("RUNNING");
    await alice.rest.deleteWorkspace(created.id);
    await ws.ended();
    await sse.ended();

    expect(ws.completed).toBe(true);
    expect(ws.errors).toEqual([]);
    expect(sse.completed).toBe(true);
    // Exactly these events, none twice: the deletion is the last one, then the stream ends.
    expect(ws.statuses()).toEqual([
      "CREATING",
      "STARTING",
      "RUNNING",
      "STOPPING",
      "STOPPED",
      "STARTING",
      "RUNNING",
      "DELETED",
    ]);
    expect(ws.last()?.id).toBe(created.id);
    expect(restarted.machineId).toBe(simulatedMachineId(created.id));
    expect(sse.statuses()).toEqual([
      "RUNNING",
      "STOPPING",
      "STOPPED",
      "STARTING",
      "RUNNING",
      "DELETED",
    ]);
    await waitFor(async () => (await alice.rest.getWorkspace(created.id)) === null, {
      what: "the workspace to be gone",
    });
  });

  it("ends a failed creation in ERROR with a message", async () => {
    const broken = await server.services.projects.create(alice.user.id, {
      name: "broken [fail:create]",
    });
    if (!broken.ok) throw new Error(broken.error.message);
    const { stream } = await clients.createWatched(alice.token, broken.value.id);
    const failed = await stream.until("ERROR");

    expect(stream.statuses()).toEqual(["CREATING", "ERROR"]);
    expect(failed.errorMessage).toMatch(/^could not create the machine: /);
    expect(failed.machineId).toBeNull();
  });

  it("ends a failed start in ERROR and a failed stop in STOP_FAILED", async () => {
    const project = async (name: string) => {
      const made = await server.services.projects.create(alice.user.id, { name });
      if (!made.ok) throw new Error(made.error.message);
      return made.value.id;
    };
    const { stream: starting } = await clients.createWatched(
      alice.token,
      await project("flaky [fail:start]"),
    );
    const { created: noStop, stream: stopping } = await clients.createWatched(
      alice.token,
      await project("sticky [fail:stop]"),
    );

    const failedStart = await starting.until("ERROR");
    await stopping.until("RUNNING");
    await alice.rest.act(noStop.id, "stop");
    const failedStop = await stopping.until("STOP_FAILED");

    expect(starting.statuses()).toEqual(["CREATING", "STARTING", "ERROR"]);
    expect(failedStart.errorMessage).toMatch(/^could not start the machine: /);
    expect(stopping.statuses()).toEqual([
      "CREATING",
      "STARTING",
      "RUNNING",
      "STOPPING",
      "STOP_FAILED",
    ]);
    expect(failedStop.errorMessage).toMatch(/^could not stop the machine: /);
  });

  it("refuses a bad token at connection_init with close code 4403", async () => {
    const ws = clients.ws("wsg_not-a-real-token");
    const stream = wsWatch(ws.client, "00000000-0000-4000-8000-000000000000");
    await waitFor(() => ws.closes.length > 0, { what: "the socket to close" });

    expect(ws.closes[0]?.code).toBe(4403);
    expect(stream.events).toEqual([]);
  });

  it("gives an error and no data for someone else's workspace, like a missing one", async () => {
    const mallory = await clients.user("mallory");
    const created = await alice.rest.createWorkspace(alice.project.id);
    const foreign = clients.watchWs(mallory.token, created.id);
    const missing = clients.watchWs(mallory.token, "00000000-0000-4000-8000-000000000000");
    const foreignSse = clients.watchSse(mallory.token, created.id);
    await foreign.ended();
    await missing.ended();
    await foreignSse.ended();

    expect(foreign.events).toEqual([]);
    expect(foreign.errors).not.toEqual([]);
    expect(foreignSse.events).toEqual([]);
    expect(foreignSse.errors).not.toEqual([]);
    expect(JSON.stringify(foreign.errors)).toBe(JSON.stringify(missing.errors));
  });
});

describe("idle auto-stop", () => {
  // 0.02 minutes: idle after 1.2 s.
  const server = useServer(embeddedDatabase, {
    SIMULATED_PROVISION_DELAY_MS: "50",
    IDLE_TIMEOUT_MINUTES: "0.02",
  });
  const clients = useClients(server);

  it("stops an idle workspace without keep_active, and never one with it", async () => {
    const bob = await clients.user("idle");
    // Running first, so by the time the other is stopped it has been idle for longer.
    const kept = await bob.rest.createWorkspace(bob.project.id, { keep_active: true });
    const keptStream = clients.watchWs(bob.token, kept.id);
    await keptStream.until("RUNNING");
    const idle = await bob.rest.createWorkspace(bob.project.id, { keep_active: false });
    const idleStream = clients.watchWs(bob.token, idle.id);

    await idleStream.until("STOPPED");
    expect(idleStream.statuses().slice(-3)).toEqual(["RUNNING", "STOPPING", "STOPPED"]);
    expect(keptStream.last()?.status).toBe("RUNNING");
    expect((await bob.rest.getWorkspace(kept.id))?.status).toBe("running");
    expect((await bob.rest.getWorkspace(idle.id))?.status).toBe("stopped");
  });
});
