// Issue 18: the workspace event log. Every change writes one event in its own statement, with who
// and why; pages and streams resume exactly (Last-Event-ID, ?after=); an expired cursor is 410;
// on PostgreSQL, two replicas writing concurrently and a reader resuming after every page see
// every event exactly once.
import { describe, expect, it } from "vitest";
import { embeddedDatabase, TEST_DATABASE_URL } from "./kit/database.js";
import { killProcessesAfterAll } from "./kit/processes.js";
import { useReplicas } from "./kit/replicas.js";
import { type RestClient, restClient } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { useServer } from "./kit/server.js";

interface EventJson {
  id: string;
  type: string;
  workspace_id: string;
  project_id: string;
  from_status?: string;
  to_status?: string;
  actor: { type: string; user_id: string | null; token_id: string | null };
  reason: string;
}

/** Reads an SSE response until `count` messages arrived; returns their ids and data. */
async function readStream(
  url: string,
  headers: Record<string, string>,
  count: number,
): Promise<{ id: string; data: EventJson }[]> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const messages: { id: string; data: EventJson }[] = [];
  let buffer = "";
  while (messages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id && data) messages.push({ id, data: JSON.parse(data) as EventJson });
      end = buffer.indexOf("\n\n");
    }
  }
  controller.abort();
  // A chunk may carry more messages than asked for: those are not the test's business.
  return messages.slice(0, count);
}

