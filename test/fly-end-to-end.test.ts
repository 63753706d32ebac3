// Issue 12, real machines: gateway processes with PROVIDER=fly against the local Fly Machines API
// fake (test/kit/fly-fake.ts) in this process. One machine and one volume per workspace, whatever
// happens: a kill -9 between the provider's create and the row's update, an outage of the API,
// a destroy the API refuses for a while.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.js";
import { WORKSPACE_METADATA_KEY } from "../src/lifecycle/fly-provisioner.js";
import { TEST_DATABASE_URL } from "./kit/database.js";
import { type FlyFake, startFlyFake } from "./kit/fly-fake.js";
import {
  killProcessesAfterAll,
  runCli,
  type ServerProcess,
  scratchPostgres,
  startServerProcess,
} from "./kit/processes.js";
import { Rest, type RestWorkspace, restClient } from "./kit/rest.js";
import { waitFor } from "./kit/wait.js";

killProcessesAfterAll();

/**
 * How long the API is down in the outage test: 10 s in the suite (for its time); the driver's
 * retry budget (FLY_RETRY_POLICY) rides out at least ~66 s. FLY_E2E_OUTAGE_MS=30000 runs the 30 s case.
 */
const OUTAGE_MS = Number(process.env.FLY_E2E_OUTAGE_MS || 10_000);

const BIN = fileURLToPath(new URL("../bin/workspace-gateway.js", import.meta.url));

interface Seeded {
  token: string;
  project: { id: string };
}

/** "GET /v1/apps/demo/machines/3d8d…/wait?state=started…" → "GET /machines/{id}/wait?state=started". */
function callKind(method: string, path: string): string {
  const [bare = "", query = ""] = path.split("?");
  const state = new URLSearchParams(query).get("state");
  const route = bare
    .replace(/^\/v1\/apps\/[^/]+/, "")
    .replace(/\/(machines|volumes)\/[^/]+/, "/$1/{id}");
  return `${method} ${route}${state ? `?state=${state}` : ""}`;
}

function tally(calls: FlyFake["calls"]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of calls) {
    const kind = callKind(call.method, call.path);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort());
}

