// Issue 18: GET /workspaces/:id/events keeps its messages (the workspace now, then every change)
// and gives each an `id:`, the newest event of the log it reflects; Last-Event-ID (or ?after=)
// replays the events missed from the log, then the workspace now, then live: each missed event
// once, none skipped at the seam.
import { get as httpGet, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedDatabase } from "./kit/database.js";
import { type RestClient, restClient } from "./kit/rest.js";
import { type SeededUser, seedUser } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";

interface Message {
  event: string;
  id: string | undefined;
  data: Record<string, unknown>;
}

/** An SSE stream over a connection of its own, read message by message (null once it ended). */
async function openStream(url: string, headers: Record<string, string>) {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpGet(url, { agent: false, headers });
    request.once("response", resolve).once("error", reject);
  });
  response.setEncoding("utf8");
  const chunks = response[Symbol.asyncIterator]() as AsyncIterator<string>;
  let buffer = "";
  return {
    status: response.statusCode,
    async body(): Promise<Record<string, unknown>> {
      let text = buffer;
      for await (const chunk of response) text += chunk;
      return JSON.parse(text) as Record<string, unknown>;
    },
    async next(): Promise<Message | null> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(":")) continue;
          return {
            event: /^event: (.*)$/m.exec(block)?.[1] ?? "message",
            id: /^id: (.*)$/m.exec(block)?.[1],
            data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null"),
          };
        }
        const { done, value } = await chunks.next();
        if (done) return null;
        buffer += value;
      }
    },
    cancel: () => response.destroy(),
  };
}

interface EventJson {
  id: string;
  type: string;
  to_status?: string;
}

