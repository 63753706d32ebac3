// Issue 19, what a member and a token see and may start: shared projects in both doors' project
// lists (with the viewer's role), a project-scoped token that sees only its project there and in
// node(id:)/nodes, and that may not create projects or mint tokens for other projects. Real
// servers over HTTP, on the embedded database and on PostgreSQL when TEST_DATABASE_URL is set.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { databaseTargets } from "./kit/database.js";
import { type RestClient, restClient } from "./kit/rest.js";
import { type SeededUser, seedUser } from "./kit/seed.js";
import { type TestServer, useServer } from "./kit/server.js";

async function graphql(url: string, token: string, query: string, variables = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

const PROJECTS = `{ viewer { projects(first: 100) { totalCount edges { node { id viewerRole } } } } }`;

interface ProjectsAnswer {
  viewer: {
    projects: { totalCount: number; edges: { node: { id: string; viewerRole: string } }[] };
  };
}

/** `member` added to `owner`'s project with `role`; a second project of the member's own. */
async function shared(server: TestServer, api: RestClient, role: string) {
  const owner = await seedUser(server.services, "owner");
  const member = await seedUser(server.services, "member");
  const added = await api.post(`/projects/${owner.project.id}/members`, {
    token: owner.token,
    json: { email: member.user.email, role },
  });
  expect(added.status).toBe(201);
  return { owner, member };
}

async function scopedToken(api: RestClient, user: SeededUser, body: Record<string, unknown>) {
  const made = await api.post("/user/tokens", { token: user.token, json: { name: "ci", ...body } });
  expect(made.status, made.text).toBe(201);
  return made.json.token as string;
}

describe.each(databaseTargets)("shared projects and scoped tokens on $name", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open);

    it("lists shared projects in User.projects with viewerRole, and in GET /projects", async () => {
      const api = restClient(server.url);
      const { owner, member } = await shared(server, api, "developer");
      const read = await graphql(server.url, member.token, PROJECTS);
      expect(read.body.errors).toBeUndefined();
      const projects = (read.body.data as ProjectsAnswer).viewer.projects;
      expect(projects.totalCount).toBe(2);
      // Newest first: the shared project was created before the member's own.
      expect(projects.edges.map((edge) => edge.node)).toEqual([
        { id: member.project.id, viewerRole: "ADMIN" },
        { id: owner.project.id, viewerRole: "DEVELOPER" },
      ]);
      const listed = await api.get("/projects", { token: member.token });
      expect(listed.status).toBe(200);
      expect(listed.json.projects.map((p: { id: string }) => p.id)).toEqual([
        member.project.id,
        owner.project.id,
      ]);
      // The owner's list is unchanged by sharing.
      const ownerList = await graphql(server.url, owner.token, PROJECTS);
      expect((ownerList.body.data as ProjectsAnswer).viewer.projects.edges).toEqual([
        { node: { id: owner.project.id, viewerRole: "ADMIN" } },
      ]);
      // Removed, the project leaves both lists.
      const removed = await api.delete(`/projects/${owner.project.id}/members/${member.user.id}`, {
        token: owner.token,
      });
      expect(removed.status).toBe(204);
      const after = await graphql(server.url, member.token, PROJECTS);
      expect((after.body.data as ProjectsAnswer).viewer.projects.totalCount).toBe(1);
      const listedAfter = await api.get("/projects", { token: member.token });
      expect(listedAfter.json.projects.map((p: { id: string }) => p.id)).toEqual([
        member.project.id,
      ]);
    });

    it("shows a project-scoped token only its project in User.projects, GET /projects, node and nodes", async () => {
      const api = restClient(server.url);
      const { owner, member } = await shared(server, api, "viewer");
      const token = await scopedToken(api, member, { project_id: owner.project.id });
      const read = await graphql(server.url, token, PROJECTS);
      expect(read.body.errors).toBeUndefined();
      expect((read.body.data as ProjectsAnswer).viewer.projects).toEqual({
        totalCount: 1,
        edges: [{ node: { id: owner.project.id, viewerRole: "VIEWER" } }],
      });
      const listed = await api.get("/projects", { token });
      expect(listed.json.projects.map((p: { id: string }) => p.id)).toEqual([owner.project.id]);
      // The member's own project reads as missing to it, exactly like an unknown id.
      const node = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
      const nodes = await graphql(server.url, token, node, {
        ids: [member.project.id, owner.project.id, randomUUID()],
      });
      expect(nodes.body.data.nodes).toEqual([null, { id: owner.project.id }, null]);
      const one = await graphql(server.url, token, `query($id: ID!) { node(id: $id) { id } }`, {
        id: member.project.id,
      });
      expect(one.body.data.node).toBeNull();
      // The same reads with the member's unlimited token see both.
      const full = await graphql(server.url, member.token, node, {
        ids: [member.project.id, owner.project.id],
      });
      expect(full.body.data.nodes).toEqual([{ id: member.project.id }, { id: owner.project.id }]);
    });

    it("refuses a project create by a project-scoped or viewer-capped token (403, ForbiddenError), creating nothing", async () => {
      const api = restClient(server.url);
      const user = await seedUser(server.services, "creator");
      const scoped = await scopedToken(api, user, { project_id: user.project.id });
      const readOnly = await scopedToken(api, user, { role: "viewer" });
      const developer = await scopedToken(api, user, { role: "developer" });
      const owned = () =>
        server.database.prisma.project.count({ where: { ownerId: user.user.id } });
      const before = await owned();
      const create = `mutation { createProject(input: {name: "x"}) {
        __typename ... on ForbiddenError { message requiredRole } } }`;
      for (const token of [scoped, readOnly]) {
        const rest = await api.post("/projects", { token, json: { name: "x" } });
        expect(rest.status).toBe(403);
        expect(Object.keys(rest.json)).toEqual(["error"]);
        const keyed = await api.post("/projects", {
          token,
          json: { name: "x" },
          headers: { "idempotency-key": randomUUID() },
        });
        expect(keyed.status).toBe(403);
        const answer = await graphql(server.url, token, create);
        expect(answer.body.errors).toBeUndefined();
        expect(answer.body.data.createProject).toMatchObject({
          __typename: "ForbiddenError",
          requiredRole: "DEVELOPER",
        });
      }
      expect(await owned()).toBe(before);
      // A developer-capped token and the user's own token may.
      expect((await api.post("/projects", { token: developer, json: { name: "d" } })).status).toBe(
        201,
      );
      expect((await api.post("/projects", { token: user.token, json: { name: "u" } })).status).toBe(
        201,
      );
      expect(await owned()).toBe(before + 2);
    });

    it("refuses a project-scoped token a token for another project: 403 for the user's own, 404 for someone else's", async () => {
      const api = restClient(server.url);
      const user = await seedUser(server.services, "minter");
      const stranger = await seedUser(server.services, "stranger");
      const second = await api.post("/projects", { token: user.token, json: { name: "second" } });
      expect(second.status).toBe(201);
      const scoped = await scopedToken(api, user, { project_id: user.project.id });
      const tokens = () =>
        server.database.prisma.apiToken.count({ where: { userId: user.user.id } });
      const before = await tokens();
      const own = await api.post("/user/tokens", {
        token: scoped,
        json: { name: "wider", project_id: second.json.id },
      });
      expect(own.status).toBe(403);
      const foreign = await api.post("/user/tokens", {
        token: scoped,
        json: { name: "wider", project_id: stranger.project.id },
      });
      const missing = await api.post("/user/tokens", {
        token: scoped,
        json: { name: "wider", project_id: randomUUID() },
      });
      expect(foreign.status).toBe(404);
      expect(foreign.text).toBe(missing.text);
      const mutation = `mutation($p: ID) { createApiToken(input: {name: "w", projectId: $p}) {
        __typename } }`;
      const viaGraphql = await graphql(server.url, scoped, mutation, { p: second.json.id });
      expect(viaGraphql.body.data.createApiToken.__typename).not.toBe("CreateApiTokenSuccess");
      const unlimited = await graphql(server.url, scoped, mutation, { p: null });
      expect(unlimited.body.data.createApiToken.__typename).not.toBe("CreateApiTokenSuccess");
      expect(await tokens()).toBe(before);
      // Within its own project it may.
      const same = await api.post("/user/tokens", { token: scoped, json: { name: "same" } });
      expect(same.status).toBe(201);
      expect(same.json.project_id).toBe(user.project.id);
    });
  });
});
