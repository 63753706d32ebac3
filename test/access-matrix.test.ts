// Issue 19, one table drives the access test: every REST route /openapi.json lists is in ROUTES,
// either with the action of the access rule it performs (services/access-policy.ts) or as a route
// of the caller's own account. Each route of a project, workspace or webhook is called by a
// non-member, a viewer, a developer, an admin, the admin's token limited to another project, the
// admin's viewer-capped token, a revoked and an expired token; the answer class follows from
// ACTION_ROLES: 404 identical to a missing id for no role there, 403 below the role, neither at or
// above it, 401 for a dead token; a refusal changes no row. A route added to the server and not to
// ROUTES fails the first test. Real server over HTTP, embedded database and PostgreSQL when set.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ACTION_ROLES, type Action, ROLES, type Role } from "../src/services/access-policy.js";
import { databaseTargets } from "./kit/database.js";
import { type SeededUser, seedTeam, workspaceRow } from "./kit/seed.js";
import { type TestServer, useServer } from "./kit/server.js";

/** What a route's path parameters name, and so which fixture a call needs. */
type Target = "project" | "workspace" | "member" | "webhook" | "delivery";

interface ScopedRoute {
  action: Action;
  target: Target;
  body?: () => unknown;
  query?: string;
}

/** The routes of the caller's own account: no project or workspace id to refuse on. */
interface AccountRoute {
  account: string;
}

const ROUTES: Record<string, ScopedRoute | AccountRoute> = {
  "POST /projects": { account: "creates a project of the caller's (team-scope.test.ts)" },
  "GET /projects": { account: "the caller's projects (team-scope.test.ts)" },
  "GET /workspaces": { account: "the caller's workspaces across their projects" },
  "GET /user/settings": { account: "the caller's settings" },
  "PUT /user/settings": { account: "the caller's settings" },
  "POST /user/tokens": { account: "the caller's tokens (teams.test.ts, team-scope.test.ts)" },
  "GET /user/tokens": { account: "the caller's tokens" },
  "DELETE /user/tokens/{id}": { account: "one of the caller's tokens" },
  "GET /projects/{id}": { action: "project.read", target: "project" },
  "GET /projects/{id}/workspaces": { action: "workspace.read", target: "project" },
  "POST /projects/{id}/workspaces": {
    action: "workspace.create",
    target: "project",
    body: () => ({}),
  },
  "GET /projects/{id}/members": { action: "members.read", target: "project" },
  "POST /projects/{id}/members": {
    action: "members.manage",
    target: "project",
    body: () => ({ email: `added-${randomUUID()}@example.com`, role: "viewer" }),
  },
  "PATCH /projects/{id}/members/{user_id}": {
    action: "members.manage",
    target: "member",
    body: () => ({ role: "developer" }),
  },
  "DELETE /projects/{id}/members/{user_id}": { action: "members.manage", target: "member" },
  "GET /projects/{id}/events": { action: "workspace.watch", target: "project" },
  "POST /projects/{id}/webhooks": {
    action: "webhooks.manage",
    target: "project",
    body: () => ({ url: "https://example.com/hook" }),
  },
  "GET /projects/{id}/webhooks": { action: "webhooks.manage", target: "project" },
  "GET /workspaces/{id}": { action: "workspace.read", target: "workspace" },
  "PATCH /workspaces/{id}": {
    action: "workspace.update",
    target: "workspace",
    body: () => ({ labels: { team: "ml" } }),
  },
  "DELETE /workspaces/{id}": { action: "workspace.delete", target: "workspace" },
  "POST /workspaces/{id}/start": { action: "workspace.start", target: "workspace" },
  "POST /workspaces/{id}/stop": { action: "workspace.stop", target: "workspace" },
  "POST /workspaces/{id}/keepalive": { action: "workspace.keepalive", target: "workspace" },
  "GET /workspaces/{id}/wait": { action: "workspace.watch", target: "workspace" },
  "GET /workspaces/{id}/events": { action: "workspace.watch", target: "workspace" },
  "GET /workspaces/{id}/history": { action: "workspace.watch", target: "workspace" },
  "DELETE /webhooks/{id}": { action: "webhooks.manage", target: "webhook" },
  "GET /webhooks/{id}/deliveries": { action: "webhooks.manage", target: "webhook" },
  "POST /webhooks/{id}/deliveries/{delivery_id}/retry": {
    action: "webhooks.manage",
    target: "delivery",
  },
};