describe("PROVIDER settings", () => {
  it("defaults to the simulated provider and refuses PROVIDER=fly without its settings", async () => {
    expect(parseEnv({}).PROVIDER).toBe("simulated");
    expect(parseEnv({}).FLY_API_BASE_URL).toBe("https://api.machines.dev");
    const env = { PATH: process.env.PATH, PROVIDER: "fly", FLY_APP_NAME: "demo", PORT: "0" };
    const refused = await promisify(execFile)(process.execPath, [BIN, "serve"], {
      env: { ...env, WORKSPACE_IMAGE: "img" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    // One line on stderr that names the variable; no stack trace.
    const stderr = (refused as { stderr: string }).stderr.trim();
    expect(stderr.split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^workspace-gateway: .*FLY_API_TOKEN.* required when PROVIDER=fly/);
    expect(() => parseEnv({ PROVIDER: "fly", FLY_API_TOKEN: "t", FLY_APP_NAME: "a" })).toThrow(
      /WORKSPACE_IMAGE.* required when PROVIDER=fly/,
    );
    expect(() => parseEnv({ PROVIDER: "aws" })).toThrow(/PROVIDER.*"aws"/);
  });
});

describe.skipIf(!TEST_DATABASE_URL)("PROVIDER=fly against the Fly Machines API fake", () => {
  let fake: FlyFake;
  let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
  let db: pg.Client;
  let seeded: Seeded;
  let server: ServerProcess;
  let rest: Rest;
  /** The workspace the kill -9 test leaves running; the outage test stops it. */
  let survivor: RestWorkspace | undefined;

  const env = () => ({
    DATABASE_URL: scratch.url,
    PROVIDER: "fly",
    FLY_API_BASE_URL: fake.url,
    FLY_API_TOKEN: fake.token,
    FLY_APP_NAME: fake.app,
    FLY_REGION: "iad",
    WORKSPACE_IMAGE: "registry.fly.io/workspace:test",
    IDLE_TIMEOUT_MINUTES: "0",
  });

  /** The workspace's machines at the fake that are not destroyed. */
  const atFake = (workspaceId: string) => ({
    machines: [...fake.machines.values()].filter(
      (m) => m.config.metadata?.[WORKSPACE_METADATA_KEY] === workspaceId && m.state !== "destroyed",
    ),
  });
  const liveVolumes = () => [...fake.volumes.values()].filter((v) => v.state !== "destroyed");
  const liveMachines = () => [...fake.machines.values()].filter((m) => m.state !== "destroyed");

  /** GET /workspaces/:id/wait on the server: the workspace once it is `status` (or settled). */
  async function waitUntil(id: string, status: string, timeout = 30): Promise<RestWorkspace> {
    const answer = await restClient(rest.url).get(
      `/workspaces/${id}/wait?status=${status}&timeout=${timeout}`,
      { token: seeded.token },
    );
    expect({ status: answer.status, workspace: answer.json?.status }).toEqual({
      status: 200,
      workspace: status,
    });
    return answer.json as RestWorkspace;
  }

  async function rowOf(id: string) {
    const { rows } = await db.query<{ status: string; machine_id: string | null }>(
      "SELECT status::text, machine_id FROM workspaces WHERE id = $1",
      [id],
    );
    return rows[0] ?? null;
  }

  beforeAll(async () => {
    fake = await startFlyFake({ token: "e2e-token", app: "wsg-e2e", transitionMs: 50 });
    scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "flye2e");
    server = await startServerProcess(env());
    seeded = await runCli<Seeded>(
      ["seed", "--email", "fly@example.com", "--project-name", "fly", "--json"],
      { DATABASE_URL: scratch.url },
    );
    rest = new Rest(server.url, seeded.token);
    db = new pg.Client({ connectionString: scratch.url });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await server?.kill("SIGTERM").catch(() => {});
    await fake?.close();
    await scratch?.drop();
  });

  it("runs a workspace's whole lifecycle on one machine and one volume, and deletes both", async () => {
    const before = fake.calls.length;
    const created = await rest.createWorkspace(seeded.project.id);
    const running = await waitUntil(created.id, "running");
    const { machines } = atFake(created.id);
    expect(machines).toHaveLength(1);
    expect(liveVolumes()).toHaveLength(1);
    expect(running.machine_id).toBe(machines[0]?.id);
    expect(running.private_ip).toBe(machines[0]?.private_ip);
    expect(machines[0]?.config.mounts).toEqual([
      { volume: liveVolumes()[0]?.id, path: "/workspace" },
    ]);
    expect(machines[0]?.state).toBe("started");

    await rest.act(created.id, "stop");
    await waitUntil(created.id, "stopped");
    expect(fake.machines.get(running.machine_id ?? "")?.state).toBe("stopped");
    await rest.act(created.id, "start");
    const again = await waitUntil(created.id, "running");
    expect(again.machine_id).toBe(running.machine_id);
    expect(fake.machines.get(running.machine_id ?? "")?.state).toBe("started");

    await rest.deleteWorkspace(created.id);
    await waitFor(async () => (await rowOf(created.id)) === null, { what: "the row to go" });
    expect(liveMachines()).toEqual([]);
    expect(liveVolumes()).toEqual([]);
    const calls = fake.calls.slice(before);
    expect(calls.every((call) => call.status >= 200 && call.status < 300)).toBe(true);
    console.log(
      `fly e2e: Machines API calls for one lifecycle (create, stop, start, delete): ${calls.length} ${JSON.stringify(tally(calls))}`,
    );
  }, 60_000);

  it("finishes with one machine after a kill -9 between the provider's create and the row's update", async () => {
    fake.faults.holdMachineCreate = 1;
    const created = await rest.createWorkspace(seeded.project.id);
    const held = await waitFor(
      () =>
        fake.calls.find(
          (call) => call.method === "POST" && call.path.endsWith("/machines") && call.status === 0,
        ),
      { what: "the machine create to be held" },
    );
    expect(atFake(created.id).machines).toHaveLength(1);
    // Made at the provider, not recorded: the gateway dies before it hears back.
    expect(await rowOf(created.id)).toEqual({ status: "creating", machine_id: null });
    expect(await server.kill("SIGKILL")).toMatchObject({ signal: "SIGKILL" });
    expect(held.status).toBe(0);

    server = await startServerProcess(env());
    rest = new Rest(server.url, seeded.token);
    const running = await waitUntil(created.id, "running");
    const { machines } = atFake(created.id);
    expect(machines.map((m) => m.id)).toEqual([running.machine_id]);
    expect(liveMachines()).toHaveLength(1);
    expect(liveVolumes()).toHaveLength(1);
    expect(machines[0]?.config.mounts?.[0]?.volume).toBe(liveVolumes()[0]?.id);
    survivor = running;
  }, 60_000);

  it(`keeps workspaces in their transitional status through a ${OUTAGE_MS / 1000} s outage, then completes them once each`, async () => {
    const stopping = survivor;
    if (!stopping) throw new Error("no running workspace left by the previous test");
    const callsBefore = fake.calls.length;
    const logsBefore = server.logs.length;

    // First half: every call answered 503; second half: connections refused.
    await fake.setOutage("unavailable");
    const outageStarted = Date.now();
    const created = await Promise.all([
      rest.createWorkspace(seeded.project.id),
      rest.createWorkspace(seeded.project.id),
    ]);
    await rest.act(stopping.id, "stop");
    const watched = [
      ...created.map((w) => ({ id: w.id, during: "creating" })),
      {
        id: stopping.id,
        during: "stopping",
      },
    ];
    const seen = new Set<string>();
    const sample = async () => {
      for (const { id, during } of watched) {
        const row = await rest.getWorkspace(id);
        seen.add(`${during}→${row?.status}`);
      }
    };
    while (Date.now() - outageStarted < OUTAGE_MS / 2) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await fake.setOutage("refused");
    while (Date.now() - outageStarted < OUTAGE_MS) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const answered503 = fake.calls.slice(callsBefore).filter((call) => call.status === 503).length;
    await fake.setOutage(null);
    const restored = Date.now();
    // Nothing failed or moved on while the API was down.
    expect([...seen].sort()).toEqual(["creating→creating", "stopping→stopping"]);

    const done = await Promise.all([
      ...created.map((w) => waitUntil(w.id, "running", 60)),
      waitUntil(stopping.id, "stopped", 60),
    ]);
    const recoveredMs = Date.now() - restored;
    for (const workspace of done.slice(0, 2)) {
      const { machines } = atFake(workspace.id);
      expect(machines.map((m) => m.id)).toEqual([workspace.machine_id]);
    }
    expect(liveMachines()).toHaveLength(3);
    expect(liveVolumes()).toHaveLength(3);
    const creates = fake.calls
      .slice(callsBefore)
      .filter((call) => call.method === "POST" && /\/(machines|volumes)$/.test(call.path));
    expect(creates.map((call) => [callKind(call.method, call.path), call.status]).sort()).toEqual([
      ["POST /machines", 200],
      ["POST /machines", 200],
      ["POST /volumes", 200],
      ["POST /volumes", 200],
    ]);
    const retries = server.logs
      .slice(logsBefore)
      .filter((line) => line.msg === "fly: retrying a Machines API call");
    const refused = retries.filter((line) => String(line.reason).startsWith("network error"));
    expect(answered503).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    console.log(
      `fly e2e outage: ${OUTAGE_MS} ms (503 then refused connections); ${answered503} calls answered 503, ` +
        `${refused.length} retries after a refused connection, ${retries.length} retries in all; ` +
        `statuses seen meanwhile ${JSON.stringify([...seen])}; all three done ${recoveredMs} ms after the API returned`,
    );
  }, 120_000);

  it("retries a destroy the provider refuses, keeping the row until the machine and volume are gone", async () => {
    const { rows } = await db.query<{ id: string; machine_id: string }>(
      "SELECT id, machine_id FROM workspaces WHERE status = 'running' LIMIT 1",
    );
    const target = rows[0];
    if (!target) throw new Error("no running workspace left by the previous test");
    const machineId = target.machine_id;
    const before = liveMachines().length;
    fake.faults.refuseDestroy = true;
    await rest.deleteWorkspace(target.id);
    expect(await rest.getWorkspace(target.id)).toBeNull();
    const refusals = () =>
      fake.calls.filter(
        (call) =>
          call.method === "DELETE" &&
          call.path.includes(`/machines/${machineId}`) &&
          call.status === 409,
      ).length;
    // Refused twice: the engine came back to it after the first failure.
    await waitFor(() => refusals() >= 2, { timeoutMs: 30_000, what: "a second destroy attempt" });
    expect(await rowOf(target.id)).toMatchObject({ machine_id: machineId });
    expect(fake.machines.get(machineId)?.state).toBe("started");
    expect(
      server.logs.some(
        (line) => line.msg === "provisioner step failed" && line.workspaceId === target.id,
      ),
    ).toBe(true);

    fake.faults.refuseDestroy = false;
    await waitFor(async () => (await rowOf(target.id)) === null, {
      timeoutMs: 30_000,
      what: "the row to go once the provider accepts",
    });
    expect(fake.machines.get(machineId)?.state).toBe("destroyed");
    expect(atFake(target.id).machines).toEqual([]);
    expect(liveMachines()).toHaveLength(before - 1);
    expect(liveVolumes()).toHaveLength(before - 1);
    console.log(
      `fly e2e destroy: refused ${refusals()} times, then done; the row stayed until then`,
    );
    // The API token never reaches the logs, retries and failures included.
    expect(JSON.stringify(server.logs)).not.toContain(fake.token);
  }, 60_000);

  it("applies a resize at the next start: one machine update and one volume extend, none repeated after a kill -9 between the call and the row update", async () => {
    const created = await rest.createWorkspace(seeded.project.id);
    const running = await waitUntil(created.id, "running");
    const machineId = running.machine_id ?? "";
    const volumeId = fake.machines.get(machineId)?.config.mounts?.[0]?.volume ?? "";
    // The volume id is kept on the workspace once the provider reported it.
    const { rows } = await db.query<{ volume_id: string | null }>(
      "SELECT volume_id FROM workspaces WHERE id = $1",
      [created.id],
    );
    expect(rows[0]?.volume_id).toBe(volumeId);
    await rest.act(created.id, "stop");
    await waitUntil(created.id, "stopped");
    const sizeBefore = fake.volumes.get(volumeId)?.size_gb ?? 0;
    const callsBefore = fake.calls.length;

    const patched = await restClient(rest.url).request("PATCH", `/workspaces/${created.id}`, {
      token: seeded.token,
      json: { hardware: { cpus: 4, memory_mb: 4096, volume_size_gb: sizeBefore + 2 } },
    });
    expect(patched.status).toBe(200);
    // Nothing reaches the provider until the start.
    expect(fake.calls.length).toBe(callsBefore);

    fake.faults.holdMachineUpdate = 1;
    await rest.act(created.id, "start");
    const isUpdate = (call: FlyFake["calls"][number]) =>
      call.method === "POST" && call.path.endsWith(`/machines/${machineId}`);
    const isExtend = (call: FlyFake["calls"][number]) =>
      call.method === "PUT" && call.path.endsWith(`/volumes/${volumeId}/extend`);
    await waitFor(() => fake.calls.find((call) => isUpdate(call) && call.status === 0), {
      what: "the machine update to be held",
    });
    // Applied at the provider, not recorded: the gateway dies before it hears back.
    expect(fake.machines.get(machineId)?.config.guest).toMatchObject({ cpus: 4, memory_mb: 4096 });
    expect(await rowOf(created.id)).toMatchObject({ status: "starting" });
    expect(await server.kill("SIGKILL")).toMatchObject({ signal: "SIGKILL" });

    server = await startServerProcess(env());
    rest = new Rest(server.url, seeded.token);
    const resumed = await waitUntil(created.id, "running", 60);
    expect(resumed.machine_id).toBe(machineId);
    const machine = fake.machines.get(machineId);
    expect(machine?.state).toBe("started");
    expect(machine?.config.guest).toEqual({ cpu_kind: "shared", cpus: 4, memory_mb: 4096 });
    expect(fake.volumes.get(volumeId)?.size_gb).toBe(sizeBefore + 2);
    const calls = fake.calls.slice(callsBefore);
    expect(calls.filter(isUpdate)).toHaveLength(1);
    expect(calls.filter(isExtend).map((call) => call.status)).toEqual([200]);
    // The volume was reached by its id: no list of the app's volumes.
    expect(
      calls.filter((call) => call.method === "GET" && /\/volumes(\?|$)/.test(call.path)),
    ).toEqual([]);
    console.log(
      `fly e2e resize: ${calls.length} Machines API calls from the PATCH to running again (kill -9 included) ${JSON.stringify(tally(calls))}`,
    );
  }, 90_000);
});
