import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Prisma } from "../src/generated/prisma/client.js";
import { databaseTargets } from "./kit/database.js";
import { restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

/** The project object's keys, exactly. */
const PROJECT_KEYS = ["created_at", "default_branch", "id", "name"];

describe.each(databaseTargets)("REST projects on $name", (target) => {
  describe.skipIf(target.skip)("GET /projects and POST /projects", () => {
    const server = useServer(target.open);

    async function seeded(label = "rest-projects") {
      const seed = await seedUser(server.services, label);
      const api = restClient(server.url);
      const { token } = seed;
      const create = (json: unknown, headers: Record<string, string> = {}) =>
        api.post("/projects", { token, json, headers });
      const createWithKey = (key: string, json: unknown) =>
        create(json, { "idempotency-key": key });
      const list = (query = "") => api.get(`/projects${query}`, { token });
      const { prisma } = server.database;
      const rows = async () => ({
        projects: await prisma.project.count({ where: { ownerId: seed.user.id } }),
        idempotencyRecords: await prisma.idempotencyRecord.count({
          where: { userId: seed.user.id },
        }),
      });
      return { ...seed, api, create, createWithKey, list, rows };
    }

    describe("POST /projects", () => {
      it("creates a project: 201, Location, the project object; GET /projects/:id reads it", async () => {
        const { create, api, token, rows } = await seeded();
        const before = await rows();
        const created = await create({ name: "  website  " });
        expect(created.status, created.text).toBe(201);
        expect(Object.keys(created.json).sort()).toEqual(PROJECT_KEYS);
        expect(created.json).toMatchObject({ name: "website", default_branch: "main" });
        expect(new Date(created.json.created_at).toISOString()).toBe(created.json.created_at);
        expect(created.headers.get("location")).toBe(`/projects/${created.json.id}`);
        expect(created.headers.get("idempotent-replayed")).toBeNull();
        expect(await rows()).toEqual({ ...before, projects: before.projects + 1 });

        const read = await api.get(created.headers.get("location") ?? "", { token });
        expect(read.status, read.text).toBe(200);
        expect(read.text).toBe(created.text);

        const branch = await create({ name: "api", default_branch: "develop" });
        expect(branch.json.default_branch).toBe("develop");
        const nullBranch = await create({ name: "api", default_branch: null });
        expect(nullBranch.json.default_branch).toBe("main");
      });

      it("accepts a name of 200 characters and refuses 201 (and an empty one) with 400 naming it", async () => {
        const { create, rows } = await seeded();
        const accepted = await create({ name: "n".repeat(200) });
        expect(accepted.status, accepted.text).toBe(201);
        expect(accepted.json.name).toBe("n".repeat(200));
        const before = await rows();
        for (const name of ["n".repeat(201), "", "   "]) {
          const refused = await create({ name });
          expect(refused.status, refused.text).toBe(400);
          expect(refused.json.details).toEqual([
            { field: "name", message: "must be 1 to 200 characters" },
          ]);
        }
        expect(await rows()).toEqual(before);
      });

      it("refuses unknown keys, wrong types, a missing name, bad JSON and a branch with spaces", async () => {
        const { create, api, token, rows } = await seeded();
        const before = await rows();
        const unknown = await create({ name: "x", color: "blue" });
        expect(unknown.status).toBe(400);
        expect(unknown.json.details).toEqual([
          { field: "color", message: 'unknown field "color"' },
        ]);
        const wrongType = await create({ name: 42 });
        expect(wrongType.status).toBe(400);
        expect(wrongType.json.details).toEqual([
          { field: "name", message: "name must be a string (got a number)" },
        ]);
        const missing = await create({});
        expect(missing.status).toBe(400);
        expect(missing.json.details?.[0]?.field).toBe("name");
        const branch = await create({ name: "x", default_branch: "my branch" });
        expect(branch.status).toBe(400);
        expect(branch.json.details).toEqual([
          { field: "default_branch", message: "must be a git branch name" },
        ]);
        const malformed = await api.post("/projects", {
          token,
          body: "{",
          headers: { "content-type": "application/json" },
        });
        expect(malformed.status).toBe(400);
        const anonymous = await api.post("/projects", { json: { name: "x" } });
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer /);
        expect(await rows()).toEqual(before);
      });

      it("answers another user's project, and a missing one, 404 alike", async () => {
        const { api, token } = await seeded();
        const other = await seeded("rest-projects-other");
        const foreign = await api.get(`/projects/${other.project.id}`, { token });
        const missing = await api.get(`/projects/${randomUUID()}`, { token });
        const notUuid = await api.get("/projects/nope", { token });
        expect([foreign.status, missing.status, notUuid.status]).toEqual([404, 404, 404]);
        expect(foreign.text).toBe(missing.text);
        expect(notUuid.text).toBe(missing.text);
      });
    });

    describe("POST /projects with Idempotency-Key", () => {
      it("replays the first response byte for byte for the same key and body, with no new row", async () => {
        const { createWithKey, rows } = await seeded();
        const key = randomUUID();
        const first = await createWithKey(key, { name: "replayed", default_branch: "trunk" });
        expect(first.status, first.text).toBe(201);
        expect(first.headers.get("idempotent-replayed")).toBeNull();
        const before = await rows();

        const replay = await createWithKey(key, { default_branch: "trunk", name: "replayed" });
        expect(replay.status, replay.text).toBe(201);
        expect(replay.text).toBe(first.text);
        expect(replay.headers.get("location")).toBe(first.headers.get("location"));
        expect(replay.headers.get("idempotent-replayed")).toBe("true");
        expect(await rows()).toEqual(before);
      });

      it("replays when the body states the same project differently (defaults, null, spaces)", async () => {
        const { createWithKey, rows } = await seeded();
        const key = randomUUID();
        const first = await createWithKey(key, { name: "same" });
        for (const json of [
          { name: "same", default_branch: "main" },
          { name: "same", default_branch: null },
          { name: " same " },
        ]) {
          const again = await createWithKey(key, json);
          expect(again.status, JSON.stringify(json)).toBe(201);
          expect(again.json.id).toBe(first.json.id);
        }
        expect((await rows()).idempotencyRecords).toBe(1);
      });

      it("answers 422 for the key with another body, and writes nothing", async () => {
        const { createWithKey, rows } = await seeded();
        const key = randomUUID();
        expect((await createWithKey(key, { name: "first" })).status).toBe(201);
        const before = await rows();
        const reused = await createWithKey(key, { name: "second" });
        expect(reused.status, reused.text).toBe(422);
        expect(Object.keys(reused.json)).toEqual(["error"]);
        expect(await rows()).toEqual(before);
      });

      it("shares the user's keys with the workspace create: a workspace's key → 422", async () => {
        const { createWithKey, api, token, project, rows } = await seeded();
        const key = randomUUID();
        const workspace = await api.post(`/projects/${project.id}/workspaces`, {
          token,
          json: {},
          headers: { "idempotency-key": key },
        });
        expect(workspace.status, workspace.text).toBe(201);
        const before = await rows();
        const reused = await createWithKey(key, { name: "x" });
        expect(reused.status, reused.text).toBe(422);
        expect(await rows()).toEqual(before);
      });

      it("answers 409 while the key's first request is in flight, then replays it", async () => {
        const { createWithKey, user, rows } = await seeded();
        const { prisma } = server.database;
        const key = randomUUID();
        const first = await createWithKey(key, { name: "in flight" });
        expect(first.status, first.text).toBe(201);
        // The record as a request still running (or a gateway of the previous version) leaves it.
        const where = { userId_key: { userId: user.id, key } };
        const { response } = await prisma.idempotencyRecord.findUniqueOrThrow({ where });
        await prisma.idempotencyRecord.update({
          where,
          data: { state: "in_flight", response: Prisma.DbNull },
        });
        const during = await createWithKey(key, { name: "in flight" });
        expect(during.status, during.text).toBe(409);
        expect(Object.keys(during.json)).toEqual(["error"]);
        expect(during.headers.get("retry-after")).toBe("1");

        await prisma.idempotencyRecord.update({
          where,
          data: { state: "completed", response: response ?? Prisma.DbNull },
        });
        const after = await createWithKey(key, { name: "in flight" });
        expect(after.status).toBe(201);
        expect(after.text).toBe(first.text);
        expect((await rows()).idempotencyRecords).toBe(1);
      });

      it("accepts a key of 255 characters and refuses 256 (and an empty one) with 400", async () => {
        const { createWithKey, rows } = await seeded();
        const key = `${randomUUID()}${"k".repeat(255 - 36)}`;
        const first = await createWithKey(key, { name: "long key" });
        expect(first.status, first.text).toBe(201);
        expect((await createWithKey(key, { name: "long key" })).json.id).toBe(first.json.id);
        const before = await rows();
        for (const refusedKey of [`${key}k`, ""]) {
          const refused = await createWithKey(refusedKey, { name: "long key" });
          expect(refused.status, refused.text).toBe(400);
          expect(refused.json.details?.[0]?.field).toBe("Idempotency-Key");
        }
        expect(await rows()).toEqual(before);
      });

      it("keeps keys per user: another user's identical key creates its own project", async () => {
        const alice = await seeded();
        const bob = await seeded();
        const key = randomUUID();
        const a = await alice.createWithKey(key, { name: "mine" });
        const b = await bob.createWithKey(key, { name: "mine" });
        expect([a.status, b.status]).toEqual([201, 201]);
        expect(a.json.id).not.toBe(b.json.id);
      });

      it("creates exactly one project for 30 concurrent requests with one key", async () => {
        const { createWithKey, rows } = await seeded();
        const before = await rows();
        const key = randomUUID();
        const responses = await Promise.all(
          Array.from({ length: 30 }, () => createWithKey(key, { name: "concurrent" })),
        );
        const statuses = responses.map((response) => response.status);
        expect(
          statuses.every((status) => status === 201 || status === 409),
          statuses.join(),
        ).toBe(true);
        const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.json.id));
        expect(ids.size).toBe(1);
        expect(await rows()).toEqual({
          projects: before.projects + 1,
          idempotencyRecords: before.idempotencyRecords + 1,
        });
      });
    });

    describe("GET /projects", () => {
      it("lists only the caller's projects, newest first, in the documented shape", async () => {
        const { create, list, project } = await seeded();
        const other = await seeded("rest-projects-other");
        const ids = [project.id];
        for (const name of ["b", "c", "d"]) ids.push((await create({ name })).json.id);
        const listed = await list();
        expect(listed.status, listed.text).toBe(200);
        // Legacy shape: no paging parameters, no `next`, no Link.
        expect(Object.keys(listed.json)).toEqual(["projects"]);
        expect(listed.headers.get("link")).toBeNull();
        const got = listed.json.projects as { id: string; created_at: string }[];
        expect(got.map((p) => p.id).sort()).toEqual([...ids].sort());
        expect(got.map((p) => p.id)).not.toContain(other.project.id);
        for (const item of got) expect(Object.keys(item).sort()).toEqual(PROJECT_KEYS);
        const newestFirst = [...got].sort(
          (a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id),
        );
        expect(got).toEqual(newestFirst);
        expect(got.at(-1)?.id).toBe(project.id);
      });

      it("pages with limit and after, following next and the Link header, like the workspace list", async () => {
        const { create, list, api, token, project } = await seeded();
        for (const name of ["1", "2", "3", "4"]) await create({ name });
        const all = (await list()).json.projects.map((p: { id: string }) => p.id);
        expect(all).toHaveLength(5);

        const seen: string[] = [];
        let query = "?limit=2";
        for (let page = 0; page < 5; page++) {
          const response = await list(query);
          expect(response.status, response.text).toBe(200);
          seen.push(...response.json.projects.map((p: { id: string }) => p.id));
          const { next } = response.json;
          if (next === null) {
            expect(response.headers.get("link")).toBeNull();
            break;
          }
          expect(response.headers.get("link")).toBe(
            `</projects?limit=2&after=${next}>; rel="next"`,
          );
          query = `?limit=2&after=${next}`;
        }
        expect(seen).toEqual(all);

        // The workspace list answers a page in the same form.
        const workspaces = `/projects/${project.id}/workspaces`;
        for (let i = 0; i < 3; i++) {
          expect((await api.post(workspaces, { token, json: { keep_active: true } })).status).toBe(
            201,
          );
        }
        const workspacePage = await api.get(`${workspaces}?limit=2`, { token });
        expect(Object.keys(workspacePage.json)).toEqual(["workspaces", "next"]);
        expect(workspacePage.headers.get("link")).toBe(
          `<${workspaces}?limit=2&after=${workspacePage.json.next}>; rel="next"`,
        );
        const projectPage = await list("?limit=2");
        expect(Object.keys(projectPage.json)).toEqual(["projects", "next"]);
      });

      it("accepts limit 100 and refuses 101, 0 and a bad cursor with the workspace list's 400", async () => {
        const { list, user, api, token, project } = await seeded();
        await server.database.prisma.project.createMany({
          data: Array.from({ length: 100 }, (_, i) => ({ ownerId: user.id, name: `bulk ${i}` })),
        });
        const hundred = await list("?limit=100");
        expect(hundred.status, hundred.text).toBe(200);
        expect(hundred.json.projects).toHaveLength(100);
        expect(hundred.json.next).not.toBeNull();
        const rest = await list(`?limit=100&after=${hundred.json.next}`);
        expect(rest.json.projects).toHaveLength(1);
        expect(rest.json.next).toBeNull();
        // Without a limit: at most 100 too.
        expect((await list()).json.projects).toHaveLength(100);

        const workspaces = `/projects/${project.id}/workspaces`;
        for (const query of ["?limit=101", "?limit=0", "?limit=1.5", "?after=nope"]) {
          const projects = await list(query);
          const workspaceList = await api.get(`${workspaces}${query}`, { token });
          expect(projects.status, query).toBe(400);
          expect(projects.text, query).toBe(workspaceList.text);
        }
      });
    });
  });
});