/** Creates `n` workspaces and waits until each is running: the engine writes nothing more after. */
async function createSettled(api: RestClient, token: string, projectId: string, n: number) {
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

describe("workspace events on the embedded database", () => {
  const server = useServer(embeddedDatabase, { IDLE_TIMEOUT_MINUTES: "0" });

  it("a create, the engine's steps, a user's stop and a delete each leave one event with who and why", async () => {
    const owner = await seedUser(server.services, "events-history");
    const token = await server.database.prisma.apiToken.findFirstOrThrow({
      where: { userId: owner.user.id },
    });
    const api = restClient(server.url);
    const auth = { token: owner.token };
    const created = await api.post(`/projects/${owner.project.id}/workspaces`, {
      ...auth,
      json: {},
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const running = await api.get(`/workspaces/${id}/wait?status=running&timeout=30`, auth);
    expect(running.json.status).toBe("running");
    expect((await api.post(`/workspaces/${id}/stop`, auth)).status).toBe(200);
    await api.get(`/workspaces/${id}/wait?status=stopped&timeout=30`, auth);

    const history = await api.get(`/workspaces/${id}/history`, auth);
    expect(history.status).toBe(200);
    const user = { type: "user", user_id: owner.user.id, token_id: token.id };
    const system = { type: "system", user_id: null, token_id: null };
    expect(
      (history.json.events as EventJson[]).map(
        ({ type, from_status, to_status, actor, reason }) => ({
          type,
          from_status,
          to_status,
          actor,
          reason,
        }),
      ),
    ).toEqual([
      { type: "workspace.created", actor: user, reason: "requested" },
      {
        type: "workspace.status_changed",
        from_status: "creating",
        to_status: "starting",
        actor: system,
        reason: "engine",
      },
      {
        type: "workspace.status_changed",
        from_status: "starting",
        to_status: "running",
        actor: system,
        reason: "engine",
      },
      {
        type: "workspace.status_changed",
        from_status: "running",
        to_status: "stopping",
        actor: user,
        reason: "requested",
      },
      {
        type: "workspace.status_changed",
        from_status: "stopping",
        to_status: "stopped",
        actor: system,
        reason: "engine",
      },
    ]);
    expect(history.json.next).toBeNull();

    // The delete is the last event; the project's log keeps it after the workspace is gone.
    expect((await api.delete(`/workspaces/${id}`, auth)).status).toBe(204);
    const events = await api.get(`/projects/${owner.project.id}/events`, auth);
    const last = (events.json.events as EventJson[]).at(-1);
    expect(last).toMatchObject({
      type: "workspace.deleted",
      workspace_id: id,
      actor: user,
      reason: "requested",
    });
    expect(events.json.events).toHaveLength(6);
  }, 60_000);

  it("pages by limit (1–100) and after, with next and Link; 101 and a foreign cursor are 400", async () => {
    const owner = await seedUser(server.services, "events-pages");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    // Settled first: an engine step committing between the pages and the full read would add
    // events the pages could not have seen.
    await createSettled(api, owner.token, owner.project.id, 3);
    const path = `/projects/${owner.project.id}/events`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page = await api.get(`${path}?limit=1${after ? `&after=${after}` : ""}`, auth);
      expect(page.status).toBe(200);
      for (const event of page.json.events as EventJson[]) seen.push(event.id);
      after = page.json.next;
      if (after)
        expect(page.headers.get("link")).toBe(`<${path}?limit=1&after=${after}>; rel="next"`);
      pages++;
    } while (after && pages < 100);
    const all = await api.get(`${path}?limit=100`, auth);
    expect(all.status).toBe(200);
    expect((all.json.events as EventJson[]).map((e) => e.id)).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    // 3 × (created, starting, running), one page each.
    expect(seen).toHaveLength(9);
    expect(pages).toBe(9);
    expect((await api.get(`${path}?limit=101`, auth)).status).toBe(400);
    expect((await api.get(`${path}?limit=0`, auth)).status).toBe(400);
    expect((await api.get(`${path}?after=nonsense`, auth)).status).toBe(400);
  }, 60_000);

  it("another user's project or workspace reads as missing", async () => {
    const owner = await seedUser(server.services, "events-owner");
    const stranger = await seedUser(server.services, "events-stranger");
    const api = restClient(server.url);
    const created = await api.post(`/projects/${owner.project.id}/workspaces`, {
      token: owner.token,
      json: { keep_active: true },
    });
    const theirs = { token: stranger.token };
    expect((await api.get(`/projects/${owner.project.id}/events`, theirs)).status).toBe(404);
    expect((await api.get(`/workspaces/${created.json.id}/history`, theirs)).status).toBe(404);
  }, 60_000);

  it("an SSE stream resumed by Last-Event-ID (or ?after=) gets exactly the events after it, then live ones", async () => {
    const owner = await seedUser(server.services, "events-resume");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    await createSettled(api, owner.token, owner.project.id, 4);
    const page = await api.get(`/projects/${owner.project.id}/events?limit=100`, auth);
    const ids = (page.json.events as EventJson[]).map((e) => e.id);
    const resumeAt = ids[3] as string;
    const missed = ids.slice(4);
    const url = `${server.url}/projects/${owner.project.id}/events`;
    const headers = { authorization: `Bearer ${owner.token}`, accept: "text/event-stream" };
    // One more than the log holds after the cursor: the last one is live, written while it streams.
    const streamed = readStream(url, { ...headers, "last-event-id": resumeAt }, missed.length + 1);
    const live = await api.post(`/projects/${owner.project.id}/workspaces`, {
      ...auth,
      json: { keep_active: true },
    });
    const messages = await streamed;
    expect(messages.map((m) => m.id).slice(0, missed.length)).toEqual(missed);
    const lastMessage = messages.at(-1);
    expect(lastMessage?.data).toMatchObject({
      type: "workspace.created",
      workspace_id: live.json.id,
    });
    expect(new Set(messages.map((m) => m.id)).size).toBe(messages.length);
    for (const message of messages) expect(message.data.id).toBe(message.id);

    const byQuery = await readStream(`${url}?after=${resumeAt}`, headers, missed.length);
    expect(byQuery.map((m) => m.id)).toEqual(missed);
  }, 60_000);

  it("a cursor older than EVENT_RETENTION_DAYS is 410 on pages and streams; one at the edge is not", async () => {
    const owner = await seedUser(server.services, "events-retention");
    const api = restClient(server.url);
    const auth = { token: owner.token };
    await createSettled(api, owner.token, owner.project.id, 2);
    const path = `/projects/${owner.project.id}/events`;
    const before = (await api.get(path, auth)).json.events as EventJson[];
    const first = before[0];
    const second = before.at(-1);
    // The sweep as run 31 days from now: every event so far is past the retention.
    const removed = await server.services.events.sweep(new Date(Date.now() + 31 * 86_400_000));
    expect(removed).toBeGreaterThanOrEqual(2);
    const expired = await api.get(`${path}?after=${first?.id}`, auth);
    expect(expired.status).toBe(410);
    expect(expired.json.error).toMatch(/retention/);
    const stream = await fetch(`${server.url}${path}`, {
      headers: {
        authorization: `Bearer ${owner.token}`,
        accept: "text/event-stream",
        "last-event-id": first?.id ?? "",
      },
    });
    expect(stream.status).toBe(410);
    // The last removed event's cursor lost nothing after it.
    const edge = await api.get(`${path}?after=${second?.id}`, auth);
    expect(edge.status).toBe(200);
    expect(edge.json.events).toEqual([]);
  }, 60_000);
});

describe.skipIf(!TEST_DATABASE_URL)(
  "no gap under concurrent writers on two replicas (PostgreSQL)",
  () => {
    killProcessesAfterAll();
    const replicas = useReplicas("events", {
      IDLE_TIMEOUT_MINUTES: "0",
      WORKSPACE_QUOTA: "0",
      RATE_LIMIT_PER_MINUTE: "0",
      CREATE_RATE_LIMIT_PER_MINUTE: "0",
      MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
      SIMULATED_PROVISION_DELAY_MS: "5",
    });

    it("a reader resuming after every page while both replicas write sees every event exactly once, in order", async () => {
      const owner = await seedUser(replicas.services, "events-race");
      const [a, b] = replicas.processes.map((p) => restClient(p.url));
      const auth = { token: owner.token };
      const path = `/projects/${owner.project.id}/events`;
      const seen: string[] = [];
      let after: string | undefined;
      let writing = true;
      const readPage = async () => {
        const page = await (a ?? restClient("")).get(
          `${path}?limit=7${after ? `&after=${after}` : ""}`,
          auth,
        );
        expect(page.status).toBe(200);
        const events = page.json.events as EventJson[];
        for (const event of events) seen.push(event.id);
        if (events.length > 0) after = events.at(-1)?.id;
        return events.length;
      };
      const reader = (async () => {
        while (writing) await readPage();
      })();
      // 60 creates (each followed by the engines' steps on both replicas) and user stops, at once.
      const writes = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          (i % 2 === 0 ? a : b)?.post(`/projects/${owner.project.id}/workspaces`, {
            ...auth,
            json: {},
          }),
        ),
      );
      for (const write of writes) expect(write?.status).toBe(201);
      await Promise.all(
        writes.map((w, i) =>
          (i % 2 === 0 ? b : a)?.get(
            `/workspaces/${w?.json.id}/wait?status=running&timeout=60`,
            auth,
          ),
        ),
      );
      await Promise.all(
        writes.map((w, i) => (i % 2 === 0 ? b : a)?.post(`/workspaces/${w?.json.id}/stop`, auth)),
      );
      writing = false;
      await reader;
      while ((await readPage()) > 0);

      const rows = await replicas.database.prisma.workspaceEvent.findMany({
        where: { projectId: owner.project.id },
        orderBy: { seq: "asc" },
      });
      // 60 × (created, starting, running, stopping) at least; every one exactly once, in order.
      expect(rows.length).toBeGreaterThanOrEqual(240);
      expect(rows.map((row) => Number(row.seq))).toEqual(rows.map((_, i) => i + 1));
      const { encodeEventCursor } = await import("../src/services/events.js");
      const expected = rows.map((row) => encodeEventCursor(row.projectId, row.seq));
      // Events committed after the reader's last page (the stops' engine steps) come with a final drain.
      expect(seen).toEqual(expected.slice(0, seen.length));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBeGreaterThanOrEqual(240);
    }, 180_000);
  },
);
