import { describe, expect, it } from "vitest";
import { databaseTargets } from "./kit/database.js";
import {
  DEFAULT_HARDWARE,
  HARDWARE_KEYS,
  type RestResponse,
  seedRestUser,
  unchangingFields,
  WORKSPACE_KEYS,
} from "./kit/rest.js";
import { useServer } from "./kit/server.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every property of a fresh workspace that the contract fixes. */
function expectCreated(response: RestResponse, projectId: string) {
  expect(response.status, response.text).toBe(201);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const workspace = response.json;
  expect(Object.keys(workspace).sort()).toEqual(WORKSPACE_KEYS);
  expect(Object.keys(workspace.hardware).sort()).toEqual(HARDWARE_KEYS);
  expect(response.headers.get("location")).toBe(`/workspaces/${workspace.id}`);
  expect(workspace.id).toMatch(UUID);
  expect(workspace.project_id).toBe(projectId);
  expect(workspace.status).toBe("creating");
  expect(workspace.machine_id).toBeNull();
  expect(workspace.private_ip).toBeNull();
  expect(workspace.git_ref).toBeNull();
  expect(workspace.error_message).toBeNull();
  // ptk_ + at least 128 bits: 22 base64url characters or more.
  expect(workspace.preview_token).toMatch(/^ptk_[A-Za-z0-9_-]{22,}$/);
  for (const stamp of [workspace.created_at, workspace.updated_at]) {
    expect(new Date(stamp).toISOString()).toBe(stamp);
  }
  return workspace;
}

describe.each(databaseTargets)("REST create on $name", (target) => {
  describe.skipIf(target.skip)("POST /projects/:id/workspaces", () => {
    const server = useServer(target.open);

    const seeded = () => seedRestUser(server, "rest-create");

    it("creates a workspace from an absent body with the system default hardware", async () => {
      const { api, path, token, project, rows } = await seeded();
      const response = await api.post(path, { token });
      const workspace = expectCreated(response, project.id);
      expect(workspace.hardware).toEqual(DEFAULT_HARDWARE);
      expect(workspace.keep_active).toBe(false);
      expect(await rows()).toEqual({ workspaces: 1, idempotencyRecords: 0 });
    });

    it("treats an empty body, with or without Content-Type: application/json, as {}", async () => {
      const { api, path, token, project, rows } = await seeded();
      const bodies = [
        { body: "", headers: { "content-type": "application/json" } },
        { body: "  \n", headers: { "content-type": "application/json; charset=utf-8" } },
        { body: "" },
        { json: {} },
      ];
      for (const options of bodies) {
        const workspace = expectCreated(await api.post(path, { token, ...options }), project.id);
        expect(workspace.hardware).toEqual(DEFAULT_HARDWARE);
        expect(workspace.keep_active).toBe(false);
      }
      expect((await rows()).workspaces).toBe(bodies.length);
    });

    it("treats hardware: null as the defaults", async () => {
      const { api, path, token, project } = await seeded();
      const workspace = expectCreated(
        await api.post(path, { token, json: { hardware: null, keep_active: true } }),
        project.id,
      );
      expect(workspace.hardware).toEqual(DEFAULT_HARDWARE);
      expect(workspace.keep_active).toBe(true);
    });

    it("stores the documented example request as given", async () => {
      const { api, path, token, project } = await seeded();
      const hardware = {
        cpu_kind: "performance",
        cpus: 2,
        memory_mb: 8192,
        volume_size_gb: 50,
        gpu_kind: null,
      };
      const workspace = expectCreated(
        await api.post(path, { token, json: { hardware, keep_active: false } }),
        project.id,
      );
      expect(workspace.hardware).toEqual(hardware);
    });

    it("takes omitted hardware from the user's default_hardware set through PUT /user/settings", async () => {
      const { api, path, token, project } = await seeded();
      const defaults = {
        cpu_kind: "shared",
        cpus: 4,
        memory_mb: 4096,
        volume_size_gb: 20,
        gpu_kind: null,
      };
      const settings = await api.put("/user/settings", {
        token,
        json: { default_hardware: defaults },
      });
      expect(settings.status, settings.text).toBe(200);

      const omitted = expectCreated(await api.post(path, { token }), project.id);
      expect(omitted.hardware).toEqual(defaults);
      const nulled = expectCreated(
        await api.post(path, { token, json: { hardware: null } }),
        project.id,
      );
      expect(nulled.hardware).toEqual(defaults);
    });

    it("merges partial hardware field by field: request, then default_hardware, then the system default", async () => {
      const { api, path, token, project } = await seeded();
      await api.put("/user/settings", { token, json: { default_hardware: { cpus: 4 } } });

      const partial = expectCreated(
        await api.post(path, { token, json: { hardware: { memory_mb: 8192 } } }),
        project.id,
      );
      expect(partial.hardware).toEqual({ ...DEFAULT_HARDWARE, cpus: 4, memory_mb: 8192 });

      const override = expectCreated(
        await api.post(path, { token, json: { hardware: { cpus: 1, memory_mb: 512 } } }),
        project.id,
      );
      expect(override.hardware).toEqual({ ...DEFAULT_HARDWARE, cpus: 1, memory_mb: 512 });
    });

    it("answers with the same object that GET on the Location returns", async () => {
      const { api, path, token, project } = await seeded();
      const created = await api.post(path, { token, json: { keep_active: true } });
      const workspace = expectCreated(created, project.id);
      const fetched = await api.get(created.headers.get("location") ?? "", { token });
      expect(fetched.status, fetched.text).toBe(200);
      expect(fetched.json).toMatchObject(unchangingFields(workspace));
    });

    it("stores every one of 30 concurrent creates on one project", async () => {
      const { api, path, token, project, rows } = await seeded();
      const responses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          api.post(path, { token, json: { keep_active: i % 2 === 0 } }),
        ),
      );
      const ids = responses.map((response) => expectCreated(response, project.id).id);
      expect(new Set(ids).size).toBe(30);
      expect((await rows()).workspaces).toBe(30);
      const listed = await api.get(path, { token });
      expect(new Set(listed.json.workspaces.map((w: { id: string }) => w.id))).toEqual(
        new Set(ids),
      );
    });
  });
});