describe("REST workspace events: ids and resuming", () => {
  let server: TestServer;
  let owner: SeededUser;
  let api: RestClient;
  let auth: { token: string };
  const headers = () => ({ authorization: `Bearer ${owner.token}` });

  beforeAll(async () => {
    server = await startServer(await embeddedDatabase(), { IDLE_TIMEOUT_MINUTES: "0" });
    owner = await seedUser(server.services, "events-resume");
    api = restClient(server.url);
    auth = { token: owner.token };
  }, 60_000);
  afterAll(async () => {
    await server?.app.stop();
  });

  async function history(id: string, after?: string): Promise<EventJson[]> {
    const page = await api.get(
      `/workspaces/${id}/history?limit=100${after ? `&after=${after}` : ""}`,
      auth,
    );
    expect(page.status).toBe(200);
    return page.json.events as EventJson[];
  }

  async function runningWorkspace(): Promise<string> {
    const created = await api.post(`/projects/${owner.project.id}/workspaces`, {
      ...auth,
      json: { keep_active: true },
    });
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const running = await api.get(`/workspaces/${id}/wait?status=running&timeout=30`, auth);
    expect(running.json.status).toBe("running");
    return id;
  }

  /** Reads workspace messages until one has `status`; returns every message read. */
  async function readUntil(stream: Awaited<ReturnType<typeof openStream>>, status: string) {
    const messages: Message[] = [];
    for (;;) {
      const message = await stream.next();
      if (!message) throw new Error(`the stream ended before ${status}`);
      messages.push(message);
      if (message.event === "workspace" && message.data.status === status) return messages;
    }
  }

  it("gives every message the id of the newest event it reflects", async () => {
    const id = await runningWorkspace();
    const stream = await openStream(`${server.url}/workspaces/${id}/events`, headers());
    expect(stream.status).toBe(200);
    const first = await stream.next();
    const before = await history(id);
    expect(first).toMatchObject({ event: "workspace", data: { status: "running" } });
    expect(first?.id).toBe(before.at(-1)?.id);

    expect((await api.post(`/workspaces/${id}/stop`, auth)).status).toBe(200);
    const changes = await readUntil(stream, "stopped");
    stream.cancel();
    const after = await history(id, before.at(-1)?.id);
    expect(changes.map((m) => [m.event, m.data.status, m.id])).toEqual(
      after.map((event) => ["workspace", event.to_status, event.id]),
    );
  }, 60_000);

  it("resumes after Last-Event-ID: the missed events once each, then the workspace now, then live", async () => {
    const id = await runningWorkspace();
    const url = `${server.url}/workspaces/${id}/events`;
    const first = await openStream(url, headers());
    const seen = await first.next();
    first.cancel();
    const resumeAt = seen?.id as string;
    expect(resumeAt).toMatch(/^ev_/);

    // Missed while away: a settings change (updated) and a stop (two status changes).
    const patched = await api.request("PATCH", `/workspaces/${id}`, {
      ...auth,
      json: { labels: { team: "web" } },
    });
    expect(patched.status).toBe(200);
    expect((await api.post(`/workspaces/${id}/stop`, auth)).status).toBe(200);
    const stopped = await api.get(`/workspaces/${id}/wait?status=stopped&timeout=30`, auth);
    expect(stopped.json.status).toBe("stopped");
    const missed = await history(id, resumeAt);
    expect(missed.map((event) => event.type)).toEqual([
      "workspace.updated",
      "workspace.status_changed",
      "workspace.status_changed",
    ]);

    for (const resume of [
      { url, headers: { ...headers(), "last-event-id": resumeAt } },
      { url: `${url}?after=${resumeAt}`, headers: headers() },
    ]) {
      const stream = await openStream(resume.url, resume.headers);
      expect(stream.status).toBe(200);
      const replayed: Message[] = [];
      for (let i = 0; i < missed.length; i++) replayed.push((await stream.next()) as Message);
      expect(replayed.map((m) => [m.event, m.id, m.data.id])).toEqual(
        missed.map((event) => ["event", event.id, event.id]),
      );
      expect(replayed.map((m) => m.data)).toEqual(missed);
      // The seam: the workspace as it is now reflects the last missed event, and nothing more.
      const now = await stream.next();
      expect(now).toMatchObject({ event: "workspace", id: missed.at(-1)?.id });
      expect(now?.data).toMatchObject({ status: "stopped", labels: { team: "web" } });
      stream.cancel();
    }

    // Live after the replay: a start, each change once with its own event's id.
    const stream = await openStream(url, { ...headers(), "last-event-id": resumeAt });
    const replay = await readUntil(stream, "stopped");
    expect(replay.length).toBe(missed.length + 1);
    expect((await api.post(`/workspaces/${id}/start`, auth)).status).toBe(200);
    const live = await readUntil(stream, "running");
    stream.cancel();
    const started = await history(id, missed.at(-1)?.id);
    expect(live.map((m) => [m.event, m.data.status, m.id])).toEqual(
      started.map((event) => ["workspace", event.to_status, event.id]),
    );
    const changes = [...replay.filter((m) => m.event === "event"), ...live];
    expect(new Set(changes.map((m) => m.id)).size).toBe(changes.length);
  }, 60_000);

  it("resuming at the newest id replays nothing: the workspace now comes first", async () => {
    const id = await runningWorkspace();
    const newest = (await history(id)).at(-1)?.id as string;
    const stream = await openStream(`${server.url}/workspaces/${id}/events`, {
      ...headers(),
      "last-event-id": newest,
    });
    expect(await stream.next()).toMatchObject({
      event: "workspace",
      id: newest,
      data: { status: "running" },
    });
    stream.cancel();
  }, 60_000);

  it("refuses a cursor that is not one of the project's event ids (400), before streaming", async () => {
    const id = await runningWorkspace();
    const other = await seedUser(server.services, "events-resume-other");
    const created = await api.post(`/projects/${other.project.id}/workspaces`, {
      token: other.token,
      json: { keep_active: true },
    });
    const theirs = await api.get(`/workspaces/${created.json.id}/history`, {
      token: other.token,
    });
    const foreign = (theirs.json.events as EventJson[])[0]?.id as string;
    expect(foreign).toMatch(/^ev_/);
    for (const cursor of [foreign, "nonsense", "ev_"]) {
      const stream = await openStream(`${server.url}/workspaces/${id}/events`, {
        ...headers(),
        "last-event-id": cursor,
      });
      expect({ cursor, status: stream.status }).toEqual({ cursor, status: 400 });
      expect((await stream.body()).details).toEqual([
        { field: "after", message: expect.any(String) },
      ]);
    }
  }, 60_000);
});