/** Routes /openapi.json lists that are no part of the API's access rule. */
const OUTSIDE = new Set(["GET /openapi.json", "GET /healthz", "GET /readyz", "GET /metrics"]);

/** Who calls: a role they act with on the project (null: none there) or a dead token. */
type Expected = Role | null | "dead";
const CALLERS = [
  "non-member",
  "viewer",
  "developer",
  "admin",
  "token of another project",
  "viewer token of the admin",
  "revoked token",
  "expired token",
] as const;
type CallerName = (typeof CALLERS)[number];
const ROLE_OF: Record<CallerName, Expected> = {
  "non-member": null,
  viewer: "viewer",
  developer: "developer",
  admin: "admin",
  "token of another project": null,
  "viewer token of the admin": "viewer",
  "revoked token": "dead",
  "expired token": "dead",
};

type AnswerClass = "allowed" | "missing" | "forbidden" | "unauthenticated";

function expectedClass(caller: CallerName, action: Action): AnswerClass {
  const role = ROLE_OF[caller];
  if (role === "dead") return "unauthenticated";
  if (role === null) return "missing";
  return ROLES.indexOf(role) >= ROLES.indexOf(ACTION_ROLES[action]) ? "allowed" : "forbidden";
}

/** One answer; an event stream is closed once its status is in (it would never end). */
async function call(url: string, method: string, path: string, token: string, body?: unknown) {
  const controller = new AbortController();
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: controller.signal,
  });
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    controller.abort();
    return { status: response.status, text: "" };
  }
  return { status: response.status, text: await response.text() };
}

interface Team {
  admin: SeededUser;
  viewer: SeededUser;
  developer: SeededUser;
  outsider: SeededUser;
  tokens: Record<CallerName, string>;
}

async function team(server: TestServer): Promise<Team> {
  const { admin, viewer, developer, outsider } = await seedTeam(server);
  const { tokens: service } = server.services;
  const other = await server.services.projects.create(admin.user.id, { name: "other" });
  if (!other.ok) throw new Error("no project");
  const otherProject = await service.issue(admin.user.id, { projectId: other.value.id });
  const viewerToken = await service.issue(admin.user.id, { role: "viewer" });
  const revoked = await service.issue(admin.user.id);
  await service.revoke(revoked.id);
  const expired = await service.issue(admin.user.id, { expiresAt: new Date(Date.now() - 1000) });
  return {
    admin,
    viewer,
    developer,
    outsider,
    tokens: {
      "non-member": outsider.token,
      viewer: viewer.token,
      developer: developer.token,
      admin: admin.token,
      "token of another project": otherProject.token,
      "viewer token of the admin": viewerToken.token,
      "revoked token": revoked.token,
      "expired token": expired.token,
    },
  };
}

/** Everything of the project a request could change, to compare before and after a refusal. */
async function projectRows(server: TestServer, projectId: string) {
  const { prisma } = server.database;
  const [project, workspaces, members, webhooks, deliveries, events] = await Promise.all([
    prisma.project.findUnique({ where: { id: projectId } }),
    prisma.workspace.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
    prisma.projectMember.findMany({ where: { projectId }, orderBy: { email: "asc" } }),
    prisma.webhookEndpoint.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
    prisma.webhookDelivery.findMany({ where: { projectId }, orderBy: { id: "asc" } }),
    prisma.workspaceEvent.count({ where: { projectId } }),
  ]);
  return { project, workspaces, members, webhooks, deliveries, events };
}

