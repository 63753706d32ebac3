/**
 * CORS_ORIGINS (REST and /graphql, preflights), the HTTP timeouts and connection cap against
 * slow and idle clients on raw sockets, and METRICS_TOKEN; each on a real server.
 */
import { connect, type Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { createClient } from "graphql-ws";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { parseEnv } from "../src/env.js";
import { embeddedDatabase } from "./kit/database.js";
import { restClient, seedRestUser } from "./kit/rest.js";
import { heldWorkspace } from "./kit/seed.js";
import { useServer } from "./kit/server.js";
import { waitFor } from "./kit/wait.js";

const ALLOWED = "https://app.example.com";
const OTHER = "https://evil.example.net";

/** A raw TCP connection to the server: what it received, and whether it has been closed. */
async function rawSocket(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const state = { received: "", closed: false, closedAt: 0 };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    state.received += chunk;
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    state.closed = true;
    state.closedAt = Date.now();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return { socket, state };
}

function closedWithin(state: { closed: boolean }, timeoutMs: number, what: string) {
  return waitFor(() => state.closed, { timeoutMs, intervalMs: 20, what });
}

describe("CORS_ORIGINS set", () => {
  const server = useServer(embeddedDatabase, { CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` });

  it("gives a listed origin its CORS headers with credentials on REST and /graphql", async () => {
    const { api, token } = await seedRestUser(server, "cors");
    const rest = await api.get("/user/settings", { token, headers: { origin: ALLOWED } });
    expect(rest.status).toBe(200);
    expect(rest.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(rest.headers.get("access-control-allow-credentials")).toBe("true");
    expect(rest.headers.get("vary")).toMatch(/origin/i);
    expect(rest.headers.get("access-control-expose-headers")).toMatch(/RateLimit/);

    const graphql = await api.post("/graphql", {
      token,
      json: { query: "{ viewer { id } }" },
      headers: { origin: ALLOWED },
    });
    expect(graphql.status).toBe(200);
    expect(graphql.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(graphql.headers.get("access-control-allow-credentials")).toBe("true");

    // An error answer carries them too, so the page can read it.
    const refused = await api.get("/user/settings", { headers: { origin: ALLOWED } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(ALLOWED);
  });

  it("answers a listed origin's preflight for REST and /graphql before authentication", async () => {
    const api = restClient(server.url);
    for (const path of ["/projects/00000000-0000-4000-8000-000000000000/workspaces", "/graphql"]) {
      const preflight = await api.request("OPTIONS", path, {
        headers: {
          origin: ALLOWED,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type, idempotency-key",
        },
      });
      expect(preflight.status, path).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe(ALLOWED);
      expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
      expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
      expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
        "authorization",
      );
      expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
        "idempotency-key",
      );
      expect(preflight.headers.get("access-control-max-age")).toBe("600");
    }
  });

  it("gives an unlisted origin no CORS headers (requests and preflights)", async () => {
    const { api, token } = await seedRestUser(server, "cors-other");
    const rest = await api.get("/user/settings", { token, headers: { origin: OTHER } });
    expect(rest.headers.get("access-control-allow-origin")).toBeNull();
    const graphql = await api.post("/graphql", {
      token,
      json: { query: "{ viewer { id } }" },
      headers: { origin: OTHER },
    });
    expect(graphql.headers.get("access-control-allow-origin")).toBeNull();
    expect(graphql.headers.get("access-control-allow-credentials")).toBeNull();
    const preflight = await api.request("OPTIONS", "/graphql", {
      headers: { origin: OTHER, "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
  });
});

describe("CORS_ORIGINS unset (the default)", () => {
  const server = useServer(embeddedDatabase);

  it("sends no CORS headers to any origin, on REST or /graphql (yoga's own CORS is off)", async () => {
    const { api, token } = await seedRestUser(server, "no-cors");
    const rest = await api.get("/user/settings", { token, headers: { origin: ALLOWED } });
    const graphql = await api.post("/graphql", {
      token,
      json: { query: "{ viewer { id } }" },
      headers: { origin: ALLOWED },
    });
    const preflight = await api.request("OPTIONS", "/graphql", {
      headers: { origin: ALLOWED, "access-control-request-method": "POST" },
    });
    for (const response of [rest, graphql, preflight]) {
      expect(response.headers.get("access-control-allow-origin"), response.path).toBeNull();
      expect(response.headers.get("access-control-allow-credentials"), response.path).toBeNull();
    }
  });
});

describe("HTTP timeouts and connection cap", () => {
  const server = useServer(embeddedDatabase, {
    HTTP_REQUEST_TIMEOUT_MS: "1000",
    HTTP_HEADERS_TIMEOUT_MS: "1000",
    HTTP_CONNECTION_TIMEOUT_MS: "1500",
    HTTP_KEEP_ALIVE_TIMEOUT_MS: "500",
    HTTP_MAX_CONNECTIONS: "3",
  });

  it("closes a connection that trickles its body past HTTP_REQUEST_TIMEOUT_MS; a prompt body is served", async () => {
    const { token, path } = await seedRestUser(server, "slow-body");
    const body = JSON.stringify({ keep_active: true });
    const head = (length: number) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

    const prompt = await rawSocket(server.url);
    prompt.socket.write(head(body.length) + body);
    await closedWithin(prompt.state, 5000, "the prompt request to be answered");
    expect(prompt.state.received).toMatch(/^HTTP\/1\.1 201 /);

    const slow = await rawSocket(server.url);
    const started = Date.now();
    slow.socket.write(head(1000));
    const trickle = setInterval(() => {
      if (!slow.state.closed) slow.socket.write(" ");
    }, 100);
    try {
      await closedWithin(slow.state, 5000, "the server to close the trickling connection");
    } finally {
      clearInterval(trickle);
    }
    expect(slow.state.closedAt - started).toBeGreaterThanOrEqual(900);
    expect(slow.state.received).not.toMatch(/ 201 /);
  });

  it("closes a connection that never finishes its headers", async () => {
    const slow = await rawSocket(server.url);
    slow.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    const trickle = setInterval(() => {
      if (!slow.state.closed) slow.socket.write("X-Slow: 1\r\n");
    }, 100);
    try {
      await closedWithin(slow.state, 5000, "the server to close the slow-headers connection");
    } finally {
      clearInterval(trickle);
    }
    expect(slow.state.received).not.toMatch(/ 200 /);
  });

  it("keeps an idle keep-alive connection for HTTP_KEEP_ALIVE_TIMEOUT_MS, then closes it", async () => {
    const client = await rawSocket(server.url);
    const ask = () => client.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    ask();
    await waitFor(() => (client.state.received.match(/HTTP\/1\.1 200/g) ?? []).length === 1, {
      timeoutMs: 5000,
      what: "the first answer",
    });
    // Within the keep-alive window the same connection serves another request.
    ask();
    await waitFor(() => (client.state.received.match(/HTTP\/1\.1 200/g) ?? []).length === 2, {
      timeoutMs: 5000,
      what: "the second answer on the same connection",
    });
    const answered = Date.now();
    await closedWithin(client.state, 5000, "the idle keep-alive connection to close");
    expect(client.state.closedAt - answered).toBeGreaterThanOrEqual(400);
  });

  it("serves HTTP_MAX_CONNECTIONS connections at once and drops one more", async () => {
    const open = await Promise.all([1, 2, 3].map(() => rawSocket(server.url)));
    // Each of the 3 is served (and kept alive: the cap counts them).
    for (const { socket } of open) socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor(() => open.every(({ state }) => /HTTP\/1\.1 200/.test(state.received)), {
      timeoutMs: 5000,
      what: "3 answers",
    });
    const extra = await rawSocket(server.url);
    extra.socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await closedWithin(extra.state, 5000, "the 4th connection to be dropped");
    expect(extra.state.received).toBe("");
    for (const { socket } of open) socket.destroy();
    // Once the server has seen them go, new connections are served again.
    await waitFor(async () => (await fetch(`${server.url}/healthz`)).ok, {
      timeoutMs: 5000,
      what: "a new connection to be served after the others closed",
    });
  });

  it("cuts an answer that stays silent past HTTP_CONNECTION_TIMEOUT_MS; a shorter one is served", async () => {
    const seeded = await seedRestUser(server, "idle-answer");
    const { workspace } = await heldWorkspace(
      server.services,
      server.database.prisma,
      seeded.project.id,
    );
    const wait = (seconds: number) =>
      seeded.api.get(`/workspaces/${workspace.id}/wait?status=running&timeout=${seconds}`, {
        token: seeded.token,
      });
    expect((await wait(1)).status).toBe(408);
    // 3 s of silence on a socket with a 1.5 s idle timeout: the server closes it unanswered.
    await expect(wait(3)).rejects.toThrow();
  });

  it("leaves WebSocket subscriptions alone: a socket outlives every HTTP timeout", async () => {
    const { token } = await seedRestUser(server, "ws-timeouts");
    const client = createClient({
      url: `${server.url.replace("http", "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
    });
    const closes: number[] = [];
    client.on("closed", (event) => closes.push((event as { code: number }).code));
    await new Promise<void>((resolve, reject) => {
      client.on("connected", () => resolve());
      client.on("closed", (event) =>
        reject(new Error(`closed: ${(event as { code: number }).code}`)),
      );
    });
    const query = () =>
      new Promise<unknown>((resolve, reject) => {
        let result: unknown;
        client.subscribe(
          { query: "{ viewer { id } }" },
          { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
        );
      });
    expect(await query()).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
    // Past the request, headers, keep-alive and connection timeouts (the longest is 1.5 s).
    // A duration, not an event: nothing must happen meanwhile.
    await delay(2500);
    expect(closes).toEqual([]);
    expect(await query()).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
    await client.dispose();
  });
});

describe("HTTP_REQUEST_TIMEOUT_MS and long answers", () => {
  const server = useServer(embeddedDatabase, {
    HTTP_REQUEST_TIMEOUT_MS: "1000",
    HTTP_HEADERS_TIMEOUT_MS: "1000",
  });

  it("bounds receiving the request only: a 3 s long-poll is answered, not cut at 1 s", async () => {
    const seeded = await seedRestUser(server, "long-poll");
    const { workspace } = await heldWorkspace(
      server.services,
      server.database.prisma,
      seeded.project.id,
    );
    const started = Date.now();
    const waited = await seeded.api.get(
      `/workspaces/${workspace.id}/wait?status=running&timeout=3`,
      {
        token: seeded.token,
      },
    );
    expect(waited.status).toBe(408);
    expect(waited.json.status).toBe("creating");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });
});

describe("hardening settings", () => {
  it("have the documented defaults", () => {
    const env = parseEnv({});
    expect({
      RATE_LIMIT_PER_MINUTE: env.RATE_LIMIT_PER_MINUTE,
      CREATE_RATE_LIMIT_PER_MINUTE: env.CREATE_RATE_LIMIT_PER_MINUTE,
      WORKSPACE_QUOTA: env.WORKSPACE_QUOTA,
      CORS_ORIGINS: env.CORS_ORIGINS,
      HTTP_REQUEST_TIMEOUT_MS: env.HTTP_REQUEST_TIMEOUT_MS,
      HTTP_HEADERS_TIMEOUT_MS: env.HTTP_HEADERS_TIMEOUT_MS,
      HTTP_CONNECTION_TIMEOUT_MS: env.HTTP_CONNECTION_TIMEOUT_MS,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      HTTP_MAX_CONNECTIONS: env.HTTP_MAX_CONNECTIONS,
      METRICS_TOKEN: env.METRICS_TOKEN,
    }).toEqual({
      RATE_LIMIT_PER_MINUTE: 1200,
      CREATE_RATE_LIMIT_PER_MINUTE: 60,
      WORKSPACE_QUOTA: 50,
      CORS_ORIGINS: [],
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_CONNECTION_TIMEOUT_MS: 120_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 72_000,
      HTTP_MAX_CONNECTIONS: 10_000,
      METRICS_TOKEN: undefined,
    });
  });

  it.each([
    ["CORS_ORIGINS", "https://app.example.com/path"],
    ["CORS_ORIGINS", "*"],
    ["RATE_LIMIT_PER_MINUTE", "-1"],
    ["WORKSPACE_QUOTA", "ten"],
    ["HTTP_REQUEST_TIMEOUT_MS", "1.5"],
    ["HTTP_MAX_CONNECTIONS", "-5"],
    ["METRICS_TOKEN", "short"],
  ])("refuse %s=%s with one line naming it", (name, value) => {
    let message = "";
    try {
      parseEnv({ [name]: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(name);
    expect(message).not.toContain("\n");
  });
});

describe("METRICS_TOKEN", () => {
  const secret = "metrics-secret-0123456789";
  const guarded = useServer(embeddedDatabase, { METRICS_TOKEN: secret });
  const open = useServer(embeddedDatabase);

  it("set: /metrics answers 401 without it or with another token, 200 with it", async () => {
    const api = restClient(guarded.url);
    const without = await api.get("/metrics");
    expect(without.status).toBe(401);
    expect(without.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(without.text).not.toContain("http_request_duration_seconds");
    expect((await api.get("/metrics", { token: `${secret}x` })).status).toBe(401);
    const withToken = await api.get("/metrics", { token: secret });
    expect(withToken.status).toBe(200);
    expect(withToken.text).toContain("http_request_duration_seconds");
  });

  it("unset: /metrics is open", async () => {
    const response = await restClient(open.url).get("/metrics");
    expect(response.status).toBe(200);
    expect(response.text).toContain("process_cpu");
  });
});
