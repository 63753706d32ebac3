/**
 * The private-services kit (test/kit/private-services.ts): a PostgreSQL cluster and a Redis server
 * of the test's own, stopped, killed and restarted at will.
 */
import { Redis } from "ioredis";
import pg from "pg";
import { describe, expect, it } from "vitest";
import {
  canConnect,
  type PrivatePostgres,
  type PrivateRedis,
  usePrivateServices,
} from "./kit/private-services.js";

/** PING over one connection, no retries: PONG, or the error code (ECONNREFUSED) when refused. */
async function redisPing(url: string): Promise<string> {
  const redis = new Redis(url, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // ioredis rejects connect() with "Connection is closed."; the socket's error has the code.
  let socketError: NodeJS.ErrnoException | undefined;
  redis.on("error", (error: NodeJS.ErrnoException) => {
    socketError ??= error;
  });
  try {
    await redis.connect();
    return await redis.ping();
  } catch (error) {
    return socketError?.code ?? (error as Error).message;
  } finally {
    redis.disconnect();
  }
}

async function pgSelect(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  try {
    await client.connect();
    const { rows } = await client.query<{ answer: string }>("SELECT 'up' AS answer");
    return rows[0]?.answer ?? "no row";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}

describe("private PostgreSQL and Redis", () => {
  const services = usePrivateServices();
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;

  it("starts both on ports of their own, not the shared 5432 and 6379", async () => {
    [postgres, redis] = await Promise.all([services.postgres(), services.redis()]);
    expect([5432, 6379]).not.toContain(postgres.port);
    expect([5432, 6379]).not.toContain(redis.port);
    expect(postgres.url).toBe(`postgresql://postgres@127.0.0.1:${postgres.port}/postgres`);
    expect(await pgSelect(postgres.url)).toBe("up");
    expect(await redisPing(redis.url)).toBe("PONG");
    expect(await postgres.query("SHOW fsync")).toEqual([{ fsync: "off" }]);
  });

  it("Redis refuses connections once stopped and answers again after a start", async () => {
    await redis.stop();
    expect(redis.running).toBe(false);
    expect(await redisPing(redis.url)).toBe("ECONNREFUSED");
    await redis.start();
    expect(await redisPing(redis.url)).toBe("PONG");

    await redis.kill();
    expect(await canConnect(redis.port)).toBe(false);
    await redis.restart();
    expect(await redisPing(redis.url)).toBe("PONG");
  });

  it("PostgreSQL: terminateBackends cuts a pool's connections; kill and restart keep the data", async () => {
    const url = await postgres.createDatabase("gateway");
    const client = new pg.Client({ connectionString: url });
    const clientErrors: Error[] = [];
    client.on("error", (error) => clientErrors.push(error));
    await client.connect();
    await client.query("CREATE TABLE kept (value text); INSERT INTO kept VALUES ('before')");

    // Another database's connection is left alone.
    const other = new pg.Client({ connectionString: postgres.url });
    await other.connect();
    expect(await postgres.terminateBackends(url)).toBe(1);
    await expect(client.query("SELECT 1")).rejects.toThrow();
    expect((await other.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await other.end();
    await client.end().catch(() => {});

    await postgres.kill();
    expect(postgres.running).toBe(false);
    expect(await canConnect(postgres.port)).toBe(false);
    expect(await pgSelect(url)).toBe("ECONNREFUSED");
    await postgres.start();
    expect(await postgres.query("SELECT value FROM kept", [], "gateway")).toEqual([
      { value: "before" },
    ]);

    await postgres.restart();
    expect(await pgSelect(url)).toBe("up");
  });
});
