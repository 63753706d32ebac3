/**
 * The database protects itself: every connection of the gateway's PostgreSQL pool carries
 * `statement_timeout` (DATABASE_STATEMENT_TIMEOUT_MS), so a statement over it is cancelled by
 * PostgreSQL and the caller gets a clear error instead of waiting. PostgreSQL only: the embedded
 * database has no statement timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { type Database, isStatementTimeout, openDatabase } from "../src/db/client.js";
import { parseEnv } from "../src/env.js";
import { TEST_DATABASE_URL } from "./kit/database.js";
import { seedUser } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";

const TIMEOUT_MS = 300;

/** `project(id)` over HTTP with the token. */
function post(url: string, token: string, id: string): Promise<Response> {
  return fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: "query ($id: ID!) { project(id: $id) { id } }",
      variables: { id },
    }),
  });
}

describe.skipIf(!TEST_DATABASE_URL)("statement_timeout on PostgreSQL", () => {
  let database: Database;
  let server: TestServer;

  beforeAll(async () => {
    database = await openDatabase({
      databaseUrl: TEST_DATABASE_URL,
      dataDir: "",
      migrate: true,
      poolSize: 2,
      statementTimeoutMs: TIMEOUT_MS,
    });
    server = await startServer(database);
  });

  afterAll(async () => {
    await server?.app.stop();
    await database?.close();
  });

  it("is set on the pool's connections: a statement under it runs, one over it is cancelled", async () => {
    const [setting] = await database.prisma.$queryRaw<
      { statement_timeout: string }[]
    >`SHOW statement_timeout`;
    expect(setting?.statement_timeout).toBe(`${TIMEOUT_MS}ms`);
    await expect(
      database.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(0.05)`,
    ).resolves.toBeDefined();

    const started = Date.now();
    const error = await database.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(5)`.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(isStatementTimeout(error)).toBe(true);
    // The connection is usable again at once.
    await expect(database.prisma.$queryRaw`SELECT 1`).resolves.toBeDefined();
  });

  it("reaches a GraphQL caller as DATABASE_TIMEOUT with HTTP 503, no database text", async () => {
    const user = await seedUser(server.services, "statement-timeout");
    const projects = server.services.projects;
    const original = projects.getForUser;
    projects.getForUser = async () => {
      await database.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(5)`;
      throw new Error("unreachable: the statement above is cancelled");
    };
    try {
      const started = Date.now();
      const response = await post(server.url, user.token, user.project.id);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(response.status).toBe(503);
      const text = await response.text();
      expect(JSON.parse(text).errors?.[0]?.extensions?.code).toBe("DATABASE_TIMEOUT");
      expect(text).not.toMatch(/pg_sleep|57014|statement timeout|prisma/i);
    } finally {
      projects.getForUser = original;
    }
    // Nothing stuck: the next request is answered.
    const again = await post(server.url, user.token, user.project.id);
    expect([again.status, (await again.json()).data]).toEqual([
      200,
      { project: { id: user.project.id } },
    ]);
  });

  it("reaches a REST caller as 503 with Retry-After and the documented error body", async () => {
    const user = await seedUser(server.services, "statement-timeout-rest");
    const workspaces = server.services.workspaces;
    const original = workspaces.listForProject;
    workspaces.listForProject = async () => {
      await database.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(5)`;
      throw new Error("unreachable: the statement above is cancelled");
    };
    try {
      const response = await fetch(`${server.url}/projects/${user.project.id}/workspaces`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
      const body = await response.json();
      expect(Object.keys(body)).toEqual(["error"]);
      expect(body.error).toMatch(/did not answer in time/);
    } finally {
      workspaces.listForProject = original;
    }
  });

  it("DATABASE_STATEMENT_TIMEOUT_MS reaches the pool the app opens; 0 turns it off", async () => {
    for (const [value, expected] of [
      ["250", "250ms"],
      ["0", "0"],
    ] as const) {
      const app = await buildApp({
        env: parseEnv({
          DATABASE_URL: TEST_DATABASE_URL,
          DATABASE_STATEMENT_TIMEOUT_MS: value,
          LOG_LEVEL: "silent",
        }),
      });
      try {
        const [setting] = await app.database.prisma.$queryRaw<
          { statement_timeout: string }[]
        >`SHOW statement_timeout`;
        expect(setting?.statement_timeout).toBe(expected);
      } finally {
        await app.stop();
      }
    }
  });
});
