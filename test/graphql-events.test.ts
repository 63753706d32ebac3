// Issue 18 over GraphQL: Workspace.history and Project.events page the event log (first/after,
// the connection rules); projectEvents replays after a cursor, then goes on live, each event once;
// an expired cursor is CURSOR_EXPIRED; another user's project reads as missing.
import type { Client } from "graphql-ws";
import { afterAll, describe, expect, it } from "vitest";
import type { ProjectEventsPageQuery } from "./generated/graphql.js";
import { graphql } from "./generated/index.js";
import { embeddedDatabase } from "./kit/database.js";
import { type GraphQLErrorJson, graphqlClient, graphqlWsClient } from "./kit/graphql.js";
import { type RestClient, restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

const ProjectEvents = graphql(`
  query ProjectEventsPage($id: ID!, $first: Int, $after: String) {
    project(id: $id) {
      events(first: $first, after: $after) {
        edges {
          cursor
          node {
            id type workspaceId projectId at fromStatus toStatus reason
            actor { type userId tokenId }
            changes { field to }
          }
        }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`);

const WorkspaceHistory = graphql(`
  query WorkspaceHistoryPage($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      ... on Workspace {
        history(first: $first, after: $after) {
          edges { node { id type fromStatus toStatus reason actor { type userId } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`);

const ProjectEventsLive = graphql(`
  subscription ProjectEventsLive($projectId: ID!, $after: String) {
    projectEvents(projectId: $projectId, after: $after) { id type workspaceId reason }
  }
`);

interface Received {
  events: { id: string; type: string; workspaceId: string }[];
  errors: readonly GraphQLErrorJson[];
}

/** Subscribes and resolves once `count` events (or an error) arrived; then unsubscribes. */
function take(client: Client, variables: { projectId: string; after?: string }, count: number) {
  return new Promise<Received>((resolve, reject) => {
    const received: Received = { events: [], errors: [] };
    const stop = client.subscribe<{ projectEvents: Received["events"][number] }>(
      { query: ProjectEventsLive.toString(), variables },
      {
        next: (result) => {
          if (result.errors) received.errors = result.errors as GraphQLErrorJson[];
          if (result.data) received.events.push(result.data.projectEvents);
          if (received.events.length >= count || received.errors.length > 0) {
            stop();
            // A copy: events already on their way must not change what the test reads.
            resolve({ events: received.events.slice(0, count), errors: received.errors });
          }
        },
        error: (error) => {
          const errors = Array.isArray(error) ? (error as GraphQLErrorJson[]) : undefined;
          if (errors) resolve({ ...received, errors });
          else reject(error);
        },
        complete: () => resolve(received),
      },
    );
  });
}

async function createRunning(api: RestClient, token: string, projectId: string, n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const created = await api.post(`/projects/${projectId}/workspaces`, {
      token,
      json: { keep_active: true },
    });
    expect(created.status).toBe(201);
    ids.push(created.json.id);
  }
  for (const id of ids) {
    const running = await api.get(`/workspaces/${id}/wait?status=running&timeout=30`, { token });
    expect(running.json.status).toBe("running");
  }
  return ids;
}

