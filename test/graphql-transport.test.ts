import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { graphql } from "./generated/index.js";
import { databaseTargets, embeddedDatabase } from "./kit/database.js";
import { collect, graphqlClient, graphqlWsClient } from "./kit/graphql.js";
import { seedUser } from "./kit/seed.js";
import { startServer, type TestServer, useServer } from "./kit/server.js";

const ViewerEmail = graphql(`
  query ViewerEmail {
    viewer { email }
  }
`);

const WatchWorkspace = graphql(`
  subscription WatchWorkspace($id: ID!) {
    workspaceStatus(id: $id) { id status }
  }
`);

const VIEWER_EMAIL = "query ViewerEmail { viewer { email } }";

describe.each(databaseTargets)("/graphql transports on the $name database", (target) => {
  describe.skipIf(target.skip)("", () => {
    const server = useServer(target.open);

    describe("HTTP", () => {
      it("answers GET queries, and POST bodies as JSON or application/graphql", async () => {
        const user = await seedUser(server.services, "http");
        const authorization = `Bearer ${user.token}`;
        const expected = { data: { viewer: { email: user.user.email } } };

        const get = await fetch(`${server.url}/graphql?query=${encodeURIComponent(VIEWER_EMAIL)}`, {
          headers: { authorization, accept: "application/json" },
        });
        expect([get.status, await get.json()]).toEqual([200, expected]);

        const asGraphQL = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { authorization, "content-type": "application/graphql" },
          body: VIEWER_EMAIL,
        });
        expect([asGraphQL.status, await asGraphQL.json()]).toEqual([200, expected]);

        const typed = await graphqlClient(server.url, user.token).data(ViewerEmail);
        expect(typed).toEqual(expected.data);
      });

      it("answers malformed bodies in GraphQL's error shape, not REST's", async () => {
        const response = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{not json",
        });
        expect(response.status).toBe(400);
        const body = await response.json();
        expect(body).not.toHaveProperty("error");
        expect(body.errors?.[0]?.message).toMatch(/JSON/);
      });

      it("refuses bodies over 1 MB with 413", async () => {
        const response = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: `{ viewer { email } } # ${"x".repeat(1024 * 1024)}` }),
        });
        expect(response.status).toBe(413);
        const body = await response.json();
        expect(body.errors?.[0]?.extensions?.code).toBe("REQUEST_ENTITY_TOO_LARGE");
      });

      it("masks unexpected errors: no message, stack or database text reaches the client", async () => {
        const user = await seedUser(server.services, "unexpected");
        const projects = server.services.projects;
        const original = projects.getForUser;
        projects.getForUser = async () => {
          throw new Error('relation "projects" is broken at db.internal:5432');
        };
        try {
          const response = await graphqlClient(server.url, user.token).execute(
            graphql(`
              query ProjectName($id: ID!) {
                project(id: $id) { name }
              }
            `),
            { id: user.project.id },
          );
          expect(response.data).toEqual({ project: null });
          expect(response.errors).toMatchObject([
            { message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } },
          ]);
          expect(response.text).not.toMatch(/relation|db\.internal|stack/);
        } finally {
          projects.getForUser = original;
        }
      });

      it("keeps deliberate errors unmasked", async () => {
        const user = await seedUser(server.services, "masked");
        // A cursor is validated by the schema: a deliberate error, shown as is.
        const response = await graphqlClient(server.url, user.token).execute(
          graphql(`
            query BadCursor($after: String) {
              viewer { projects(after: $after) { totalCount } }
            }
          `),
          { after: "bm90LWEtY3Vyc29y" },
        );
        expect(response.errors?.[0]?.message).toMatch(/cursor/i);
        expect(JSON.stringify(response.errors)).not.toMatch(/prisma|stack|at \w+ \(/i);
      });
    });

    describe("GraphiQL", () => {
      it("is served to browsers with every script and stylesheet inline", async () => {
        const response = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toMatch(/^text\/html/);
        const html = await response.text();
        expect(html).toContain("renderYogaGraphiQL");
        expect(html).toContain('"subscriptionsProtocol":"WS"');
        const external = [...html.matchAll(/<(script|link)\b[^>]*>/gi)]
          .map((match) => match[0])
          .filter((tag) => /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i.test(tag));
        expect(external).toEqual([]);
      });

      it("connects its WebSocket with the Authorization header of the active tab", async () => {
        const html = await (
          await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } })
        ).text();
        const script =
          /\((function withSocketAuth[\s\S]*?)\)\(YogaGraphiQL\.renderYogaGraphiQL\)/.exec(
            html,
          )?.[1];
        expect(script).toBeDefined();
        // The page's script, run against GraphiQL's storage as it keeps the tabs.
        const storage = new Map([
          [
            "graphiql:tabState",
            JSON.stringify({
              activeTabIndex: 1,
              tabs: [{ headers: "{}" }, { headers: '{"Authorization": "Bearer wsg_x"}' }],
            }),
          ],
        ]);
        const localStorage = { getItem: (key: string) => storage.get(key) ?? null };
        const withSocketAuth = new Function("localStorage", `return (${script});`)(localStorage);
        let rendered: { connectionParams?: () => unknown; title?: string } = {};
        withSocketAuth((_root: unknown, options: typeof rendered) => {
          rendered = options;
        })(null, { title: "t" });
        expect(rendered.title).toBe("t");
        expect(rendered.connectionParams?.()).toEqual({ authorization: "Bearer wsg_x" });
        storage.set("graphiql:tabState", "not json");
        expect(rendered.connectionParams?.()).toEqual({});
      });
    });

    describe("WebSocket (graphql-ws)", () => {
      it("closes connection_init with 4403 without a token, or with a bad one", async () => {
        for (const params of [
          {},
          { authorization: "Bearer wsg_nope" },
          { authorization: "nope" },
        ]) {
          const ws = graphqlWsClient(server.url, params);
          await expect(collect(ws.client, ViewerEmail, {})).rejects.toMatchObject({ code: 4403 });
          expect(ws.closes[0]?.code).toBe(4403);
          await ws.dispose();
        }
      });

      it("runs operations with the connection's user", async () => {
        const user = await seedUser(server.services, "ws");
        const ws = graphqlWsClient(server.url, { authorization: `Bearer ${user.token}` });
        try {
          const { results } = await collect(ws.client, ViewerEmail, {});
          expect(results).toEqual([{ data: { viewer: { email: user.user.email } } }]);
        } finally {
          await ws.dispose();
        }
      });

      it("answers a subscription to someone else's workspace with the not-found error, no data", async () => {
        const owner = await seedUser(server.services, "ws-owner");
        const stranger = await seedUser(server.services, "ws-stranger");
        const created = await server.services.workspaces.create(owner.user, {
          projectId: owner.project.id,
        });
        if (!created.ok) throw new Error(created.error.message);
        const ws = graphqlWsClient(server.url, { authorization: `Bearer ${stranger.token}` });
        try {
          const foreign = await collect(ws.client, WatchWorkspace, {
            id: created.value.workspace.id,
          });
          const unknown = await collect(ws.client, WatchWorkspace, { id: randomUUID() });
          expect(foreign.results).toHaveLength(1);
          expect(foreign.results[0]?.data ?? null).toBeNull();
          expect(foreign.results[0]?.errors).toMatchObject([
            { message: "workspace not found", extensions: { code: "NOT_FOUND" } },
          ]);
          expect(unknown).toEqual(foreign);
        } finally {
          await ws.dispose();
        }
      });
    });

    describe("SSE", () => {
      it("answers a subscription to someone else's workspace with the not-found error", async () => {
        const owner = await seedUser(server.services, "sse-owner");
        const stranger = await seedUser(server.services, "sse-stranger");
        const created = await server.services.workspaces.create(owner.user, {
          projectId: owner.project.id,
        });
        if (!created.ok) throw new Error(created.error.message);
        const response = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: {
            accept: "text/event-stream",
            "content-type": "application/json",
            authorization: `Bearer ${stranger.token}`,
          },
          body: JSON.stringify({
            query: WatchWorkspace.toString(),
            variables: { id: created.value.workspace.id },
          }),
        });
        const text = await response.text();
        expect(text).toContain("workspace not found");
        expect(text).not.toContain(created.value.workspace.previewToken);
      });

      it("answers UNAUTHENTICATED with 401 without a token", async () => {
        const response = await fetch(`${server.url}/graphql`, {
          method: "POST",
          headers: { accept: "text/event-stream", "content-type": "application/json" },
          body: JSON.stringify({
            query: WatchWorkspace.toString(),
            variables: { id: randomUUID() },
          }),
        });
        expect(response.status).toBe(401);
        const text = await response.text();
        expect(text).toContain("UNAUTHENTICATED");
      });
    });
  });
});

describe("a server of its own", () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.app.stop();
  });

  it("closes its WebSockets with 1001 when it stops", async () => {
    const server = await startServer(await embeddedDatabase());
    const user = await seedUser(server.services, "ws-stop");
    const ws = graphqlWsClient(server.url, { authorization: `Bearer ${user.token}` });
    try {
      await collect(ws.client, ViewerEmail, {});
      const closed = new Promise((resolve) => ws.client.on("closed", resolve));
      await server.app.stop();
      await closed;
      expect(ws.closes.map((close) => close.code)).toEqual([1001]);
    } finally {
      await ws.dispose();
      if (ws.closes.length === 0) await server.app.stop();
    }
  });

  it("serves no GraphiQL page, and still answers GraphQL", async () => {
    const server = await startServer(await embeddedDatabase(), { GRAPHIQL: "false" });
    servers.push(server);
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
    expect(await page.text()).not.toContain("renderYogaGraphiQL");
    const user = await seedUser(server.services, "no-graphiql");
    expect(await graphqlClient(server.url, user.token).data(ViewerEmail)).toEqual({
      viewer: { email: user.user.email },
    });
  });
});
