import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { consoleRoutes } from "./console/routes.js";
import { type Database, openDatabase } from "./db/client.js";
import type { Env } from "./env.js";
import { createGraphQL, GRAPHQL_PATH } from "./graphql/server.js";
import { createCallerShares } from "./http/caller-shares.js";
import { installCors } from "./http/cors.js";
import { createRateLimits } from "./http/rate-limits.js";
import { forwardHookHeaders } from "./http/raw-headers.js";
import { readinessRoute } from "./http/readiness.js";
import { installRequestLimits } from "./http/request-limits.js";
import { createLifecycle } from "./lifecycle/index.js";
import { createProvisioner } from "./lifecycle/providers.js";
import { createWebhookWorker } from "./lifecycle/webhook-worker.js";
import { loggerOptions, OneLinePerRequest } from "./log-options.js";
import { createMetrics, metricsAuthorized } from "./metrics.js";
import { listenOperatorSocket } from "./operator/socket.js";
import { installHttpErrors } from "./rest/errors.js";
import { restRoutes } from "./rest/index.js";
import { restRouteTable } from "./rest/routes.js";
import { watchRoutes } from "./rest/watch-routes.js";
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
    (await openDatabase({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      migrate: true,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    }));
  const { prisma } = database;
  const http = Fastify({
    logger: loggerOptions(env),
    logController: new OneLinePerRequest(),
    bodyLimit: 1024 * 1024,
    // Ids of any length reach the handlers, which answer a non-UUID with the resource's own 404.
    routerOptions: { maxParamLength: 16 * 1024 },
    // On close: idle keep-alive connections go at once, requests in flight may finish.
    forceCloseConnections: "idle",
    return503OnClosing: true,
    // Slow clients: the whole request (body included) and its headers must arrive in time;
    // an idle socket and an idle keep-alive connection are closed.
    requestTimeout: env.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: env.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: httpServerOptions(env),
    // request.ip: the client named by trusted proxies (X-Forwarded-For), else the peer.
    trustProxy: env.TRUST_PROXY ?? false,
  });
  if (env.HTTP_MAX_CONNECTIONS > 0) http.server.maxConnections = env.HTTP_MAX_CONNECTIONS;
  // Rate-limit counters and the readiness check; never queues commands while Redis is away.
  const redis = env.REDIS_URL ? limitsRedis(env.REDIS_URL, http) : undefined;
  const bus: StatusBus = env.REDIS_URL
    ? new RedisStatusBus({ url: env.REDIS_URL, logger: http.log })
    : new LocalStatusBus();
  const services = createServices({
    prisma,
    gpuKinds: env.GPU_KINDS,
    bus,
    workspaceQuota: env.WORKSPACE_QUOTA,
    maxTokensPerUser: env.MAX_TOKENS_PER_USER,
    tokenCache: { ttlMs: env.TOKEN_CACHE_TTL_MS, maxEntries: TOKEN_CACHE_MAX_ENTRIES },
    policy: { idleTimeoutMinutes: env.IDLE_TIMEOUT_MINUTES, minuteMs: env.POLICY_MINUTE_MS },
    eventRetentionDays: env.EVENT_RETENTION_DAYS,
  });
  const lifecycle = createLifecycle({
    prisma,
    status: services.status,
    provisionDelayMs: env.SIMULATED_PROVISION_DELAY_MS,
    policySweepMs: env.AUTO_STOP_SWEEP_INTERVAL_S * 1000,
    concurrency: env.LIFECYCLE_CONCURRENCY,
    logger: http.log,
    provisioner: createProvisioner(env, http.log),
  });
  const webhooks = createWebhookWorker({
    prisma,
    status: services.status,
    logger: http.log,
    timeoutMs: env.WEBHOOK_TIMEOUT_MS,
    retrySchedule: env.WEBHOOK_RETRY_SCHEDULE,
    disableAfterDays: env.WEBHOOK_DISABLE_AFTER_DAYS,
    allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
  });
  installHttpErrors(http);
  await installCors(http, env.CORS_ORIGINS);
  const limits = createRateLimits({
    requestsPerMinute: env.RATE_LIMIT_PER_MINUTE,
    createsPerMinute: env.CREATE_RATE_LIMIT_PER_MINUTE,
    redis,
  });
  installRequestLimits(http, {
    services,
    limits,
    shares: createCallerShares({
      concurrentRequests: env.MAX_CONCURRENT_REQUESTS_PER_TOKEN,
      streams: env.MAX_STREAMS_PER_TOKEN,
    }),
    databaseRoutes: [...restRouteTable.map((route) => route.url), GRAPHQL_PATH],
    streamRoutes: watchRoutes.map((route) => route.url),
    graphqlPath: GRAPHQL_PATH,
    createRoute: restRouteTable.find((route) => route.operationId === "createWorkspace") ?? {
      method: "POST",
      url: "/projects/:id/workspaces",
    },
  });
  forwardHookHeaders(http, [GRAPHQL_PATH]);
  const metrics = createMetrics(http, prisma);
  const graphql = createGraphQL({ services, prisma, env, limits });

  http.get("/healthz", async () => ({ status: "ok" }));
  readinessRoute(http, { prisma, redis });
  http.get("/metrics", async (request, reply) => {
    if (!metricsAuthorized(request.headers.authorization, env.METRICS_TOKEN)) {
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="metrics"')
        .send({ error: "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>" });
    }
    return reply.type(metrics.contentType).send(await metrics.render());
  });
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
      await redis?.connect().catch(() => {}); // retried by ioredis; logged by its error handler
      // Revocations from other replicas (bus) and from the CLI (database poll).
      await services.revocations.start(http.log);
      lifecycle.start();
      webhooks.start();
      started = true;
      sweep = setInterval(() => {
        sweepIdempotencyKeys(prisma).then(
          (deleted) =>
            deleted > 0 && http.log.info({ deleted }, "expired idempotency keys deleted"),
          (error: unknown) => http.log.warn({ err: error }, "idempotency key sweep failed"),
        );
        services.events.sweep().then(
          (removed) =>
            removed > 0 && http.log.info({ removed }, "expired workspace events removed"),
          (error: unknown) => http.log.warn({ err: error }, "workspace event sweep failed"),
        );
      }, IDEMPOTENCY_SWEEP_MS).unref();
      // Only the server may open the embedded database; the CLI reaches it through this.
      if (!given && database.kind === "embedded") {
        adminSocket = await listenOperatorSocket(env.DATA_DIR, { services, database });
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
      if (started) await Promise.all([lifecycle.stop(), webhooks.stop()]);
      await services.revocations.stop();
      await bus.close();
      redis?.disconnect();
      if (!given) await database.close();
    },
  };
}

