// Revocation across real gateway processes (issue 9): replicas A and B on one PostgreSQL and one
// Redis, a token revoked by the CLI (a process that writes the database directly) and by the
// operator command inside a server; and a server on the embedded database, where the CLI's
// `token revoke` runs inside the server over its operator socket.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./kit/database.js";
import { graphqlWsClient } from "./kit/graphql.js";
import {
  killProcessesAfterAll,
  runCli,
  type ServerProcess,
  scratchPostgres,
  startServerProcess,
} from "./kit/processes.js";
import { restClient } from "./kit/rest.js";
import { type SeededUser, seedUser, workspaceRow } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";
import { sseWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

const SKIP =
  TEST_DATABASE_URL && TEST_REDIS_URL
    ? undefined
    : "skipped: needs TEST_DATABASE_URL and TEST_REDIS_URL (replicas share PostgreSQL and Redis)";

/** How soon a revocation must reach every open stream. */
const WITHIN_MS = 5000;

/** A graphql-ws client that has run one query (so it is connected and acknowledged). */
async function connectedSocket(url: string, token: string, disposers: (() => unknown)[]) {
  const socket = graphqlWsClient(url, { authorization: `Bearer ${token}` });
  disposers.push(socket.dispose);
  await wsQuery(socket.client, "{ viewer { id } }");
  return socket;
}

function wsQuery(client: Client, query: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let result: unknown;
    client.subscribe(
      { query },
      { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
    );
  });
}

function closedWith4403(
  socket: ReturnType<typeof graphqlWsClient>,
  what: string,
  timeoutMs = WITHIN_MS,
) {
  return waitFor(() => socket.closes.length > 0, { timeoutMs, what }).then(() =>
    expect(socket.closes).toEqual([{ code: 4403, reason: "token revoked" }]),
  );
}

describe.skipIf(SKIP)(`revocation across replicas${SKIP ? ` (${SKIP})` : ""}`, () => {
  killProcessesAfterAll();
  let scratch: Awaited<ReturnType<typeof scratchPostgres>>;
  let database: Database;
  let a: ServerProcess;
  let b: ServerProcess;
  let inProcess: TestServer;
  /** A single server on the embedded database (its own data directory). */
  let embedded: ServerProcess;
  let dataDir: string;
  let env: Record<string, string>;
  const disposers: (() => unknown)[] = [];

  beforeAll(async () => {
    const started = Date.now();
    dataDir = await mkdtemp(join(tmpdir(), "wsg-revoke-"));
    scratch = await scratchPostgres(TEST_DATABASE_URL ?? "", "revoke");
    database = await openDatabase({ databaseUrl: scratch.url, dataDir: "", migrate: true });
    env = { DATABASE_URL: scratch.url, REDIS_URL: TEST_REDIS_URL ?? "", IDLE_TIMEOUT_MINUTES: "0" };
    [a, b, embedded, inProcess] = await Promise.all([
      startServerProcess(env),
      startServerProcess(env),
      startServerProcess({ DATA_DIR: dataDir }),
      startServer(database, { REDIS_URL: TEST_REDIS_URL ?? "" }),
    ]);
    console.log(
      `revocation: 3 server processes and 1 in-process started in ${Date.now() - started} ms`,
    );
  }, 90_000);

  afterAll(async () => {
    for (const dispose of disposers) await dispose();
    await Promise.all(
      [a, b, embedded].map((p) => p?.kill("SIGTERM").catch(() => p.kill("SIGKILL"))),
    );
    await inProcess?.app.stop();
    await database?.close();
    await scratch?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A user whose token is in use on A (socket) and on B (socket and SSE stream). */
  async function inUse(label: string) {
    const user: SeededUser = await seedUser(inProcess.services, label);
    const workspace = await database.prisma.workspace.create({
      data: workspaceRow(user.project.id),
    });
    const [onA, onB] = await Promise.all([
      connectedSocket(a.url, user.token, disposers),
      connectedSocket(b.url, user.token, disposers),
    ]);
    const sseOnB = sseWatch(b.url, user.token, workspace.id);
    disposers.push(() => sseOnB.close());
    await sseOnB.until("RUNNING");
    return { user, onA, onB, sseOnB };
  }

  it("revoked by the CLI (database only): sockets on A and B close with 4403 and B's SSE stream ends", async () => {
    const { user, onA, onB, sseOnB } = await inUse("cli");
    const revoked = await runCli<{ revoked_at: string }>(
      ["token", "revoke", user.token, "--json"],
      env,
    );
    // The clock runs from the database write (revoked_at), not from the CLI's slow start.
    const revokedAt = Date.parse(revoked.revoked_at);
    const left = Math.max(revokedAt + WITHIN_MS - Date.now(), 100);
    await Promise.all([
      closedWith4403(onA, "A's socket to close", left),
      closedWith4403(onB, "B's socket to close", left),
      sseOnB.ended(left),
    ]);
    const latency = Date.now() - revokedAt;
    console.log(
      `revocation: CLI revoke reached sockets on A and B and an SSE stream on B by ${latency} ms after revoked_at (the CLI's exit included)`,
    );
    for (const replica of [a, b]) {
      const refused = await restClient(replica.url).get("/user/settings", { token: user.token });
      expect(refused.status).toBe(401);
    }
  });

  it("revoked by the operator command in another server: sockets on A and B close with 4403", async () => {
    const { user, onA, onB, sseOnB } = await inUse("operator");
    const started = Date.now();
    const revoked = await inProcess.services.tokens.revoke(user.token);
    expect(revoked.ok).toBe(true);
    await Promise.all([
      closedWith4403(onA, "A's socket to close"),
      closedWith4403(onB, "B's socket to close"),
      sseOnB.ended(WITHIN_MS),
    ]);
    console.log(
      `revocation: a server's revoke reached sockets on A and B (Redis) in ${Date.now() - started} ms`,
    );
  });

  it("`token revoke` on the embedded database runs in the server: its socket closes with 4403", async () => {
    const seeded = await runCli<{ token: string }>(
      ["seed", "--email", "revoke@example.com", "--json"],
      { DATA_DIR: dataDir },
    );
    const socket = await connectedSocket(embedded.url, seeded.token, disposers);
    await runCli(["token", "revoke", seeded.token, "--json"], { DATA_DIR: dataDir });
    // The server revoked it itself: no poll to wait for, the close is already on its way.
    await closedWith4403(socket, "the socket to close");
    const refused = await restClient(embedded.url).get("/user/settings", { token: seeded.token });
    expect(refused.status).toBe(401);
  });
});
