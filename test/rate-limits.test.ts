/**
 * RATE_LIMIT_PER_MINUTE, CREATE_RATE_LIMIT_PER_MINUTE and WORKSPACE_QUOTA, each at n (accepted)
 * and n+1 (refused), through REST and GraphQL, on a real server; the limits shared by two real
 * gateway processes through Redis.
 */
import { createClient } from "graphql-ws";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Database, openDatabase } from "../src/db/client.js";
import { generateToken } from "../src/services/token-format.js";
import { embeddedDatabase, TEST_DATABASE_URL, TEST_REDIS_URL } from "./kit/database.js";
import {
  killProcessesAfterAll,
  runCli,
  scratchPostgres,
  startServerProcess,
} from "./kit/processes.js";
import { restClient, seedRestUser } from "./kit/rest.js";
import { seedUser } from "./kit/seed.js";
import { startServer, type TestServer, useServer } from "./kit/server.js";

/** The RateLimit fields of a response (draft-ietf-httpapi-ratelimit-headers). */
function limitHeaders(headers: Headers) {
  return {
    policy: headers.get("ratelimit-policy"),
    limit: headers.get("ratelimit"),
    retryAfter: headers.get("retry-after"),
  };
}

/** A GraphQL POST with a raw document (aliases are the point, so no typed documents here). */
async function graphql(url: string, token: string, query: string, variables: object = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

/** `mutation { c0: createWorkspace(...) ... }` with `count` aliased creates in project `projectId`. */
function aliasedCreates(projectId: string, count: number): string {
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `c${i}: createWorkspace(input: { projectId: "${projectId}", keepActive: true }) { __typename ... on CreateWorkspaceSuccess { workspace { id } } }`,
  );
  return `mutation { ${fields.join(" ")} }`;
}