describe("the event log over GraphQL (embedded database)", () => {
  const server = useServer(embeddedDatabase, { IDLE_TIMEOUT_MINUTES: "0" });
  const sockets: { dispose(): unknown }[] = [];
  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.dispose()));
  });
  const ws = (token: string) => {
    const socket = graphqlWsClient(server.url, { authorization: `Bearer ${token}` });
    sockets.push(socket);
    return socket.client;
  };

  it("Project.events pages by first/after in commit order; resuming after a cursor gives exactly the rest, once each", async () => {
    const owner = await seedUser(server.services, "gql-events");
    const api = restClient(server.url);
    const gql = graphqlClient(server.url, owner.token);
    const [id] = await createRunning(api, owner.token, owner.project.id, 3);
    const update = await api.request("PATCH", `/workspaces/${id}`, {
      token: owner.token,
      json: { auto_stop_minutes: 30 },
    });
    expect(update.status).toBe(200);

    const rest = await api.get(`/projects/${owner.project.id}/events?limit=100`, {
      token: owner.token,
    });
    const all = (rest.json.events as { id: string }[]).map((e) => e.id);
    // 3 × (created, starting, running) and the update.
    expect(all).toHaveLength(10);

    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page: ProjectEventsPageQuery = await gql.data(ProjectEvents, {
        id: owner.project.id,
        first: 3,
        after,
      });
      const events = page.project?.events;
      for (const edge of events?.edges ?? []) {
        expect(edge.cursor).toBe(edge.node.id);
        seen.push(edge.node.id);
      }
      expect(events?.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!events?.pageInfo.hasNextPage) break;
      after = events.pageInfo.endCursor ?? null;
    }
    expect(seen).toEqual(all);

    // Resume after the 4th: exactly the 6 after it.
    const resumed = await gql.data(ProjectEvents, {
      id: owner.project.id,
      first: 100,
      after: all[3],
    });
    expect(resumed.project?.events.edges.map((e) => e.node.id)).toEqual(all.slice(4));
    // The engine may start the first workspace before the next create commits, so which
    // events fall after the 4th depends on the machine: read who and why from the whole log.
    const whole = await gql.data(ProjectEvents, { id: owner.project.id, first: 100 });
    const nodes = whole.project?.events.edges.map((e) => e.node) ?? [];
    expect(nodes.map((n) => n.id)).toEqual(all);
    expect(nodes.filter((n) => n.type === "CREATED")).toHaveLength(3);
    expect(nodes[0]).toMatchObject({ projectId: owner.project.id });
    const updated = nodes.at(-1);
    // Who made the update is the PATCH route's to record (issue 17); the change itself is here.
    expect(updated).toMatchObject({ type: "UPDATED", workspaceId: id, fromStatus: null });
    expect(updated?.changes).toContainEqual({ field: "autoStopMinutes", to: "30" });
    const created = nodes.find((n) => n.type === "CREATED");
    expect(created).toMatchObject({
      reason: "REQUESTED",
      actor: { type: "USER", userId: owner.user.id },
      changes: [],
    });
    const started = nodes.find((n) => n.type === "STATUS_CHANGED");
    expect(started).toMatchObject({ reason: "ENGINE", actor: { type: "SYSTEM", userId: null } });
  }, 60_000);

  it("first is 1 to 100 (BAD_USER_INPUT outside), and a cursor that is not an event's is BAD_USER_INPUT", async () => {
    const owner = await seedUser(server.services, "gql-events-first");
    const gql = graphqlClient(server.url, owner.token);
    await createRunning(restClient(server.url), owner.token, owner.project.id, 1);
    for (const first of [1, 100]) {
      const ok = await gql.execute(ProjectEvents, { id: owner.project.id, first });
      expect(ok.errors).toBeUndefined();
      expect(ok.data?.project?.events.edges.length).toBe(first === 1 ? 1 : 3);
    }
    for (const first of [0, 101]) {
      const refused = await gql.execute(ProjectEvents, { id: owner.project.id, first });
      expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const foreign = await gql.execute(ProjectEvents, { id: owner.project.id, after: "nonsense" });
    expect(foreign.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  }, 60_000);

  it("Workspace.history holds only that workspace's events, with who and why", async () => {
    const owner = await seedUser(server.services, "gql-history");
    const api = restClient(server.url);
    const gql = graphqlClient(server.url, owner.token);
    const [id, other] = await createRunning(api, owner.token, owner.project.id, 2);
    expect((await api.post(`/workspaces/${id}/stop`, { token: owner.token })).status).toBe(200);
    await api.get(`/workspaces/${id}/wait?status=stopped&timeout=30`, { token: owner.token });
    const history = await gql.data(WorkspaceHistory, { id: id ?? "", first: 100 });
    const node = history.node as { history?: { edges: { node: Record<string, unknown> }[] } };
    expect(node.history?.edges.map((e) => [e.node.type, e.node.toStatus, e.node.reason])).toEqual([
      ["CREATED", null, "REQUESTED"],
      ["STATUS_CHANGED", "STARTING", "ENGINE"],
      ["STATUS_CHANGED", "RUNNING", "ENGINE"],
      ["STATUS_CHANGED", "STOPPING", "REQUESTED"],
      ["STATUS_CHANGED", "STOPPED", "ENGINE"],
    ]);
    const theirs = await gql.data(WorkspaceHistory, { id: other ?? "", first: 100 });
    const otherHistory = theirs.node as { history?: { edges: unknown[] } };
    expect(otherHistory.history?.edges).toHaveLength(3);
  }, 60_000);

  it("projectEvents after a cursor replays exactly the missed events, then a live one, each once", async () => {
    const owner = await seedUser(server.services, "gql-live");
    const api = restClient(server.url);
    await createRunning(api, owner.token, owner.project.id, 3);
    const page = await api.get(`/projects/${owner.project.id}/events`, { token: owner.token });
    const ids = (page.json.events as { id: string }[]).map((e) => e.id);
    const missed = ids.slice(4);
    // One more than the log holds after the cursor: the last one is written while it streams.
    const streamed = take(
      ws(owner.token),
      { projectId: owner.project.id, after: ids[3] },
      missed.length + 1,
    );
    const live = await api.post(`/projects/${owner.project.id}/workspaces`, {
      token: owner.token,
      json: { keep_active: true },
    });
    const received = await streamed;
    expect(received.errors).toEqual([]);
    expect(received.events.slice(0, missed.length).map((e) => e.id)).toEqual(missed);
    expect(received.events.at(-1)).toMatchObject({ type: "CREATED", workspaceId: live.json.id });
    expect(new Set(received.events.map((e) => e.id)).size).toBe(received.events.length);
  }, 60_000);

  it("another user's project: null for project, NOT_FOUND for projectEvents", async () => {
    const owner = await seedUser(server.services, "gql-events-owner");
    const stranger = await seedUser(server.services, "gql-events-stranger");
    const [id] = await createRunning(restClient(server.url), owner.token, owner.project.id, 1);
    const theirs = graphqlClient(server.url, stranger.token);
    const project = await theirs.execute(ProjectEvents, { id: owner.project.id });
    expect(project.data?.project).toBeNull();
    const history = await theirs.execute(WorkspaceHistory, { id: id ?? "" });
    expect(history.data?.node ?? null).toBeNull();
    const stream = await take(ws(stranger.token), { projectId: owner.project.id }, 1);
    expect(stream.events).toEqual([]);
    expect(stream.errors[0]?.extensions?.code).toBe("NOT_FOUND");
  }, 60_000);

  it("a cursor older than EVENT_RETENTION_DAYS is CURSOR_EXPIRED for Project.events and projectEvents", async () => {
    const owner = await seedUser(server.services, "gql-expired");
    const gql = graphqlClient(server.url, owner.token);
    await createRunning(restClient(server.url), owner.token, owner.project.id, 1);
    const first = await gql.data(ProjectEvents, { id: owner.project.id, first: 1 });
    const cursor = first.project?.events.edges[0]?.cursor ?? "";
    await server.services.events.sweep(new Date(Date.now() + 31 * 86_400_000));
    const page = await gql.execute(ProjectEvents, { id: owner.project.id, after: cursor });
    expect(page.errors?.[0]?.extensions?.code).toBe("CURSOR_EXPIRED");
    const stream = await take(ws(owner.token), { projectId: owner.project.id, after: cursor }, 1);
    expect(stream.errors[0]?.extensions?.code).toBe("CURSOR_EXPIRED");
  }, 60_000);
});
