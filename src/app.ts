import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { consoleRoutes } from "./console/routes.js";
import { type Database, openDatabase } from "./db/client.js";
import type { Env } from "./env.js";
import { createGraphQL } from "./graphql/server.js";
import { createLifecycle } from "./lifecycle/index.js";
import { createProvisioner } from "./lifecycle/providers.js";
import { createMetrics } from "./metrics.js";
import { listenOperatorSocket } from "./operator/socket.js";
import { installHttpErrors } from "./rest/errors.js";
import { restRoutes } from "./rest/index.js";
import { sweepIdempotencyKeys } from "./services/idempotency.js";
import { createServices, type Services } from "./services/index.js";
import { LocalStatusBus, RedisStatusBus, type StatusBus } from "./services/status-bus.js";
import { TOKEN_CACHE_MAX_ENTRIES } from "./services/tokens.js";

/** Expired Idempotency-Keys are deleted this often (every replica may; deleting is idempotent). */
const IDEMPOTENCY_SWEEP_MS = 10 * 60_000;

export interface AppOptions {
  env: Env;
  /** An already open database (tests share one); otherwise opened from `env` and migrated. */
  database?: Database;
}

export interface App {
  http: FastifyInstance;
  services: Services;
  database: Database;
  /** Listens on env.HOST:env.PORT; resolves to the base URL. */
  start(): Promise<string>;
  /** Stops taking work, hands back what is in flight, closes sockets and the database. */
  stop(): Promise<void>;
}

export async function buildApp({ env, database: given }: AppOptions): Promise<App> {
  const database =
    given ??
    (await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, migrate: true }));
  const { prisma } = database;
  const http = Fastify({
    logger: env.LOG_LEVEL === "silent" ? false : { level: env.LOG_LEVEL },
    bodyLimit: 1024 * 1024,
    // Ids of any length reach the handlers, which answer a non-UUID with the resource's own 404.
    routerOptions: { maxParamLength: 16 * 1024 },
    // On close: idle keep-alive connections go at once, requests in flight may finish.
    forceCloseConnections: "idle",
    return503OnClosing: true,
  });
  const bus: StatusBus = env.REDIS_URL
    ? new RedisStatusBus({ url: env.REDIS_URL, logger: http.log })
    : new LocalStatusBus();
  const services = createServices({
    prisma,
    gpuKinds: env.GPU_KINDS,
    bus,
    tokenCache: { ttlMs: env.TOKEN_CACHE_TTL_MS, maxEntries: TOKEN_CACHE_MAX_ENTRIES },
  });
  const lifecycle = createLifecycle({
    prisma,
    status: services.status,
    provisionDelayMs: env.SIMULATED_PROVISION_DELAY_MS,
    idleTimeoutMinutes: env.IDLE_TIMEOUT_MINUTES,
    logger: http.log,
    provisioner: createProvisioner(env, http.log),
  });
  installHttpErrors(http);
  const metrics = createMetrics(http);
  const graphql = createGraphQL({ services, prisma, env });

  http.get("/healthz", async () => ({ status: "ok" }));
  http.get("/readyz", async (_request, reply) => {
    try {
      await prisma.$queryRaw`SELECT 1`;
      return { status: "ready" };
    } catch {
      return reply.code(503).send({ status: "unavailable" });
    }
  });
  http.get("/metrics", async (_request, reply) =>
    reply.type(metrics.contentType).send(await metrics.render()),
  );
  await http.register(graphql.routes);
  await http.register(restRoutes, { services });
  await http.register(consoleRoutes);

  let started = false;
  let adminSocket: Server | undefined;
  let sweep: NodeJS.Timeout | undefined;
  return {
    http,
    services,
    database,
    async start() {
      await http.listen({ port: env.PORT, host: env.HOST });
      graphql.attachWebSocket(http.server);
      await bus.connect();
      // Revocations from other replicas (bus) and from the CLI (database poll).
      await services.revocations.start(http.log);
      lifecycle.start();
      started = true;
      sweep = setInterval(() => {
        sweepIdempotencyKeys(prisma).then(
          (deleted) =>
            deleted > 0 && http.log.info({ deleted }, "expired idempotency keys deleted"),
          (error: unknown) => http.log.warn({ err: error }, "idempotency key sweep failed"),
        );
      }, IDEMPOTENCY_SWEEP_MS).unref();
      // Only the server may open the embedded database; the CLI reaches it through this.
      if (!given && database.kind === "embedded") {
        adminSocket = await listenOperatorSocket(env.DATA_DIR, services);
      }
      const { port } = http.server.address() as AddressInfo;
      const host = env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
      return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    },
    async stop() {
      adminSocket?.close();
      clearInterval(sweep);
      // Stop taking requests first (those in flight finish), then hand back lifecycle steps.
      await graphql.close();
      await http.close();
      if (started) await lifecycle.stop();
      await services.revocations.stop();
      await bus.close();
      if (!given) await database.close();
    },
  };
}