describe("RATE_LIMIT_PER_MINUTE per token", () => {
  const server = useServer(embeddedDatabase, { RATE_LIMIT_PER_MINUTE: "5" });

  it("answers 5 requests of a token with RateLimit headers and refuses the 6th with 429, other tokens unaffected", async () => {
    const { api, token } = await seedRestUser(server, "limit");
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await api.get("/user/settings", { token });
      expect(response.status).toBe(200);
      expect(response.headers.get("ratelimit-policy")).toBe('"requests";q=5;w=60');
      remaining.push(response.headers.get("ratelimit")?.split(";")[1] ?? "");
    }
    expect(remaining).toEqual(["r=4", "r=3", "r=2", "r=1", "r=0"]);

    const refused = await api.get("/user/settings", { token });
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({
      error: expect.stringContaining("at most 5 requests per minute"),
    });
    const headers = limitHeaders(refused.headers);
    expect(Number(headers.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(headers.retryAfter)).toBeLessThanOrEqual(60);
    expect(headers.policy).toBe('"requests";q=5;w=60');
    expect(headers.limit).toBe(`"requests";r=0;t=${headers.retryAfter}`);

    // GraphQL counts against the same budget and answers in GraphQL's words.
    const viaGraphql = await graphql(server.url, token, "{ viewer { id } }");
    expect(viaGraphql.status).toBe(429);
    expect(viaGraphql.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(viaGraphql.headers.get("retry-after")).not.toBeNull();

    const other = await seedRestUser(server, "limit-other");
    expect((await other.api.get("/user/settings", { token: other.token })).status).toBe(200);
  });

  it("lets exactly 5 of a burst of 8 creates through and writes nothing for the other 3", async () => {
    const user = await seedRestUser(server, "burst");
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        user.api.post(user.path, { token: user.token, json: { keep_active: true } }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    for (const refused of answers.filter((answer) => answer.status === 429)) {
      expect(refused.headers.get("retry-after")).not.toBeNull();
      expect(refused.headers.get("ratelimit")).toMatch(/^"requests";r=0;t=\d+$/);
    }
    expect(await user.rows()).toEqual({ workspaces: 5, idempotencyRecords: 0 });
  });

  it("answers the probes whatever the budget", async () => {
    const api = restClient(server.url);
    for (let i = 0; i < 8; i++) {
      expect((await api.get("/healthz")).status).toBe(200);
      expect((await api.get("/readyz")).status).toBe(200);
    }
  });
});

describe("RATE_LIMIT_PER_MINUTE per address without a valid token", () => {
  let database: Database;
  let server: TestServer;
  const tokenQueries: string[] = [];
  afterAll(async () => {
    await server?.app.stop();
    await database?.close();
  });

  it.skipIf(!TEST_DATABASE_URL)(
    "refuses the 6th bad-token request with 429 and looks up no token once the address is spent",
    async () => {
      database = await openDatabase({
        databaseUrl: TEST_DATABASE_URL,
        dataDir: "",
        migrate: true,
        onQuery: (sql) => {
          // Lookups by token hash (the revocation poll reads api_tokens too, every 2 s).
          if (sql.includes("token_hash")) tokenQueries.push(sql);
        },
      });
      server = await startServer(database, { RATE_LIMIT_PER_MINUTE: "5" });
      const api = restClient(server.url);
      // Well-formed (right checksum) but unknown: only the database can tell.
      const guesses = Array.from({ length: 5 }, () => generateToken());
      for (const guess of guesses) {
        expect((await api.get("/user/settings", { token: guess })).status).toBe(401);
      }
      expect(tokenQueries.length).toBeGreaterThanOrEqual(5);
      const lookupsBefore = tokenQueries.length;

      const flood = await Promise.all(
        Array.from({ length: 20 }, () => api.get("/user/settings", { token: generateToken() })),
      );
      expect(new Set(flood.map((response) => response.status))).toEqual(new Set([429]));
      expect(flood[0]?.json.error).toContain("at most 5 requests per minute");
      expect(flood[0]?.headers.get("retry-after")).not.toBeNull();
      expect(tokenQueries.length).toBe(lookupsBefore);
      // No token at all, and GraphQL, count against the same address.
      expect((await api.get("/user/settings")).status).toBe(429);
      const graphqlFlood = await graphql(server.url, generateToken(), "{ viewer { id } }");
      expect(graphqlFlood.status).toBe(429);
      expect(graphqlFlood.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    },
  );
});

/** A graphql-ws socket: resolves once acknowledged, or with the close code it was refused with. */
async function openSocket(url: string, authorization: string) {
  const client = createClient({
    url: `${url.replace("http", "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization },
    retryAttempts: 0,
    lazy: false,
    // The refusals are the point: observed through "closed", not logged.
    onNonLazyError: () => {},
  });
  const outcome = await new Promise<{ connected: true } | { closed: number }>((resolve) => {
    client.on("connected", () => resolve({ connected: true }));
    client.on("closed", (event) => resolve({ closed: (event as { code: number }).code }));
  });
  const query = () =>
    new Promise<{ data?: unknown; errors?: { extensions?: { code?: string } }[] }>((resolve) => {
      let result: { data?: unknown; errors?: { extensions?: { code?: string } }[] } = {};
      client.subscribe(
        { query: "{ viewer { id } }" },
        {
          next: (value) => {
            result = value as typeof result;
          },
          error: (errors) => resolve({ errors: errors as never }),
          complete: () => resolve(result),
        },
      );
    });
  return { client, outcome, query };
}

describe("RATE_LIMIT_PER_MINUTE over WebSocket", () => {
  const server = useServer(embeddedDatabase, { RATE_LIMIT_PER_MINUTE: "3" });

  it("counts connection_init and each operation: the 3rd is served, the 4th refused, a new socket closed 4429", async () => {
    const { token } = await seedUser(server.services, "ws-limit");
    const socket = await openSocket(server.url, `Bearer ${token}`);
    expect(socket.outcome).toEqual({ connected: true });
    expect(await socket.query()).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
    expect(await socket.query()).toMatchObject({ data: { viewer: { id: expect.any(String) } } });
    const refused = await socket.query();
    expect(refused.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    await socket.client.dispose();

    const again = await openSocket(server.url, `Bearer ${token}`);
    expect(again.outcome).toEqual({ closed: 4429 });
    await again.client.dispose();
  });

  it("counts bad-token connection_inits per address: 3 are refused 4403, the 4th 4429", async () => {
    const closes: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const socket = await openSocket(server.url, `Bearer ${generateToken()}`);
      closes.push(socket.outcome);
      await socket.client.dispose();
    }
    expect(closes).toEqual([
      { closed: 4403 },
      { closed: 4403 },
      { closed: 4403 },
      { closed: 4429 },
    ]);
  });
});

describe("CREATE_RATE_LIMIT_PER_MINUTE per user", () => {
  const server = useServer(embeddedDatabase, { CREATE_RATE_LIMIT_PER_MINUTE: "3" });

  it("REST: creates 3 and refuses the 4th with 429 and the creates policy, writing nothing", async () => {
    const user = await seedRestUser(server, "creates");
    for (let i = 0; i < 3; i++) {
      const created = await user.api.post(user.path, { token: user.token, json: {} });
      expect(created.status).toBe(201);
      expect(created.headers.get("ratelimit-policy")).toBe('"creates";q=3;w=60');
    }
    const refused = await user.api.post(user.path, { token: user.token, json: {} });
    expect(refused.status).toBe(429);
    expect(refused.json.error).toContain("at most 3 workspace creates per minute");
    expect(refused.headers.get("ratelimit")).toMatch(/^"creates";r=0;t=\d+$/);
    expect(refused.headers.get("retry-after")).not.toBeNull();
    expect(await user.rows()).toEqual({ workspaces: 3, idempotencyRecords: 0 });
    // Reads are not creates.
    expect((await user.api.get(user.path, { token: user.token })).status).toBe(200);
  });

  it("GraphQL: 3 aliased creates in one mutation pass, a 4th is refused as RATE_LIMITED (429)", async () => {
    const user = await seedRestUser(server, "creates-gql");
    const three = await graphql(server.url, user.token, aliasedCreates(user.project.id, 3));
    expect(three.status).toBe(200);
    expect(
      Object.values(three.body.data).map((r) => (r as { __typename: string }).__typename),
    ).toEqual(["CreateWorkspaceSuccess", "CreateWorkspaceSuccess", "CreateWorkspaceSuccess"]);
    const fourth = await graphql(server.url, user.token, aliasedCreates(user.project.id, 1));
    expect(fourth.status).toBe(429);
    expect(fourth.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("at most 3 workspace creates per minute"),
        extensions: expect.objectContaining({ code: "RATE_LIMITED" }),
      }),
    ]);
    expect(fourth.headers.get("retry-after")).not.toBeNull();
    expect((await user.rows()).workspaces).toBe(3);
  });

  it("GraphQL: creates inside a named and an inline fragment count; 3 pass, a 4th is refused", async () => {
    const user = await seedRestUser(server, "creates-fragments");
    const create = (alias: string) =>
      `${alias}: createWorkspace(input: { projectId: "${user.project.id}", keepActive: true }) { __typename }`;
    const three = await graphql(
      server.url,
      user.token,
      `mutation { ...Two ... on Mutation { ${create("c")} } }
       fragment Two on Mutation { ${create("a")} ${create("b")} }`,
    );
    expect(three.status).toBe(200);
    expect(Object.values(three.body.data)).toEqual([
      { __typename: "CreateWorkspaceSuccess" },
      { __typename: "CreateWorkspaceSuccess" },
      { __typename: "CreateWorkspaceSuccess" },
    ]);
    const fourth = await graphql(server.url, user.token, aliasedCreates(user.project.id, 1));
    expect(fourth.status).toBe(429);
    expect(fourth.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect((await user.rows()).workspaces).toBe(3);
  });

  it("GraphQL: 4 creates spread over fragments in one mutation are refused whole; nothing is written", async () => {
    const user = await seedRestUser(server, "creates-fragments-4");
    const create = (alias: string) =>
      `${alias}: createWorkspace(input: { projectId: "${user.project.id}", keepActive: true }) { __typename }`;
    const four = await graphql(
      server.url,
      user.token,
      `mutation { ...Two ... on Mutation { ${create("c")} ... on Mutation { ${create("d")} } } }
       fragment Two on Mutation { ${create("a")} ${create("b")} }`,
    );
    expect(four.status).toBe(429);
    expect(four.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect((await user.rows()).workspaces).toBe(0);
  });

  it("GraphQL: one mutation with 4 aliased creates is refused whole; nothing is written", async () => {
    const user = await seedRestUser(server, "creates-gql-4");
    const four = await graphql(server.url, user.token, aliasedCreates(user.project.id, 4));
    expect(four.status).toBe(429);
    expect(four.body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(four.body.data ?? null).toBeNull();
    expect((await user.rows()).workspaces).toBe(0);
  });
});

describe("WORKSPACE_QUOTA per user", () => {
  const server = useServer(embeddedDatabase, { WORKSPACE_QUOTA: "2" });

  it("REST: the 2nd create passes, the 3rd is 429 stating the quota; a replay still answers; a delete frees a place", async () => {
    const user = await seedRestUser(server, "quota");
    const first = await user.api.post(user.path, {
      token: user.token,
      json: {},
      headers: { "idempotency-key": "quota-first" },
    });
    expect(first.status).toBe(201);
    expect((await user.api.post(user.path, { token: user.token, json: {} })).status).toBe(201);
    const refused = await user.api.post(user.path, { token: user.token, json: {} });
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({
      error: "workspace quota reached: at most 2 workspaces per user; delete one to create another",
    });
    expect((await user.rows()).workspaces).toBe(2);

    const replay = await user.api.post(user.path, {
      token: user.token,
      json: {},
      headers: { "idempotency-key": "quota-first" },
    });
    expect(replay.status).toBe(201);
    expect(replay.json.id).toBe(first.json.id);

    expect(
      (await user.api.delete(`/workspaces/${first.json.id}`, { token: user.token })).status,
    ).toBe(204);
    expect((await user.api.post(user.path, { token: user.token, json: {} })).status).toBe(201);
  });

  it("GraphQL: the 3rd createWorkspace answers QuotaExceededError (data, HTTP 200) with the quota", async () => {
    const seeded = await seedUser(server.services, "quota-gql");
    const create = aliasedCreates(seeded.project.id, 1);
    for (let i = 0; i < 2; i++) {
      const created = await graphql(server.url, seeded.token, create);
      expect(created.body.data.c0.__typename).toBe("CreateWorkspaceSuccess");
    }
    const refused = await graphql(
      server.url,
      seeded.token,
      create.replace(
        "{ workspace { id } }",
        "{ workspace { id } } ... on QuotaExceededError { message quota }",
      ),
    );
    expect(refused.status).toBe(200);
    expect(refused.body.errors).toBeUndefined();
    expect(refused.body.data.c0).toMatchObject({
      __typename: "QuotaExceededError",
      message: expect.stringContaining("at most 2 workspaces per user"),
      quota: 2,
    });
    const rows = await server.database.prisma.workspace.count({
      where: { projectId: seeded.project.id },
    });
    expect(rows).toBe(2);
  });
});

describe("limits set to 0", () => {
  const server = useServer(embeddedDatabase, {
    RATE_LIMIT_PER_MINUTE: "0",
    CREATE_RATE_LIMIT_PER_MINUTE: "0",
    WORKSPACE_QUOTA: "0",
  });

  it("are off: no RateLimit headers and no refusals", async () => {
    const user = await seedRestUser(server, "unlimited");
    for (let i = 0; i < 12; i++) {
      const created = await user.api.post(user.path, { token: user.token, json: {} });
      expect(created.status).toBe(201);
      expect(created.headers.get("ratelimit")).toBeNull();
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL)(
  "limits shared by two replicas through Redis",
  () => {
    killProcessesAfterAll();
    let scratch: Awaited<ReturnType<typeof scratchPostgres>> | undefined;
    afterAll(async () => {
      await scratch?.drop();
    });

    it("accepts 20 of 60 requests of one token spread over two gateway processes", async () => {
      scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "ratelimit");
      const env = {
        DATABASE_URL: scratch.url,
        REDIS_URL: TEST_REDIS_URL ?? "",
        RATE_LIMIT_PER_MINUTE: "20",
      };
      const seeded = await runCli<{ token: string }>(
        ["seed", "--email", "limits@example.com", "--json"],
        env,
      );
      const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
      const apis = [restClient(a?.url ?? ""), restClient(b?.url ?? "")];
      const answers = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          apis[i % 2]?.get("/user/settings", { token: seeded.token }),
        ),
      );
      const accepted = answers.filter((answer) => answer?.status === 200).length;
      const refused = answers.filter((answer) => answer?.status === 429).length;
      expect(accepted + refused).toBe(60);
      // Redis counts atomically for both: exactly the limit, no tolerance needed.
      expect(accepted).toBe(20);
      // Both replicas refused some: the budget was one, not one each.
      expect(
        answers.filter((answer, i) => i % 2 === 0 && answer?.status === 429).length,
      ).toBeGreaterThan(0);
      expect(
        answers.filter((answer, i) => i % 2 === 1 && answer?.status === 429).length,
      ).toBeGreaterThan(0);
    }, 90_000);
  },
);
