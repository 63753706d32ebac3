// CONTRACT §7, REST clients can wait: GET /workspaces/:id/wait (long-poll) and
// GET /workspaces/:id/events (Server-Sent Events), on a PostgreSQL database of their own so that
// the connections counted in pg_stat_activity are this server's only.
import { randomUUID } from "node:crypto";
import { get as httpGet, type IncomingMessage } from "node:http";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import { SSE_HEARTBEAT, SSE_HEARTBEAT_MS } from "../src/rest/event-stream.js";
import { TEST_DATABASE_URL } from "./kit/database.js";
import { scratchPostgres } from "./kit/processes.js";
import { type RestClient, restClient, settleWorkspace } from "./kit/rest.js";
import { heldWorkspace, type SeededUser, seedUser } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

/** One parsed Server-Sent Event, or a comment line (heartbeat). */
type StreamItem = { event: string; data: Record<string, unknown> } | { comment: string };

/**
 * GET over a connection of its own (node:http, no pool): an event stream is read item by item
 * (`next()` gives null once the server ended it), a plain answer with `text()`. `cancel()` closes
 * exactly that connection (fetch's pool may open a fresh, unused one after a cancelled body,
 * which holds up the server's close).
 */
async function request(url: string, token: string) {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpGet(url, { agent: false, headers: { authorization: `Bearer ${token}` } });
    request.once("response", resolve).once("error", reject);
  });
  response.setEncoding("utf8");
  const chunks = response[Symbol.asyncIterator]() as AsyncIterator<string>;
  let buffer = "";
  return {
    status: response.statusCode,
    headers: response.headers,
    contentType: response.headers["content-type"],
    /** The whole body (for a plain JSON answer). */
    async text(): Promise<string> {
      let text = buffer;
      for await (const chunk of response) text += chunk;
      return text;
    },
    async next(): Promise<StreamItem | null> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(":")) return { comment: block };
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? "null";
          return { event, data: JSON.parse(data) };
        }
        const { done, value } = await chunks.next();
        if (done) return null;
        buffer += value;
      }
    },
    cancel: () => response.destroy(),
  };
}

/** openDatabase's default PostgreSQL pool size (src/db/client.ts). */
const POOL_SIZE = 10;

