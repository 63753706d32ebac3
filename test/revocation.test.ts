// Issue 10, the token cache: repeated requests cost no token query; issue 9, revocation that
// holds: a revoked token is refused at once where it was revoked, its WebSocket closes with 4403
// and its SSE stream ends, and nothing runs on the old socket. One real server on a database
// whose every statement is logged.
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Database, openDatabase, wrapPglite } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import { embeddedDatabase, TEST_DATABASE_URL } from "./kit/database.js";
import { graphqlWsClient } from "./kit/graphql.js";
import { restClient } from "./kit/rest.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";
import { sseWatch, wsWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

/** The authentication lookup (by token hash) and the last_used_at write, by their SQL. */
const isTokenLookup = (sql: string) => /token_hash/.test(sql);
const isTokenWrite = (sql: string) =>
  /UPDATE\s+"[^"]*"\."api_tokens"|UPDATE\s+"api_tokens"/.test(sql);

describe("the token cache and revocation on one server", () => {
  let database: Database;
  let pglite: PGlite | undefined;
  let server: TestServer;
  let statements: string[] | undefined;
  const disposers: (() => unknown)[] = [];

  beforeAll(async () => {
    const onQuery = (sql: string) => statements?.push(sql);
    if (TEST_DATABASE_URL) {
      database = await openDatabase({
        databaseUrl: TEST_DATABASE_URL,
        dataDir: "",
        migrate: true,
        onQuery,
      });
    } else {
      pglite = await PGlite.create();
      database = await wrapPglite(pglite, { migrate: true, onQuery });
    }
    server = await startServer(database);
  });

  afterAll(async () => {
    for (const dispose of disposers) await dispose();
    await server?.app.stop();
    await database?.close();
    await pglite?.close();
  });

  /** The statements `run` issues. */
  async function statementsOf(run: () => Promise<unknown>): Promise<string[]> {
    statements = [];
    try {
      await run();
      return statements;
    } finally {
      statements = undefined;
    }
  }

  async function revoke(user: SeededUser) {
    // What `token revoke` runs inside the server (the operator socket); the CLI over a socket
    // and across replicas: test/revocation-replicas.test.ts.
    const revoked = await server.services.tokens.revoke(user.token);
    expect(revoked.ok).toBe(true);
  }

  it("serves 20 requests of one token with one token query and one last_used_at write", async () => {
    const user = await seedUser(server.services, "cache");
    const api = restClient(server.url);
    const ran = await statementsOf(async () => {
      for (let i = 0; i < 20; i++) {
        expect((await api.get("/user/settings", { token: user.token })).status).toBe(200);
      }
    });
    expect(ran.filter(isTokenLookup), ran.join("\n")).toHaveLength(1);
    expect(ran.filter(isTokenWrite), ran.join("\n")).toHaveLength(1);
    const row = await database.prisma.apiToken.findFirstOrThrow({
      where: { userId: user.user.id },
    });
    expect(row.lastUsedAt).not.toBeNull();
  });

  it("refuses malformed tokens without a statement", async () => {
    const api = restClient(server.url);
    const user = await seedUser(server.services, "malformed");
    const tampered = `${user.token.slice(0, -1)}${user.token.endsWith("a") ? "b" : "a"}`;
    const ran = await statementsOf(async () => {
      for (const token of [tampered, "wsg_nope", "ghp_0123456789abcdefghijklmnopqrstuvwxyz"]) {
        expect((await api.get("/user/settings", { token })).status).toBe(401);
      }
    });
    expect(ran.filter(isTokenLookup)).toEqual([]);
  });

  it("refuses a revoked token at once on the server that revoked it, though it was cached", async () => {
    const user = await seedUser(server.services, "revoked");
    const api = restClient(server.url);
    expect((await api.get("/user/settings", { token: user.token })).status).toBe(200);
    await revoke(user);
    const refused = await api.get("/user/settings", { token: user.token });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const created = await api.post(`/projects/${user.project.id}/workspaces`, {
      token: user.token,
      json: {},
    });
    expect(created.status).toBe(401);
    expect(await database.prisma.workspace.count({ where: { projectId: user.project.id } })).toBe(
      0,
    );
  });

  it("uses a user's new default hardware at once, not the cached copy of the user", async () => {
    const user = await seedUser(server.services, "settings");
    const api = restClient(server.url);
    expect((await api.get("/user/settings", { token: user.token })).status).toBe(200);
    const put = await api.put("/user/settings", {
      token: user.token,
      json: { default_hardware: { cpus: 4, memory_mb: 4096 } },
    });
    expect(put.status).toBe(200);
    const settings = await api.get("/user/settings", { token: user.token });
    expect(settings.json.default_hardware).toMatchObject({ cpus: 4, memory_mb: 4096 });
    const created = await api.post(`/projects/${user.project.id}/workspaces`, {
      token: user.token,
      json: { keep_active: true },
    });
    expect(created.status).toBe(201);
    expect(created.json.hardware).toMatchObject({ cpus: 4, memory_mb: 4096 });
  });

  it("closes the token's WebSocket with 4403 'token revoked' and ends its SSE stream", async () => {
    const user = await seedUser(server.services, "streams");
    const workspace = await database.prisma.workspace.create({
      data: workspaceRow(user.project.id),
    });
    const socket = graphqlWsClient(server.url, { authorization: `Bearer ${user.token}` });
    disposers.push(socket.dispose);
    const overSocket = wsWatch(socket.client, workspace.id);
    const overSse = sseWatch(server.url, user.token, workspace.id);
    disposers.push(() => overSse.close());
    await Promise.all([overSocket.until("RUNNING"), overSse.until("RUNNING")]);
    // A stream of another token of the same user goes on.
    const other = await server.services.tokens.issue(user.user.id);
    const otherSse = sseWatch(server.url, other.token, workspace.id);
    disposers.push(() => otherSse.close());
    await otherSse.until("RUNNING");

    const revokedAt = Date.now();
    await revoke(user);
    await waitFor(() => socket.closes.length > 0, { timeoutMs: 5000, what: "the socket to close" });
    await overSse.ended(5000);
    const latency = Date.now() - revokedAt;
    expect(socket.closes).toEqual([{ code: 4403, reason: "token revoked" }]);
    expect(overSse.errors).toEqual([]);
    expect(otherSse.completed).toBe(false);
    console.log(`revocation: same server, socket closed and SSE ended ${latency} ms after revoke`);
  });

  it("ends the token's REST event stream (GET /workspaces/:id/events)", async () => {
    const user = await seedUser(server.services, "rest-events");
    const workspace = await database.prisma.workspace.create({
      data: workspaceRow(user.project.id),
    });
    const controller = new AbortController();
    disposers.push(() => controller.abort());
    const response = await fetch(`${server.url}/workspaces/${workspace.id}/events`, {
      headers: { authorization: `Bearer ${user.token}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain("event: workspace");
    let ended = false;
    void (async () => {
      for (;;) if ((await reader.read()).done) break;
      ended = true;
    })().catch(() => {});
    await revoke(user);
    await waitFor(() => ended, { timeoutMs: 5000, what: "the event stream to end" });
  });

  it("runs nothing sent on the old socket after the revocation: no row written", async () => {
    const user = await seedUser(server.services, "no-run");
    const raw = new WebSocket(`${server.url.replace(/^http/, "ws")}/graphql`, [
      "graphql-transport-ws",
    ]);
    disposers.push(() => raw.terminate());
    const received: { type: string; id?: string }[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      raw.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    raw.on("message", (data) => received.push(JSON.parse(String(data))));
    await new Promise((resolve) => raw.once("open", resolve));
    raw.send(
      JSON.stringify({
        type: "connection_init",
        payload: { authorization: `Bearer ${user.token}` },
      }),
    );
    await waitFor(() => received.some((m) => m.type === "connection_ack"), { what: "the ack" });

    await revoke(user);
    // Sent right behind the revocation, before the client has read the close frame.
    for (let i = 0; i < 3; i++) {
      raw.send(
        JSON.stringify({
          id: `create-${i}`,
          type: "subscribe",
          payload: {
            query: `mutation { createWorkspace(input: { projectId: "${user.project.id}" }) { __typename } }`,
          },
        }),
      );
    }
    expect(await closed).toEqual({ code: 4403, reason: "token revoked" });
    expect(received.filter((m) => m.type === "next")).toEqual([]);
    expect(await database.prisma.workspace.count({ where: { projectId: user.project.id } })).toBe(
      0,
    );
  });
});

describe("MAX_SOCKET_LIFETIME_S", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(await embeddedDatabase(), { MAX_SOCKET_LIFETIME_S: "1" });
  });

  afterAll(async () => {
    await server?.app.stop();
  });

  it("closes a socket with 1001 'socket lifetime reached' once it has lived that long", async () => {
    const user = await seedUser(server.services, "lifetime");
    const socket = graphqlWsClient(server.url, { authorization: `Bearer ${user.token}` });
    const started = Date.now();
    try {
      await waitFor(() => socket.closes.length > 0, { timeoutMs: 5000, what: "the close" });
    } finally {
      await socket.dispose();
    }
    const lived = Date.now() - started;
    expect(socket.closes).toEqual([{ code: 1001, reason: "socket lifetime reached" }]);
    // Counted from connection_init, which follows the connect.
    expect(lived).toBeGreaterThanOrEqual(1000);
    expect(lived).toBeLessThan(4000);
  });

  it.each([
    ["0", 0],
    ["604800", 604_800],
  ])("accepts %s (default 0: never)", (value, parsed) => {
    expect(parseEnv({}).MAX_SOCKET_LIFETIME_S).toBe(0);
    expect(parseEnv({ MAX_SOCKET_LIFETIME_S: value }).MAX_SOCKET_LIFETIME_S).toBe(parsed);
  });

  it.each(["604801", "-1", "0.5"])("refuses %s", (value) => {
    expect(() => parseEnv({ MAX_SOCKET_LIFETIME_S: value })).toThrow(/MAX_SOCKET_LIFETIME_S/);
  });
});