/** The path of a call to `route` with fresh rows to act on, and the same path with a missing id. */
async function fixture(server: TestServer, projectId: string, template: string, target: Target) {
  const { prisma } = server.database;
  const fill = (values: Record<string, string>) =>
    template.replace(/\{(\w+)\}/g, (_all, name: string) => values[name] ?? "");
  // Settled (stopped, staying stopped): no engine work changes it while the test compares.
  const workspace = () =>
    prisma.workspace.create({
      data: workspaceRow(projectId, { status: "stopped", desiredState: "stopped" }),
    });
  switch (target) {
    case "project":
      return { path: fill({ id: projectId }), missing: fill({ id: randomUUID() }) };
    case "workspace": {
      const row = await workspace();
      return { path: fill({ id: row.id }), missing: fill({ id: randomUUID() }) };
    }
    case "member": {
      const created = await server.services.users.create(`target-${randomUUID()}@example.com`);
      if (!created.ok) throw new Error("no user");
      const { id: userId, email } = created.value;
      await prisma.projectMember.create({ data: { projectId, email, userId, role: "viewer" } });
      return {
        path: fill({ id: projectId, user_id: userId }),
        missing: fill({ id: randomUUID(), user_id: userId }),
      };
    }
    case "webhook":
    case "delivery": {
      // Disabled, so that the delivery worker leaves it (and its delivery) alone while the test
      // compares rows; a retry by an admin enables it again.
      const webhook = await prisma.webhookEndpoint.create({
        data: {
          projectId,
          url: "https://example.com/hook",
          secret: `whsec_${randomUUID()}`,
          disabledAt: new Date(),
          disabledReason: "test",
        },
      });
      await workspace();
      const event = await prisma.workspaceEvent.findFirstOrThrow({
        where: { projectId },
        orderBy: { seq: "desc" },
      });
      const delivery = await prisma.webhookDelivery.create({
        data: { endpointId: webhook.id, projectId, seq: event.seq, state: "failed" },
      });
      return {
        path: fill({ id: webhook.id, delivery_id: delivery.id }),
        missing: fill({ id: randomUUID(), delivery_id: delivery.id }),
      };
    }
  }
}

describe.each(databaseTargets)("the access matrix on $name", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open);

    it("has every route /openapi.json lists in its table, and no route the server lacks", async () => {
      const document = await (await fetch(`${server.url}/openapi.json`)).json();
      const listed = Object.entries(document.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, operations]) =>
          Object.keys(operations)
            .filter((method) => ["get", "post", "put", "patch", "delete"].includes(method))
            .map((method) => `${method.toUpperCase()} ${path}`),
        )
        .filter((route) => !OUTSIDE.has(route));
      expect(listed.length).toBeGreaterThan(20);
      expect(listed.filter((route) => !(route in ROUTES))).toEqual([]);
      expect(Object.keys(ROUTES).filter((route) => !listed.includes(route))).toEqual([]);
      // Every route with an id in its path acts on a project, a workspace or a webhook.
      for (const route of listed.filter((r) => r.includes("{") && !r.includes("/user/"))) {
        expect(ROUTES[route], route).toHaveProperty("action");
      }
    });

    const scoped = Object.entries(ROUTES).flatMap(([route, entry]) =>
      "action" in entry ? [[route, entry] as const] : [],
    );

    it.each(scoped)("%s answers each caller by the rule", async (route, entry) => {
      const t = await team(server);
      const projectId = t.admin.project.id;
      const [method = "", template = ""] = route.split(" ");
      const withQuery = (path: string) => (entry.query ? `${path}?${entry.query}` : path);
      // Refusals first: nothing the allowed calls change is in the way of comparing rows.
      const order = [...CALLERS].sort(
        (a, b) =>
          Number(expectedClass(a, entry.action) === "allowed") -
          Number(expectedClass(b, entry.action) === "allowed"),
      );
      for (const caller of order) {
        const expected = expectedClass(caller, entry.action);
        const token = t.tokens[caller];
        const { path, missing } = await fixture(server, projectId, template, entry.target);
        const before = await projectRows(server, projectId);
        const answer = await call(server.url, method, withQuery(path), token, entry.body?.());
        const what = `${caller}: ${method} ${path} → ${answer.status} ${answer.text.slice(0, 200)}`;
        switch (expected) {
          case "unauthenticated":
            expect(answer.status, what).toBe(401);
            break;
          case "missing": {
            const absent = await call(
              server.url,
              method,
              withQuery(missing),
              token,
              entry.body?.(),
            );
            expect(answer.status, what).toBe(404);
            expect(answer.text, what).toBe(absent.text);
            break;
          }
          case "forbidden":
            expect(answer.status, what).toBe(403);
            expect(JSON.parse(answer.text), what).toEqual({
              error: expect.stringContaining(ACTION_ROLES[entry.action]),
            });
            break;
          case "allowed":
            expect([401, 403, 404], what).not.toContain(answer.status);
            expect(answer.status, what).toBeLessThan(500);
            break;
        }
        if (expected !== "allowed") {
          expect(await projectRows(server, projectId), `${what}: a refusal changes no row`).toEqual(
            before,
          );
        }
      }
    });
  });
});