describe.skipIf(!TEST_DATABASE_URL)("REST wait and events", () => {
  let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
  let server: TestServer;
  let owner: SeededUser;
  let api: RestClient;
  let selects = 0;

  beforeAll(async () => {
    scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "wait");
    const database = await openDatabase({
      databaseUrl: scratch.url,
      dataDir: "",
      migrate: true,
      onQuery: (sql) => {
        if (/^\s*SELECT/i.test(sql)) selects++;
      },
    });
    server = await startServer(database, {
      SIMULATED_PROVISION_DELAY_MS: "200",
      // One token parks 500 waiters below: that is 10 × MAX_STREAMS_PER_TOKEN and a burst far
      // past MAX_CONCURRENT_REQUESTS_PER_TOKEN's queue. What is measured here is what a parked
      // waiter costs the database, not the per-token caps (test/fairness.test.ts holds those).
      MAX_STREAMS_PER_TOKEN: "0",
      MAX_CONCURRENT_REQUESTS_PER_TOKEN: "0",
    });
    owner = await seedUser(server.services, "waiter");
    api = restClient(server.url);
  });

  afterAll(async () => {
    await server?.app.stop();
    await server?.database.close();
    await scratch?.drop();
  });

  const get = (path: string, token = owner.token) => api.get(path, { token });
  const held = (projectId = owner.project.id) =>
    heldWorkspace(server.services, server.database.prisma, projectId);

  it("answers 200 once the workspace is running", async () => {
    const created = await api.post(`/projects/${owner.project.id}/workspaces`, {
      token: owner.token,
    });
    expect(created.json.status).toBe("creating");
    const waited = await get(`/workspaces/${created.json.id}/wait?status=running&timeout=20`);
    expect(waited.status).toBe(200);
    expect(waited.json).toMatchObject({ id: created.json.id, status: "running" });
    expect(waited.json.machine_id).toEqual(expect.any(String));
    expect(waited.json.private_ip).toEqual(expect.any(String));
  });

  it("answers 408 with the workspace as it is when the timeout passes first", async () => {
    const { workspace } = await held();
    const started = Date.now();
    const waited = await get(`/workspaces/${workspace.id}/wait?status=running&timeout=0.5`);
    const elapsed = Date.now() - started;
    expect(waited.status).toBe(408);
    expect(waited.json).toMatchObject({ id: workspace.id, status: "creating" });
    expect(elapsed).toBeGreaterThanOrEqual(490);
    expect(elapsed).toBeLessThan(5000);
  });

  it("answers at once when the workspace settles in another status (a failed create)", async () => {
    const project = await server.services.projects.create(owner.user.id, {
      name: "[fail:create] project",
    });
    if (!project.ok) throw new Error(project.error.message);
    const created = await api.post(`/projects/${project.value.id}/workspaces`, {
      token: owner.token,
    });
    const started = Date.now();
    const waited = await get(`/workspaces/${created.json.id}/wait?status=running`);
    expect(waited.status).toBe(200);
    expect(waited.json.status).toBe("error");
    expect(waited.json.error_message).toContain("[fail:create]");
    // The 60 s default timeout did not run out: the answer came with the failed step.
    expect(Date.now() - started).toBeLessThan(10_000);
    // Already settled: answered from the snapshot at once.
    const settled = await get(`/workspaces/${created.json.id}/wait?status=running&timeout=60`);
    expect(settled.status).toBe(200);
    expect(settled.json.status).toBe("error");
  });

  it("ends a wait for a transitional status when the workspace gets there", async () => {
    const { workspace, release } = await held();
    const waiting = get(`/workspaces/${workspace.id}/wait?status=starting&timeout=20`);
    await release();
    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(waited.json.status).toBe("starting");
  });

  it("answers 404 for another user's, a missing, a malformed and a deleted id alike", async () => {
    const stranger = await seedUser(server.services, "stranger");
    const { workspace } = await held(stranger.project.id);
    const mine = await held();
    const deletedWhileWaiting = get(`/workspaces/${mine.workspace.id}/wait?timeout=20`);
    expect(
      (await api.delete(`/workspaces/${mine.workspace.id}`, { token: owner.token })).status,
    ).toBe(204);
    const answers = [
      await get(`/workspaces/${workspace.id}/wait`),
      await get(`/workspaces/${randomUUID()}/wait`),
      await get("/workspaces/not-a-uuid/wait"),
      await get(`/workspaces/${mine.workspace.id}/wait`),
      await deletedWhileWaiting,
      await get(`/workspaces/${workspace.id}/events`),
      await get(`/workspaces/${randomUUID()}/events`),
    ];
    for (const answer of answers) {
      expect({ status: answer.status, body: answer.text }).toEqual({
        status: 404,
        body: answers[0]?.text,
      });
    }
    expect(answers[0]?.json).toEqual({ error: expect.any(String) });
  });

  it("takes a timeout from more than 0 up to 60 seconds and a known status; 400 otherwise", async () => {
    const { workspace } = await held();
    await settleWorkspace(server, workspace.id, "running");
    const path = `/workspaces/${workspace.id}/wait`;
    // At the limit: accepted (and answered at once: the workspace is settled).
    expect((await get(`${path}?timeout=60`)).status).toBe(200);
    expect((await get(`${path}?timeout=0.001&status=stopped`)).status).toBe(200);
    for (const [query, field] of [
      ["timeout=61", "timeout"],
      ["timeout=60.5", "timeout"],
      ["timeout=0", "timeout"],
      ["timeout=-1", "timeout"],
      ["timeout=soon", "timeout"],
      ["status=deleted", "status"],
      ["status=RUNNING", "status"],
    ] as const) {
      const answer = await get(`${path}?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
      expect(answer.json.details).toEqual([{ field, message: expect.any(String) }]);
    }
    expect((await get(`${path}?timeout=61`)).json.error).toContain("at most 60");
    // Without a token: the usual 401, before anything else.
    expect((await api.get(`${path}?timeout=61`)).status).toBe(401);
    expect((await api.get(`/workspaces/${workspace.id}/events`)).status).toBe(401);
  });

  it("streams the snapshot, then every change, then `deleted`, and ends", async () => {
    const { workspace, release } = await held();
    const stream = await request(`${server.url}/workspaces/${workspace.id}/events`, owner.token);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const items: StreamItem[] = [];
    const first = await stream.next();
    expect(first).toMatchObject({ event: "workspace", data: { status: "creating" } });
    items.push(first as StreamItem);
    await release();
    for (;;) {
      const item = await stream.next();
      if (!item) break;
      items.push(item);
      if ("data" in item && item.data.status === "running") {
        expect(
          (await api.delete(`/workspaces/${workspace.id}`, { token: owner.token })).status,
        ).toBe(204);
      }
    }
    expect(items.map((item) => ("event" in item ? [item.event, item.data.status] : item))).toEqual([
      ["workspace", "creating"],
      ["workspace", "starting"],
      ["workspace", "running"],
      ["deleted", "deleted"],
    ]);
    const last = items.at(-1) as { data: Record<string, unknown> };
    expect(last.data.id).toBe(workspace.id);
  });

  it(`sends a heartbeat comment every ${SSE_HEARTBEAT_MS / 1000} s on an idle stream`, async () => {
    const { workspace } = await held();
    await settleWorkspace(server, workspace.id, "running");
    const stream = await request(`${server.url}/workspaces/${workspace.id}/events`, owner.token);
    expect(await stream.next()).toMatchObject({ event: "workspace" });
    const opened = Date.now();
    expect(await stream.next()).toEqual({ comment: SSE_HEARTBEAT.trim() });
    const after = Date.now() - opened;
    expect(after).toBeGreaterThanOrEqual(SSE_HEARTBEAT_MS - 1000);
    expect(after).toBeLessThan(SSE_HEARTBEAT_MS + 3000);
    await stream.cancel();
  }, 30_000);

  it("parks 500 concurrent waiters on the status bus: no connection is added, none is held", async () => {
    const { workspace } = await held();
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    const sessions = async () => {
      const { rows } = await admin.query<{ state: string | null; query: string }>(
        "SELECT state, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      return rows;
    };
    try {
      // The server's pool at its full size first (10 slow queries at once through it): what a busy
      // server holds anyway. 500 waiters must add no connection to it and hold none of it.
      await Promise.all(
        Array.from(
          { length: POOL_SIZE },
          () => server.database.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(0.3)`,
        ),
      );
      const baseline = (await sessions()).length;
      const selectsBefore = selects;
      const timeoutS = 8;
      const started = Date.now();
      let done = false;
      let answered = false;
      const waits = Promise.all(
        Array.from({ length: 500 }, () =>
          get(`/workspaces/${workspace.id}/wait?status=running&timeout=${timeoutS}`).finally(() => {
            answered = true;
          }),
        ),
      ).finally(() => {
        done = true;
      });
      const samples: number[] = [];
      const parked: number[] = [];
      const busy: string[] = [];
      let parkedSamples = 0;
      while (!done) {
        const rows = await sessions();
        samples.push(rows.length);
        // Each waiter reads the workspace twice (access check, snapshot), then only listens: once
        // all of those reads are done and until the timeout, nothing may run for them (the
        // background workers' periodic queries aside: the engine's claim and lease queries name
        // the lease columns, the webhook worker's claim of due deliveries webhook_deliveries).
        if (selects - selectsBefore >= 1000 && !answered) {
          parkedSamples++;
          parked.push(rows.length);
          busy.push(
            ...rows
              .filter(
                (row) =>
                  row.state !== "idle" &&
                  !/lease_(owner|expires_at)|webhook_deliveries/.test(row.query),
              )
              .map((row) => `${row.state}: ${row.query}`),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const answers = await waits;
      const elapsed = Date.now() - started;
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 408));
      expect(answers.every((answer) => answer.json.status === "creating")).toBe(true);
      const perWaiter = (selects - selectsBefore) / answers.length;
      console.log(
        `500 waiters: PostgreSQL sessions baseline ${baseline}, max ${Math.max(...samples)} (${samples.length} samples), ` +
          `while all were parked ${Math.min(...parked)}–${Math.max(...parked)}; ` +
          `${perWaiter.toFixed(2)} SELECTs per waiter; ${parkedSamples} samples while all were parked, none busy; all 408 after ${elapsed} ms (timeout ${timeoutS} s)`,
      );
      expect(parkedSamples).toBeGreaterThan(10);
      expect(baseline).toBe(POOL_SIZE);
      expect(Math.max(...parked)).toBeLessThanOrEqual(baseline);
      expect(busy).toEqual([]);
      // A poller would query per waiter per interval; a waiter on the bus reads its snapshot once.
      expect(perWaiter).toBeLessThanOrEqual(3);
    } finally {
      await admin.end();
    }
  }, 40_000);

  it("answers 401 to a wait whose token is revoked while it waits", async () => {
    const revokee = await seedUser(server.services, "revokee");
    const { workspace } = await heldWorkspace(
      server.services,
      server.database.prisma,
      revokee.project.id,
    );
    // The token verified once (cached), so that the wait's own reads are its only ones: two, the
    // access check and the snapshot; after them it is parked on the bus.
    expect((await get(`/workspaces/${workspace.id}`, revokee.token)).status).toBe(200);
    const before = selects;
    const waiting = get(`/workspaces/${workspace.id}/wait?timeout=30`, revokee.token);
    await waitFor(() => selects - before >= 2, { what: "the wait to read its snapshot" });
    const started = Date.now();
    expect((await server.services.tokens.revoke(revokee.token)).ok).toBe(true);
    const answer = await waiting;
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(answer.json).toEqual({ error: expect.any(String) });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("ends open waits (503, Retry-After) and streams when the server stops, without holding it up", async () => {
    // A server of its own (same database), reached over connections of its own: what it stops.
    const other = await startServer(server.database);
    const { workspace } = await held();
    const path = `${other.url}/workspaces/${workspace.id}`;
    const stream = await request(`${path}/events`, owner.token);
    expect(await stream.next()).toMatchObject({ event: "workspace" });
    const before = selects;
    const waiting = request(`${path}/wait?timeout=60`, owner.token);
    await waitFor(() => selects - before >= 2, { what: "the wait to read its snapshot" });
    const started = Date.now();
    await other.app.stop();
    const stopMs = Date.now() - started;
    const answer = await waiting;
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBe("1");
    expect(JSON.parse(await answer.text())).toEqual({
      error: expect.stringContaining("shutting down"),
    });
    expect(await stream.next()).toBeNull();
    expect(stopMs).toBeLessThan(5000);
  });
});
