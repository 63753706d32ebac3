/**
 * GET /readyz: whether this replica can serve, dependency by dependency. 200
 * `{"status":"ready","database":"up"[,"redis":"up"]}` or 503 `{"status":"unavailable",...}`
 * naming what is down; `redis` appears only when REDIS_URL is set. Each check is bounded, so a
 * hung dependency reads as down instead of hanging the probe.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { PrismaClient } from "../db/client.js";

/** How long a dependency gets to answer a readiness check. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

type State = "up" | "down";

async function within(check: Promise<unknown>): Promise<State> {
  const timeout = delay(READINESS_CHECK_TIMEOUT_MS, "down" as const, { ref: false });
  return Promise.race([check.then(() => "up" as const), timeout]).catch(() => "down" as const);
}

export interface ReadinessOptions {
  prisma: PrismaClient;
  /** The Redis the replicas share (REDIS_URL); omitted when none is configured. */
  redis?: Redis | undefined;
}

export function readinessRoute(http: FastifyInstance, { prisma, redis }: ReadinessOptions) {
  http.get("/readyz", async (_request, reply) => {
    const [database, redisState] = await Promise.all([
      within(prisma.$queryRaw`SELECT 1`),
      // Not ready means not connected: a PING would only queue behind the reconnect.
      redis ? (redis.status === "ready" ? within(redis.ping()) : "down") : undefined,
    ]);
    const down = database === "down" || redisState === "down";
    return reply.code(down ? 503 : 200).send({
      status: down ? "unavailable" : "ready",
      database,
      ...(redisState ? { redis: redisState } : {}),
    });
  });
}
