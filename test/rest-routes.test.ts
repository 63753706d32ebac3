import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { databaseTargets } from "./kit/database.js";
import {
  DEFAULT_HARDWARE,
  HARDWARE_KEYS,
  seedRestUser,
  settleWorkspace,
  unchangingFields,
  WORKSPACE_KEYS,
} from "./kit/rest.js";
import { seedUser, workspaceRow } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

/** The key settings gained with workspace policies (additive): IDLE_TIMEOUT_MINUTES's default. */
const AUTO_STOP_DEFAULT = { default_auto_stop_minutes: 10 };

describe.each(databaseTargets)("REST sibling routes on $name", (target) => {
  describe.skipIf(target.skip)("workspaces and settings", () => {
    const server = useServer(target.open);

    async function seeded() {
      const seed = await seedRestUser(server, "rest-routes");
      const create = async (json: unknown = {}) => {
        const response = await seed.api.post(seed.path, { token: seed.token, json });
        expect(response.status, response.text).toBe(201);
        return response.json as { id: string; [key: string]: unknown };
      };
      return { ...seed, list: seed.path, create };
    }

    const setStatus = (id: string, status: "running" | "stopped") =>
      settleWorkspace(server, id, status);

    describe("GET /projects/:id/workspaces", () => {
      it("lists the project's workspaces, newest first, as {workspaces: [...]}", async () => {
        const { api, list, token, create } = await seeded();
        const empty = await api.get(list, { token });
        expect(empty.status, empty.text).toBe(200);
        expect(empty.json).toEqual({ workspaces: [] });

        const first = await create();
        const second = await create({ keep_active: true });
        const response = await api.get(list, { token });
        expect(response.status).toBe(200);
        expect(Object.keys(response.json)).toEqual(["workspaces"]);
        expect(response.json.workspaces.map((w: { id: string }) => w.id)).toEqual([
          second.id,
          first.id,
        ]);
        for (const workspace of response.json.workspaces) {
          expect(Object.keys(workspace).sort()).toEqual(WORKSPACE_KEYS);
          expect(Object.keys(workspace.hardware).sort()).toEqual(HARDWARE_KEYS);
        }
      });

      it("pages with limit and after: next cursor in the body and a Link header, to the end", async () => {
        const { api, list, token, create } = await seeded();
        const made: string[] = [];
        for (let i = 0; i < 5; i++) made.unshift((await create()).id);

        const seen: string[] = [];
        let url: string | null = `${list}?limit=2`;
        const pages: number[] = [];
        while (url) {
          const page = await api.get(url, { token });
          expect(page.status, page.text).toBe(200);
          expect(Object.keys(page.json).sort()).toEqual(["next", "workspaces"]);
          pages.push(page.json.workspaces.length);
          seen.push(...page.json.workspaces.map((w: { id: string }) => w.id));
          const link = page.headers.get("link");
          if (page.json.next === null) {
            expect(link).toBeNull();
            url = null;
          } else {
            expect(link).toBe(`<${list}?limit=2&after=${page.json.next}>; rel="next"`);
            url = link?.slice(1, link.indexOf(">")) ?? null;
          }
        }
        expect(pages).toEqual([2, 2, 1]);
        expect(seen).toEqual(made);
      });

      it("takes limit 1 to 100 and refuses 0, 101, a fraction and a forged cursor with 400", async () => {
        const { api, list, token, create } = await seeded();
        await create();
        for (const limit of ["1", "100"]) {
          const page = await api.get(`${list}?limit=${limit}`, { token });
          expect(page.status, limit).toBe(200);
        }
        for (const query of ["limit=0", "limit=101", "limit=1.5", "limit=x", "after=bm9wZQ"]) {
          const response = await api.get(`${list}?${query}`, { token });
          expect(response.status, query).toBe(400);
          expect(response.json.details?.[0]?.field, query).toBe(query.split("=")[0]);
        }
      });

      it("answers a legacy client (no paging parameters) with at most 100, in the documented shape", async () => {
        const { api, list, token, project } = await seeded();
        await server.database.prisma.workspace.createMany({
          data: Array.from({ length: 101 }, () => workspaceRow(project.id)),
        });
        const response = await api.get(list, { token });
        expect(response.status).toBe(200);
        expect(Object.keys(response.json)).toEqual(["workspaces"]);
        expect(response.json.workspaces).toHaveLength(100);
        expect(response.headers.get("link")).toBeNull();
      });

      it("answers one identical 404 for a non-UUID, a missing and another user's project", async () => {
        const { api, token } = await seeded();
        const other = await seedUser(server.services, "rest-routes-other");
        const texts = new Set<string>();
        for (const id of ["nope", randomUUID(), other.project.id]) {
          const response = await api.get(`/projects/${id}/workspaces`, { token });
          expect(response.status).toBe(404);
          texts.add(response.text);
        }
        expect([...texts]).toEqual(['{"error":"project not found"}']);
      });
    });

    describe("GET /workspaces/:id", () => {
      it("answers the workspace object with exactly the documented keys", async () => {
        const { api, token, create } = await seeded();
        const created = await create({ hardware: { cpus: 4, memory_mb: 4096 } });
        const response = await api.get(`/workspaces/${created.id}`, { token });
        expect(response.status, response.text).toBe(200);
        expect(Object.keys(response.json).sort()).toEqual(WORKSPACE_KEYS);
        expect(response.json).toMatchObject(unchangingFields(created));
      });

      it("answers HEAD without a body", async () => {
        const { api, token, create } = await seeded();
        const { id } = await create();
        const response = await api.request("HEAD", `/workspaces/${id}`, { token });
        expect(response.status).toBe(200);
        expect(response.text).toBe("");
      });

      it("answers one identical 404 for a non-UUID, a missing and another user's workspace", async () => {
        const { api, token } = await seeded();
        const other = await seeded();
        const foreign = await other.create();
        const ids = ["nope", "y".repeat(500), randomUUID(), foreign.id];
        const texts = new Set<string>();
        for (const id of ids) {
          for (const [method, path] of [
            ["GET", `/workspaces/${id}`],
            ["POST", `/workspaces/${id}/stop`],
            ["POST", `/workspaces/${id}/start`],
            ["DELETE", `/workspaces/${id}`],
          ] as const) {
            const response = await api.request(method, path, { token });
            expect(response.status, `${method} ${path}`).toBe(404);
            texts.add(response.text);
          }
        }
        expect([...texts]).toEqual(['{"error":"workspace not found"}']);
        const untouched = await other.api.get(`/workspaces/${foreign.id}`, { token: other.token });
        expect(untouched.status).toBe(200);
      });
    });

    describe("POST /workspaces/:id/stop and /start", () => {
      it("stops a running workspace and starts a stopped one, answering the workspace", async () => {
        const { api, token, create } = await seeded();
        const { id } = await create();
        await setStatus(id, "running");
        const stopped = await api.post(`/workspaces/${id}/stop`, { token });
        expect(stopped.status, stopped.text).toBe(200);
        expect(Object.keys(stopped.json).sort()).toEqual(WORKSPACE_KEYS);
        expect(stopped.json).toMatchObject({ id, status: "stopping" });

        await setStatus(id, "stopped");
        const started = await api.post(`/workspaces/${id}/start`, { token });
        expect(started.status, started.text).toBe(200);
        expect(started.json).toMatchObject({ id, status: "starting" });
      });

      it("answers 400 with the service's message when the state does not allow it", async () => {
        const { api, token, create } = await seeded();
        const { id } = await create();
        await setStatus(id, "stopped");
        const stop = await api.post(`/workspaces/${id}/stop`, { token });
        expect(stop.status, stop.text).toBe(400);
        expect(stop.json).toEqual({ error: "cannot stop a workspace that is stopped" });
        await setStatus(id, "running");
        const start = await api.post(`/workspaces/${id}/start`, { token });
        expect(start.status, start.text).toBe(400);
        expect(start.json).toEqual({ error: "cannot start a workspace that is running" });
      });

      it("ignores whatever body a client sends along", async () => {
        const { api, token, create } = await seeded();
        const { id } = await create();
        await setStatus(id, "running");
        const response = await api.post(`/workspaces/${id}/stop`, {
          token,
          body: "force=true",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expect(response.status, response.text).toBe(200);
      });
    });

    describe("DELETE /workspaces/:id", () => {
      it("answers 204 with no body, then the workspace is gone", async () => {
        const { api, token, list, create } = await seeded();
        const { id } = await create();
        const response = await api.delete(`/workspaces/${id}`, { token });
        expect(response.status, response.text).toBe(204);
        expect(response.text).toBe("");
        expect((await api.get(`/workspaces/${id}`, { token })).status).toBe(404);
        expect((await api.delete(`/workspaces/${id}`, { token })).status).toBe(404);
        expect((await api.get(list, { token })).json).toEqual({ workspaces: [] });
      });
    });

    describe("GET and PUT /user/settings", () => {
      it("answers the system default with all five fields for a new user", async () => {
        const { api, token } = await seeded();
        const response = await api.get("/user/settings", { token });
        expect(response.status, response.text).toBe(200);
        expect(response.json).toEqual({ default_hardware: DEFAULT_HARDWARE, ...AUTO_STOP_DEFAULT });
      });

      it("replaces default_hardware (left-out fields fall back to the system default; {} resets)", async () => {
        const { api, token } = await seeded();
        const first = await api.put("/user/settings", {
          token,
          json: { default_hardware: { cpus: 4, memory_mb: 4096 } },
        });
        expect(first.status, first.text).toBe(200);
        expect(first.json).toEqual({
          default_hardware: { ...DEFAULT_HARDWARE, cpus: 4, memory_mb: 4096 },
          ...AUTO_STOP_DEFAULT,
        });
        const second = await api.put("/user/settings", {
          token,
          json: { default_hardware: { volume_size_gb: 100 } },
        });
        expect(second.json).toEqual({
          default_hardware: { ...DEFAULT_HARDWARE, volume_size_gb: 100 },
          ...AUTO_STOP_DEFAULT,
        });
        expect((await api.get("/user/settings", { token })).json).toEqual(second.json);
        const reset = await api.put("/user/settings", { token, json: { default_hardware: {} } });
        expect(reset.json).toEqual({ default_hardware: DEFAULT_HARDWARE, ...AUTO_STOP_DEFAULT });
      });

      it("validates like a create, with issues under default_hardware, and changes nothing", async () => {
        const { api, token } = await seeded();
        const cases: [unknown, string[]][] = [
          [{ default_hardware: { cpus: 4, turbo: true } }, ["default_hardware.turbo"]],
          [{ default_hardware: { memory_mb: 100 } }, ["default_hardware.memory_mb"]],
          [{ default_hardware: { cpus: "4" } }, ["default_hardware.cpus"]],
          [{ default_hardware: {}, theme: "dark" }, ["theme"]],
          [{ default_hardware: null }, ["default_hardware"]],
          [{}, ["default_hardware"]],
          [[], []],
        ];
        for (const [json, fields] of cases) {
          const response = await api.put("/user/settings", { token, json });
          expect(response.status, JSON.stringify(json)).toBe(400);
          expect(typeof response.json.error).toBe("string");
          expect(
            (response.json.details ?? []).map((d: { field: string }) => d.field).sort(),
            JSON.stringify(json),
          ).toEqual(fields);
        }
        const malformed = await api.put("/user/settings", {
          token,
          body: "{",
          headers: { "content-type": "application/json" },
        });
        expect(malformed.status).toBe(400);
        expect((await api.get("/user/settings", { token })).json).toEqual({
          default_hardware: DEFAULT_HARDWARE,
          ...AUTO_STOP_DEFAULT,
        });
      });
    });
  });
});
