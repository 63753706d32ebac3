// Workspace policies through REST against a real server: defaults and bounds (n accepted, n+1
// refused), keep_active as the legacy spelling of auto_stop_minutes 0, keep-alive, and the
// automatic stops and deletes the sweep makes. A policy minute is POLICY_MINUTE_MS = 1500 here
// and the sweep interval 0.5 s, so "1 minute" takes 1.5 s (the README says so).
import { describe, expect, it } from "vitest";
import { embeddedDatabase } from "./kit/database.js";
import { graphqlClient } from "./kit/graphql.js";
import { seedRestUser } from "./kit/rest.js";
import { type TestServer, useServer } from "./kit/server.js";
import { sseWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

const MINUTE_MS = 1500;

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateWorkspaceInput!) {
    createWorkspace(input: $input) {
      __typename
      ... on InvalidInputError { issues { field message } }
    }
  }
`;
const SWEEP_S = 0.5;

async function running(server: TestServer, token: string, id: string) {
  const api = (await import("./kit/rest.js")).restClient(server.url);
  return waitFor(
    async () => {
      const response = await api.get(`/workspaces/${id}`, { token });
      return response.json?.status === "running" ? response.json : undefined;
    },
    { what: `workspace ${id} running` },
  );
}

describe("policy fields on create", () => {
  const server = useServer(embeddedDatabase, { IDLE_TIMEOUT_MINUTES: "10" });

  it("defaults: auto_stop_minutes from IDLE_TIMEOUT_MINUTES, max_run 0, auto_delete null, no labels", async () => {
    const { api, path, token } = await seedRestUser(server, "policy-defaults");
    const created = await api.post(path, { token, json: {} });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({
      auto_stop_minutes: 10,
      max_run_minutes: 0,
      auto_delete_minutes: null,
      labels: {},
      auto_stop_at: null,
      auto_delete_at: null,
      stop_reason: null,
      keep_active: false,
    });
    expect(new Date(created.json.last_activity_at).toISOString()).toBe(
      created.json.last_activity_at,
    );
  });

  it("takes the user's default_auto_stop_minutes over IDLE_TIMEOUT_MINUTES", async () => {
    const { api, path, token } = await seedRestUser(server, "policy-user-default");
    const settings = await api.put("/user/settings", {
      token,
      json: { default_hardware: {}, default_auto_stop_minutes: 45 },
    });
    expect(settings.status, settings.text).toBe(200);
    expect(settings.json.default_auto_stop_minutes).toBe(45);
    expect((await api.get("/user/settings", { token })).json.default_auto_stop_minutes).toBe(45);
    const created = await api.post(path, { token, json: {} });
    expect(created.json.auto_stop_minutes).toBe(45);
    // PUT replaces: left out, it falls back to IDLE_TIMEOUT_MINUTES.
    const reset = await api.put("/user/settings", { token, json: { default_hardware: {} } });
    expect(reset.json.default_auto_stop_minutes).toBe(10);
  });

  it("keep_active: true is auto_stop_minutes 0 and reported both ways; disagreeing is a 400", async () => {
    const { api, path, token, rows } = await seedRestUser(server, "policy-keep-active");
    const kept = await api.post(path, { token, json: { keep_active: true } });
    expect(kept.json).toMatchObject({ keep_active: true, auto_stop_minutes: 0 });
    const zero = await api.post(path, { token, json: { auto_stop_minutes: 0 } });
    expect(zero.json).toMatchObject({ keep_active: true, auto_stop_minutes: 0 });
    const agreeing = await api.post(path, {
      token,
      json: { keep_active: false, auto_stop_minutes: 5 },
    });
    expect(agreeing.json).toMatchObject({ keep_active: false, auto_stop_minutes: 5 });
    for (const json of [
      { keep_active: true, auto_stop_minutes: 5 },
      { keep_active: false, auto_stop_minutes: 0 },
    ]) {
      const refused = await api.post(path, { token, json });
      expect(refused.status, refused.text).toBe(400);
      expect(refused.json.details.map((d: { field: string }) => d.field)).toEqual(["keep_active"]);
    }
    expect((await rows()).workspaces).toBe(3);
  });

  const bounds = [
    ["auto_stop_minutes", 10_080],
    ["max_run_minutes", 43_200],
    ["auto_delete_minutes", 43_200],
  ] as const;

  for (const [field, max] of bounds) {
    it(`${field}: 0 and ${max} accepted, -1, ${max + 1} and 1.5 refused naming the field`, async () => {
      const { api, path, token, rows, project } = await seedRestUser(server, `policy-${field}`);
      const graphql = graphqlClient(server.url, token);
      const camel = field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
      for (const value of [0, max]) {
        const accepted = await api.post(path, { token, json: { [field]: value } });
        expect(accepted.status, accepted.text).toBe(201);
        expect(accepted.json[field]).toBe(value);
      }
      // GraphQL decides the same at n and n+1 and names the same field (in its own words).
      for (const [value, member] of [
        [max, "CreateWorkspaceSuccess"],
        [max + 1, "InvalidInputError"],
        [-1, "InvalidInputError"],
      ] as const) {
        const answer = await graphql.execute(
          CREATE as never,
          {
            input: { projectId: project.id, [camel]: value },
          } as never,
        );
        const created = (answer.data as { createWorkspace: Record<string, unknown> })
          .createWorkspace;
        expect(created.__typename, `${camel}=${value}`).toBe(member);
        if (member === "InvalidInputError") {
          expect(created.issues).toEqual([
            {
              field: camel,
              message: `${camel} must be a whole number from 0 to ${max} (got ${value})`,
            },
          ]);
        }
      }
      for (const value of [-1, max + 1, 1.5]) {
        const refused = await api.post(path, { token, json: { [field]: value } });
        expect(refused.status, refused.text).toBe(400);
        expect(refused.json.details).toEqual([
          { field, message: `must be a whole number from 0 to ${max} (got ${value})` },
        ]);
      }
      // Two REST creates and one GraphQL create; nothing refused was created.
      expect((await rows()).workspaces).toBe(3);
    });
  }
});

describe("automatic stops and deletes", () => {
  const server = useServer(embeddedDatabase, {
    SIMULATED_PROVISION_DELAY_MS: "20",
    POLICY_MINUTE_MS: String(MINUTE_MS),
    AUTO_STOP_SWEEP_INTERVAL_S: String(SWEEP_S),
  });

  it("stops a workspace idle for auto_stop_minutes 1 with stop_reason idle, within the minute plus a sweep", async () => {
    const { api, path, token } = await seedRestUser(server, "auto-stop-idle");
    const created = await api.post(path, { token, json: { auto_stop_minutes: 1 } });
    const up = await running(server, token, created.json.id);
    // Due one minute after the activity it last saw.
    expect(Date.parse(up.auto_stop_at) - Date.parse(up.last_activity_at)).toBe(MINUTE_MS);
    const watch = sseWatch(server.url, token, created.json.id);
    await watch.until("STOPPED", MINUTE_MS + SWEEP_S * 1000 + 10_000);
    watch.close();
    const stopped = (await api.get(`/workspaces/${created.json.id}`, { token })).json;
    expect(stopped).toMatchObject({ status: "stopped", stop_reason: "idle", auto_stop_at: null });
    // Within the minute and one sweep of the last activity (plus the stop step itself).
    expect(Date.parse(stopped.updated_at) - Date.parse(up.last_activity_at)).toBeLessThan(
      MINUTE_MS + SWEEP_S * 1000 + 1000,
    );
  });

  it("keeps running a workspace kept alive every 20 s (a third of a minute) for 2 minutes", async () => {
    const { api, path, token } = await seedRestUser(server, "auto-stop-kept");
    const created = await api.post(path, { token, json: { auto_stop_minutes: 1 } });
    await running(server, token, created.json.id);
    const end = Date.now() + 2 * MINUTE_MS;
    let keptAlive = 0;
    while (Date.now() < end) {
      const kept = await api.post(`/workspaces/${created.json.id}/keepalive`, { token });
      expect(kept.status, kept.text).toBe(200);
      expect(kept.json.status).toBe("running");
      // The new due time is a minute after this keep-alive.
      expect(Date.parse(kept.json.auto_stop_at) - Date.parse(kept.json.last_activity_at)).toBe(
        MINUTE_MS,
      );
      keptAlive += 1;
      await new Promise((resolve) => setTimeout(resolve, MINUTE_MS / 3));
    }
    expect(keptAlive).toBeGreaterThanOrEqual(6);
    const after = (await api.get(`/workspaces/${created.json.id}`, { token })).json;
    expect(after).toMatchObject({ status: "running", stop_reason: null });
  });

  it("stops a max_run_minutes 1 workspace with max_run even while it is kept alive", async () => {
    const { api, path, token } = await seedRestUser(server, "auto-stop-max-run");
    const created = await api.post(path, {
      token,
      json: { auto_stop_minutes: 0, max_run_minutes: 1 },
    });
    const id = created.json.id;
    await running(server, token, id);
    const stopped = await waitFor(
      async () => {
        await api.post(`/workspaces/${id}/keepalive`, { token });
        const now = (await api.get(`/workspaces/${id}`, { token })).json;
        return now.status === "stopped" ? now : undefined;
      },
      { timeoutMs: 3 * MINUTE_MS + 10_000, intervalMs: MINUTE_MS / 6, what: "the max-run stop" },
    );
    expect(stopped.stop_reason).toBe("max_run");
  });

  it("auto_delete_minutes 0 deletes a workspace as soon as it stops; its watcher gets DELETED last", async () => {
    const { api, path, token, rows } = await seedRestUser(server, "auto-delete");
    const created = await api.post(path, {
      token,
      json: { auto_stop_minutes: 0, auto_delete_minutes: 0 },
    });
    const id = created.json.id;
    await running(server, token, id);
    const watch = sseWatch(server.url, token, id);
    await watch.until("RUNNING");
    expect((await api.post(`/workspaces/${id}/stop`, { token })).json.stop_reason).toBe("user");
    await watch.ended(10_000);
    expect(watch.statuses().slice(-3)).toEqual(["STOPPING", "STOPPED", "DELETED"]);
    expect((await api.get(`/workspaces/${id}`, { token })).status).toBe(404);
    await waitFor(async () => (await rows()).workspaces === 0, { what: "the row removed" });
  });
});

describe("a keep-alive racing the sweep", () => {
  // This server's own sweep runs at start and at due times it sets itself; the rows below are
  // made due behind its back, so only the engine the test holds finds them.
  const server = useServer(embeddedDatabase, {
    SIMULATED_PROVISION_DELAY_MS: "20",
    AUTO_STOP_SWEEP_INTERVAL_S: "3600",
  });

  /** An engine over the server's database whose automatic stop pauses in `hold` before its CAS. */
  async function heldSweep(hold: (workspaceId: string) => Promise<void>) {
    const { createLifecycle } = await import("../src/lifecycle/index.js");
    const { createServices } = await import("../src/services/index.js");
    const { LocalStatusBus } = await import("../src/services/status-bus.js");
    const services = createServices({
      prisma: server.database.prisma,
      gpuKinds: [],
      bus: new LocalStatusBus(),
    });
    const held: string[] = [];
    const lifecycle = createLifecycle({
      prisma: server.database.prisma,
      status: services.status,
      provisionDelayMs: 0,
      policySweepMs: 200,
      beforeAutoStop: async (workspace) => {
        held.push(workspace.id);
        await hold(workspace.id);
      },
    });
    return { lifecycle, held };
  }

  /** A running workspace whose idle stop is due now (its activity backdated in SQL). */
  async function dueWorkspace(label: string) {
    const seeded = await seedRestUser(server, label);
    const { api, path, token } = seeded;
    const id: string = (await api.post(path, { token, json: { auto_stop_minutes: 60 } })).json.id;
    await running(server, token, id);
    await server.database.prisma.$executeRaw`
      UPDATE workspaces SET last_activity_at = now() - interval '2 hours',
        auto_stop_at = now() - interval '1 hour' WHERE id = ${id}::uuid`;
    return { ...seeded, id };
  }

  it("a keep-alive that lands after the sweep read the row wins: it keeps running", async () => {
    const { api, token, id } = await dueWorkspace("race-keepalive");
    const { lifecycle, held } = await heldSweep(async () => {
      const kept = await api.post(`/workspaces/${id}/keepalive`, { token });
      expect(kept.status).toBe(200);
    });
    lifecycle.start();
    try {
      await waitFor(() => held.includes(id), { what: "the sweep held before its CAS" });
      // The step ends (lease released) without stopping the workspace.
      await waitFor(async () => {
        const row = await server.database.prisma.workspace.findUniqueOrThrow({ where: { id } });
        return row.leaseOwner === null;
      });
    } finally {
      await lifecycle.stop();
    }
    const after = (await api.get(`/workspaces/${id}`, { token })).json;
    expect(after).toMatchObject({ status: "running", stop_reason: null });
    expect(Date.parse(after.auto_stop_at)).toBeGreaterThan(Date.now() + 59 * 60_000);
    expect(held.filter((held) => held === id)).toHaveLength(1);
  });

  it("without the keep-alive, the same held sweep stops it with stop_reason idle", async () => {
    const { api, token, id } = await dueWorkspace("race-control");
    const { lifecycle, held } = await heldSweep(async () => {});
    lifecycle.start();
    try {
      await waitFor(async () => {
        const now = (await api.get(`/workspaces/${id}`, { token })).json;
        return now.status === "stopped" ? now : undefined;
      });
    } finally {
      await lifecycle.stop();
    }
    expect(held).toContain(id);
    expect((await api.get(`/workspaces/${id}`, { token })).json.stop_reason).toBe("idle");
  });
});