/**
 * Node's own timeouts: headers within HTTP_HEADERS_TIMEOUT_MS (capped at the request timeout,
 * which Node requires), checked often enough that a timeout fires within about a quarter of
 * itself (Node checks every 30 s by default).
 */
function httpServerOptions(env: Env) {
  const request = env.HTTP_REQUEST_TIMEOUT_MS;
  const headers =
    request > 0 && env.HTTP_HEADERS_TIMEOUT_MS > 0
      ? Math.min(env.HTTP_HEADERS_TIMEOUT_MS, request)
      : env.HTTP_HEADERS_TIMEOUT_MS;
  const shortest = Math.min(...[request, headers].filter((ms) => ms > 0), 120_000);
  return {
    requestTimeout: request,
    headersTimeout: headers,
    connectionsCheckingInterval: Math.max(100, Math.floor(shortest / 4)),
  };
}

function limitsRedis(url: string, http: FastifyInstance): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A Redis that accepts but does not answer must not hold requests: the limiter falls back
    // to memory after this.
    commandTimeout: 500,
    connectionName: `workspace-gateway:${process.pid}:limits`,
  });
  // ioredis retries while Redis is away: one line per outage.
  let reported = false;
  redis.on("ready", () => {
    reported = false;
  });
  redis.on("error", (error: Error) => {
    if (reported) return;
    reported = true;
    http.log.warn(
      { err: error },
      "redis (rate limits, readiness) unreachable; limits count per replica until it is back",
    );
  });
  return redis;
}
