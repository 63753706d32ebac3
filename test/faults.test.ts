/**
 * Dependencies failing visibly, on a PostgreSQL cluster and a Redis server this suite owns
 * (test/kit/private-services.ts; never the shared ones): the database cut off and stopped during
 * a stream of creates (503 + Retry-After while it lasts, recovery on its own, every 201 in the
 * database, no duplicates); Redis down while subscribers wait on another replica (each ends
 * with the final state; /readyz says Redis is down meanwhile; requests keep being served).
 */
import { describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/db/client.js";
import { graphqlWsClient } from "./kit/graphql.js";
import { usePrivateServices } from "./kit/private-services.js";
import { restClient, seedRestUser } from "./kit/rest.js";
import { heldWorkspace, seedUser } from "./kit/seed.js";
import { startServer, type TestServer } from "./kit/server.js";
import { STATUS_ORDER, type StatusStream, wsWatch } from "./kit/subscriptions.js";
import { waitFor } from "./kit/wait.js";

/** A client's pause before retrying a 503/409 (its own choice; shorter than Retry-After). */
const CLIENT_BACKOFF_MS = 100;

async function withServer<T>(
  databaseUrl: string,
  env: Record<string, string>,
  run: (server: TestServer) => Promise<T>,
): Promise<T> {
  const database: Database = await openDatabase({ databaseUrl, dataDir: "", migrate: true });
  const server = await startServer(database, env);
  try {
    return await run(server);
  } finally {
    await server.app.stop();
    await database.close();
  }
}

describe("faults", () => {
  const privateServices = usePrivateServices();

  it("the database cut off and stopped during creates: 503s while it lasts, then every create lands once", async () => {
    const postgres = await privateServices.postgres();
    const databaseUrl = await postgres.createDatabase("gateway_creates");
    await withServer(databaseUrl, {}, async (server) => {
      const user = await seedRestUser(server, "db-fault");
      // Never used before the outage: its token can only be checked in the database.
      const stranger = await seedRestUser(server, "db-fault-stranger");
      const created = new Map<string, string>(); // Idempotency-Key → workspace id
      const statuses = new Map<number, number>();
      let requests = 0;
      let missingRetryAfter = 0;

      // 4 clients, 15 creates each; a 503 or a 409 (the key still in flight) is retried with
      // the same Idempotency-Key, as a well-behaved client does.
      const writer = async (name: string) => {
        for (let i = 0; i < 15; i++) {
          const key = `${name}-${i}`;
          for (;;) {
            const answer = await user.api.post(user.path, {
              token: user.token,
              json: { keep_active: true },
              headers: { "idempotency-key": key },
            });
            requests += 1;
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            if (answer.status === 201) {
              created.set(key, answer.json.id);
              break;
            }
            if (answer.status !== 503 && answer.status !== 409) {
              throw new Error(`${key}: ${answer.status} ${answer.text}`);
            }
            if (answer.status === 503) {
              expect(answer.json.error).toMatch(/database/);
              if (answer.headers.get("retry-after") === null) missingRetryAfter += 1;
            }
            await new Promise((resolve) => setTimeout(resolve, CLIENT_BACKOFF_MS));
          }
        }
      };
      const writers = Promise.all(["a", "b", "c", "d"].map(writer));

      await waitFor(() => created.size >= 8, {
        timeoutMs: 20_000,
        what: "8 creates before the fault",
      });
      const terminated = await postgres.terminateBackends(databaseUrl);
      await postgres.stop();
      await waitFor(() => (statuses.get(503) ?? 0) >= 4, {
        timeoutMs: 20_000,
        what: "503s during the outage",
      });
      const ready = await restClient(server.url).get("/readyz");
      expect(ready.status).toBe(503);
      expect(ready.json).toEqual({ status: "unavailable", database: "down" });
      const graphql = await user.api.post("/graphql", {
        token: user.token,
        json: { query: "{ viewer { projects(first: 1) { totalCount } } }" },
      });
      expect(graphql.status).toBe(503);
      expect(graphql.json.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
      expect(graphql.text).not.toMatch(/ECONNREFUSED|P1001|prisma/i);
      // The token lookup itself failing: 503 from REST and GraphQL, not 401 or 500.
      const restLookup = await stranger.api.get("/user/settings", { token: stranger.token });
      expect(restLookup.status).toBe(503);
      expect(restLookup.headers.get("retry-after")).toBe("2");
      const graphqlLookup = await stranger.api.post("/graphql", {
        token: stranger.token,
        json: { query: "{ viewer { id } }" },
      });
      expect(graphqlLookup.status).toBe(503);
      expect(graphqlLookup.json.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");

      await postgres.start();
      await writers;
      await waitFor(async () => (await restClient(server.url).get("/readyz")).status === 200, {
        timeoutMs: 10_000,
        what: "/readyz to be ready again",
      });

      const rows = await server.database.prisma.workspace.findMany({
        where: { projectId: user.project.id },
        select: { id: true },
      });
      const ids = new Set(rows.map((row) => row.id));
      const lost = [...created.values()].filter((id) => !ids.has(id));
      console.info(
        `database fault: ${requests} requests, ${statuses.get(201) ?? 0} × 201, ${statuses.get(503) ?? 0} × 503, ` +
          `${statuses.get(409) ?? 0} × 409, ${terminated} backends terminated, ${lost.length} rows lost, ` +
          `${rows.length - created.size} extra rows`,
      );
      expect([...statuses.keys()].sort()).toEqual(
        [...statuses.keys()].filter((status) => [201, 409, 503].includes(status)).sort(),
      );
      expect(missingRetryAfter).toBe(0);
      expect(created.size).toBe(60);
      expect(new Set(created.values()).size).toBe(60);
      expect(lost).toEqual([]);
      expect(rows.length).toBe(60);
    });
  }, 90_000);

  it("Redis down while subscribers wait on another replica: each ends with the final state; /readyz says so", async () => {
    const postgres = await privateServices.postgres();
    const redis = await privateServices.redis();
    const databaseUrl = await postgres.createDatabase("gateway_redis");
    const env = {
      REDIS_URL: redis.url,
      SIMULATED_PROVISION_DELAY_MS: "200",
      RATE_LIMIT_PER_MINUTE: "1000",
    };
    await withServer(databaseUrl, env, (a) =>
      withServer(databaseUrl, env, async (b) => {
        const seeded = await seedUser(a.services, "redis-fault");
        const held = await Promise.all(
          Array.from({ length: 6 }, () =>
            heldWorkspace(a.services, a.database.prisma, seeded.project.id, { keepActive: true }),
          ),
        );
        const socket = graphqlWsClient(b.url, { authorization: `Bearer ${seeded.token}` });
        const streams: StatusStream[] = held.map(({ workspace }) =>
          wsWatch(socket.client, workspace.id),
        );
        try {
          await Promise.all(streams.map((stream) => stream.until("CREATING")));

          await redis.kill();
          for (const replica of [a, b]) {
            const ready = await waitFor(
              async () => {
                const answer = await restClient(replica.url).get("/readyz");
                return answer.status === 503 ? answer : undefined;
              },
              { timeoutMs: 10_000, what: "/readyz to report Redis down" },
            );
            expect(ready.json).toEqual({ status: "unavailable", database: "up", redis: "down" });
          }
          // Requests are still served and still limited (in memory) while Redis is away.
          const during = await restClient(b.url).get("/user/settings", { token: seeded.token });
          expect(during.status).toBe(200);
          expect(during.headers.get("ratelimit-policy")).toBe('"requests";q=1000;w=60');

          // Replica A writes every status while Redis is down (the test holds the leases, so no
          // engine runs): A's announcements cannot reach B's subscribers.
          for (const { workspace } of held) {
            const starting = await a.services.status.transition(workspace, "done");
            if (!starting) throw new Error("lost the write to STARTING");
            expect(await a.services.status.transition(starting, "done")).not.toBeNull();
          }
          expect(streams.map((stream) => stream.last()?.status)).toEqual(
            held.map(() => "CREATING"),
          );

          await redis.start();
          await Promise.all(streams.map((stream) => stream.until("RUNNING", 20_000)));
          for (const stream of streams) {
            const order = stream.statuses().map((status) => STATUS_ORDER.indexOf(status as never));
            expect(order).toEqual([...order].sort((x, y) => x - y));
            expect(stream.errors).toEqual([]);
          }
          await waitFor(async () => (await restClient(b.url).get("/readyz")).json?.redis === "up", {
            timeoutMs: 10_000,
            what: "/readyz to report Redis up again",
          });
        } finally {
          for (const stream of streams) stream.close();
          await socket.dispose();
        }
      }),
    );
  }, 90_000);
});
