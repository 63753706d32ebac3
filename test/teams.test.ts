// Issue 19, teams: one access rule (services/access-policy.ts) for every door, members with
// roles, self-service tokens limited to a project, a role and an expiry. Real servers over HTTP
// and WebSocket, on the embedded database and on PostgreSQL when TEST_DATABASE_URL is set.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ACTION_ROLES } from "../src/services/access-policy.js";
import { databaseTargets } from "./kit/database.js";
import { graphqlWsClient } from "./kit/graphql.js";
import { type RestClient, restClient } from "./kit/rest.js";
import { type SeededUser, seedTeam, seedUser, workspaceRow } from "./kit/seed.js";
import { useServer } from "./kit/server.js";
import { wsWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

type Role = "viewer" | "developer" | "admin";

/** A team: an admin's project with a viewer, a developer and an outsider. */

/** An SSE response read to its end (or until aborted): resolves with what it received. */
function openStream(url: string, token: string) {
  const controller = new AbortController();
  let received = "";
  const ended = (async () => {
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      received += decoder.decode(chunk.value);
    }
    return response.status;
  })();
  return { ended, received: () => received, close: () => controller.abort() };
}

async function graphql(url: string, token: string, query: string, variables = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

describe.each(databaseTargets)("teams on $name", (target) => {
  describe.skipIf(target.skip)("the access rule, members and tokens", () => {
    const server = useServer(target.open);

    it("answers every project action per role: allowed, 403 for a member without the role, 404 (as missing) for a non-member", async () => {
      const api = restClient(server.url);
      const t = await seedTeam(server);
      const projectId = t.admin.project.id;
      const missing = randomUUID();
      const callers: [string, SeededUser, Role | null][] = [
        ["viewer", t.viewer, "viewer"],
        ["developer", t.developer, "developer"],
        ["admin", t.admin, "admin"],
        ["non-member", t.outsider, null],
      ];
      const rank = { viewer: 0, developer: 1, admin: 2 } as const;
      for (const [name, caller, role] of callers) {
        // A fresh running workspace per caller, so that stop and delete find it as they expect.
        const workspace = await server.database.prisma.workspace.create({
          data: workspaceRow(projectId, { status: "stopped" }),
        });
        const actions: [
          keyof typeof ACTION_ROLES,
          () => ReturnType<RestClient["get"]>,
          () => ReturnType<RestClient["get"]>,
        ][] = [
          [
            "project.read",
            () => api.get(`/projects/${projectId}`, { token: caller.token }),
            () => api.get(`/projects/${missing}`, { token: caller.token }),
          ],
          [
            "workspace.read",
            () => api.get(`/projects/${projectId}/workspaces`, { token: caller.token }),
            () => api.get(`/projects/${missing}/workspaces`, { token: caller.token }),
          ],
          [
            "members.read",
            () => api.get(`/projects/${projectId}/members`, { token: caller.token }),
            () => api.get(`/projects/${missing}/members`, { token: caller.token }),
          ],
          [
            "workspace.read",
            () => api.get(`/workspaces/${workspace.id}`, { token: caller.token }),
            () => api.get(`/workspaces/${randomUUID()}`, { token: caller.token }),
          ],
          [
            "workspace.create",
            () => api.post(`/projects/${projectId}/workspaces`, { token: caller.token, json: {} }),
            () => api.post(`/projects/${missing}/workspaces`, { token: caller.token, json: {} }),
          ],
          [
            "workspace.start",
            () => api.post(`/workspaces/${workspace.id}/start`, { token: caller.token }),
            () => api.post(`/workspaces/${randomUUID()}/start`, { token: caller.token }),
          ],
          [
            "workspace.delete",
            () => api.delete(`/workspaces/${workspace.id}`, { token: caller.token }),
            () => api.delete(`/workspaces/${randomUUID()}`, { token: caller.token }),
          ],
          [
            "members.manage",
            () =>
              api.post(`/projects/${projectId}/members`, {
                token: caller.token,
                json: { email: `x-${randomUUID()}@example.com`, role: "viewer" },
              }),
            () =>
              api.post(`/projects/${missing}/members`, {
                token: caller.token,
                json: { email: "x@example.com", role: "viewer" },
              }),
          ],
        ];
        for (const [action, run, runMissing] of actions) {
          // What a request changes (the engine moves statuses on its own meanwhile).
          const rows = () =>
            server.database.prisma.workspace.findMany({
              // Rows deleted earlier are removed by the engine whenever it gets to them.
              where: { projectId, desiredState: { not: "deleted" } },
              orderBy: { id: "asc" },
              select: { id: true, desiredState: true },
            });
          const before = await rows();
          const members = await server.database.prisma.projectMember.count({
            where: { projectId },
          });
          const answer = await run();
          const needed = ACTION_ROLES[action];
          const what = `${name} ${action} ${answer.method} ${answer.path}`;
          if (role === null) {
            const absent = await runMissing();
            expect(answer.status, what).toBe(404);
            expect(answer.text, what).toBe(absent.text);
          } else if (rank[role] < rank[needed]) {
            expect(answer.status, what).toBe(403);
            expect(answer.json, what).toEqual({
              error: `this needs the ${needed} role on the project`,
            });
          } else {
            expect([200, 201, 204], what).toContain(answer.status);
          }
          if (role === null || rank[role] < rank[needed]) {
            // A refusal changes nothing.
            expect(await rows(), what).toEqual(before);
            expect(await server.database.prisma.projectMember.count({ where: { projectId } })).toBe(
              members,
            );
          }
        }
      }
    });

    it("answers GraphQL's ForbiddenError to a viewer, ProjectNotFoundError to a non-member, and viewerRole per member", async () => {
      const _api = restClient(server.url);
      const t = await seedTeam(server);
      const create = `mutation($p: ID!) { createWorkspace(input: {projectId: $p}) {
        __typename ... on ForbiddenError { message requiredRole } ... on ProjectNotFoundError { message } } }`;
      const asViewer = await graphql(server.url, t.viewer.token, create, { p: t.admin.project.id });
      expect(asViewer.body.errors).toBeUndefined();
      expect(asViewer.body.data.createWorkspace).toEqual({
        __typename: "ForbiddenError",
        message: "this needs the developer role on the project",
        requiredRole: "DEVELOPER",
      });
      const asOutsider = await graphql(server.url, t.outsider.token, create, {
        p: t.admin.project.id,
      });
      expect(asOutsider.body.data.createWorkspace.__typename).toBe("ProjectNotFoundError");
      const role = `query($p: ID!) { project(id: $p) { viewerRole members { email role } } }`;
      for (const [member, expected] of [
        [t.viewer, "VIEWER"],
        [t.developer, "DEVELOPER"],
        [t.admin, "ADMIN"],
      ] as const) {
        const read = await graphql(server.url, member.token, role, { p: t.admin.project.id });
        expect(read.body.data.project.viewerRole).toBe(expected);
        expect(read.body.data.project.members).toHaveLength(3);
      }
      expect(
        (await graphql(server.url, t.outsider.token, role, { p: t.admin.project.id })).body.data
          .project,
      ).toBeNull();
    });

    it("limits a project-scoped token to its project, and a viewer-role token of an admin to reading", async () => {
      const api = restClient(server.url);
      const owner = await seedUser(server.services, "scoped");
      const other = await server.services.projects.create(owner.user.id, { name: "other" });
      if (!other.ok) throw new Error("no project");
      const otherWorkspace = await server.database.prisma.workspace.create({
        data: workspaceRow(other.value.id),
      });
      const scoped = await api.post("/user/tokens", {
        token: owner.token,
        json: { name: "ci", project_id: owner.project.id },
      });
      expect(scoped.status).toBe(201);
      expect(scoped.json).toMatchObject({ name: "ci", project_id: owner.project.id, role: null });
      const token = scoped.json.token as string;
      const listed = await api.get("/projects", { token });
      expect(listed.json.projects.map((p: { id: string }) => p.id)).toEqual([owner.project.id]);
      const foreign = await api.get(`/projects/${other.value.id}`, { token });
      const absent = await api.get(`/projects/${randomUUID()}`, { token });
      expect(foreign.status).toBe(404);
      expect(foreign.text).toBe(absent.text);
      expect((await api.get(`/workspaces/${otherWorkspace.id}`, { token })).status).toBe(404);
      expect(
        (await api.get(`/workspaces/${otherWorkspace.id}`, { token: owner.token })).status,
      ).toBe(200);
      // It cannot mint a broader token.
      const broader = await api.post("/user/tokens", {
        token,
        json: { name: "x", project_id: null },
      });
      expect(broader.status).toBe(403);

      const viewerToken = await api.post("/user/tokens", {
        token: owner.token,
        json: { name: "read-only", role: "viewer" },
      });
      expect(viewerToken.status).toBe(201);
      const readOnly = viewerToken.json.token as string;
      expect(
        (await api.get(`/projects/${owner.project.id}/workspaces`, { token: readOnly })).status,
      ).toBe(200);
      const refused = await api.post(`/projects/${owner.project.id}/workspaces`, {
        token: readOnly,
        json: {},
      });
      expect(refused.status).toBe(403);
      expect(
        (await api.delete(`/workspaces/${otherWorkspace.id}`, { token: readOnly })).status,
      ).toBe(403);
      expect(
        (await api.post("/user/tokens", { token: readOnly, json: { name: "up", role: "admin" } }))
          .status,
      ).toBe(403);
      // Left out, the role is the asking token's.
      const inherited = await api.post("/user/tokens", { token: readOnly, json: { name: "same" } });
      expect(inherited.status).toBe(201);
      expect(inherited.json.role).toBe("viewer");
      // The list never shows a secret.
      const tokens = await api.get("/user/tokens", { token: owner.token });
      expect(tokens.text).not.toContain(token);
      expect(tokens.json.tokens.length).toBeGreaterThanOrEqual(4);
    });

    it("refuses an expired token with 401, also while it is cached, and ends its event stream at expiry", async () => {
      const api = restClient(server.url);
      const owner = await seedUser(server.services, "expiry");
      const workspace = await server.database.prisma.workspace.create({
        data: workspaceRow(owner.project.id),
      });
      const made = await api.post("/user/tokens", {
        token: owner.token,
        json: { name: "short", expires_in_days: 1 },
      });
      expect(made.status).toBe(201);
      // Moved close to its end in the database before its first use (so the cache holds it).
      await server.database.prisma.apiToken.update({
        where: { id: made.json.id },
        data: { expiresAt: new Date(Date.now() + 2000) },
      });
      const token = made.json.token as string;
      expect((await api.get("/user/settings", { token })).status).toBe(200);
      const stream = openStream(`${server.url}/workspaces/${workspace.id}/events`, token);
      await waitFor(() => stream.received().includes("event: workspace"), { what: "the snapshot" });
      await stream.ended;
      await waitFor(async () => (await api.get("/user/settings", { token })).status === 401, {
        what: "the expired token to be refused",
      });
      const refused = await api.get("/user/settings", { token });
      expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
    });

    it("keeps the last admin: removing or demoting them is 400, after another admin it works", async () => {
      const api = restClient(server.url);
      const t = await seedTeam(server);
      const base = `/projects/${t.admin.project.id}/members`;
      const removeSelf = await api.delete(`${base}/${t.admin.user.id}`, { token: t.admin.token });
      expect(removeSelf.status).toBe(400);
      expect(removeSelf.json.error).toMatch(/at least one admin/);
      const demote = await api.request("PATCH", `${base}/${t.admin.user.id}`, {
        token: t.admin.token,
        json: { role: "developer" },
      });
      expect(demote.status).toBe(400);
      const promote = await api.request("PATCH", `${base}/${t.developer.user.id}`, {
        token: t.admin.token,
        json: { role: "admin" },
      });
      expect(promote.status).toBe(200);
      const now = await api.request("PATCH", `${base}/${t.admin.user.id}`, {
        token: t.admin.token,
        json: { role: "viewer" },
      });
      expect(now.status).toBe(200);
      // Any member may leave.
      expect(
        (await api.delete(`${base}/${t.viewer.user.id}`, { token: t.viewer.token })).status,
      ).toBe(204);
      expect(
        (await api.get(`/projects/${t.admin.project.id}`, { token: t.viewer.token })).status,
      ).toBe(404);
    });

    it("answers the same bytes for an email with and without an account; the pending one activates when the user is created", async () => {
      const api = restClient(server.url);
      const admin = await seedUser(server.services, "inviter");
      const known = await seedUser(server.services, "known");
      const unknownEmail = `later-${randomUUID()}@example.com`;
      const base = `/projects/${admin.project.id}/members`;
      const a = await api.post(base, {
        token: admin.token,
        json: { email: known.user.email, role: "developer" },
      });
      const b = await api.post(base, {
        token: admin.token,
        json: { email: unknownEmail, role: "developer" },
      });
      expect(a.status).toBe(b.status);
      expect(a.text).toBe(b.text);
      const created = await server.services.users.create(unknownEmail);
      if (!created.ok) throw new Error("no user");
      const { token } = await server.services.tokens.issue(created.value.id);
      const read = await api.get(`/projects/${admin.project.id}`, { token });
      expect(read.status).toBe(200);
      const made = await api.post(`/projects/${admin.project.id}/workspaces`, { token, json: {} });
      expect(made.status).toBe(201);
    });

    it("ends a self-service token's WebSocket and SSE streams when it is revoked through DELETE /user/tokens/:id", async () => {
      const api = restClient(server.url);
      const owner = await seedUser(server.services, "self-revoke");
      const workspace = await server.database.prisma.workspace.create({
        data: workspaceRow(owner.project.id),
      });
      const made = await api.post("/user/tokens", { token: owner.token, json: { name: "laptop" } });
      const token = made.json.token as string;
      const socket = graphqlWsClient(server.url, { authorization: `Bearer ${token}` });
      const overSocket = wsWatch(socket.client, workspace.id);
      await overSocket.until("RUNNING");
      const events = openStream(`${server.url}/workspaces/${workspace.id}/events`, token);
      await waitFor(() => events.received().includes("event: workspace"), { what: "the snapshot" });
      try {
        const revoked = await api.delete(`/user/tokens/${made.json.id}`, { token: owner.token });
        expect(revoked.status).toBe(204);
        await waitFor(() => socket.closes.length > 0, {
          timeoutMs: 5000,
          what: "the socket to close",
        });
        expect(socket.closes[0]?.code).toBe(4403);
        await events.ended;
        expect((await api.get("/user/settings", { token })).status).toBe(401);
      } finally {
        socket.dispose();
        events.close();
      }
    });

    it("ends a removed member's event stream on the project", async () => {
      const api = restClient(server.url);
      const t = await seedTeam(server);
      const workspace = await server.database.prisma.workspace.create({
        data: workspaceRow(t.admin.project.id),
      });
      const events = openStream(`${server.url}/workspaces/${workspace.id}/events`, t.viewer.token);
      await waitFor(() => events.received().includes("event: workspace"), { what: "the snapshot" });
      try {
        const removed = await api.delete(
          `/projects/${t.admin.project.id}/members/${t.viewer.user.id}`,
          {
            token: t.admin.token,
          },
        );
        expect(removed.status).toBe(204);
        await events.ended;
        expect(
          (await api.get(`/workspaces/${workspace.id}`, { token: t.viewer.token })).status,
        ).toBe(404);
      } finally {
        events.close();
      }
    });
  });
});
