import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { PrismaClient } from "./db/client.js";
import { WorkspaceStatus } from "./generated/prisma/enums.js";

/**
 * Metrics counted where things happen (GraphQL operations, subscriptions, WebSockets, lifecycle
 * steps, lease takeovers): one set per process, registered into each app's registry.
 */
export const processMetrics = {
  graphqlOperations: new Counter({
    name: "graphql_operations_total",
    help: "GraphQL operations executed, by operation name, type and result (ok, or error when the response has errors)",
    labelNames: ["operation", "type", "result"] as const,
    registers: [],
  }),
  activeSubscriptions: new Gauge({
    name: "graphql_subscriptions_active",
    help: "GraphQL subscriptions currently streaming (WebSocket and SSE)",
    registers: [],
  }),
  openWebSockets: new Gauge({
    name: "websocket_connections_open",
    help: "Upgraded (WebSocket) connections currently open",
    registers: [],
  }),
  stepSeconds: new Histogram({
    name: "lifecycle_step_duration_seconds",
    help: "Lifecycle step duration (provider calls and commit), by step",
    labelNames: ["step"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [],
  }),
  stepFailures: new Counter({
    name: "lifecycle_step_failures_total",
    help: "Lifecycle steps that failed (a provider error, or an unexpected one), by step",
    labelNames: ["step"] as const,
    registers: [],
  }),
  databaseShareInFlight: new Gauge({
    name: "caller_database_requests_in_flight",
    help: "Requests holding their caller's share of the database (MAX_CONCURRENT_REQUESTS_PER_TOKEN)",
    registers: [],
  }),
  databaseShareWaiting: new Gauge({
    name: "caller_database_requests_waiting",
    help: "Requests waiting for their caller's share of the database (at most 2 s, then 429)",
    registers: [],
  }),
  sharedSubscriptionExecutions: new Counter({
    name: "graphql_shared_subscription_executions_total",
    help: "WebSocket subscription executions started; subscribers with the same document, variables and access share one",
    registers: [],
  }),
  sharedSubscriptionEvents: new Counter({
    name: "graphql_shared_subscription_events_total",
    help: "Events executed by shared WebSocket subscription executions (once per event, however many subscribers share it)",
    registers: [],
  }),
  streamsOpen: new Gauge({
    name: "caller_streams_open",
    help: "REST /events and /wait and GraphQL SSE streams open (MAX_STREAMS_PER_TOKEN)",
    registers: [],
  }),
  callerRefusals: new Counter({
    name: "caller_limit_refusals_total",
    help: "Requests refused with 429 for holding too much at once, by limit (concurrency, streams)",
    labelNames: ["limit"] as const,
    registers: [],
  }),
  leaseTakeovers: new Counter({
    name: "lifecycle_lease_takeovers_total",
    help: "Workspaces claimed from a lease that expired without being handed back (a dead or stalled process)",
    registers: [],
  }),
};

/** Operation names are the client's choice: past this many distinct ones, they count as "other". */
export const OPERATION_NAMES_MAX = 100;

/** The `operation` label: the operation's name, "anonymous", or "other" past `max` names. */
export class OperationNames {
  private readonly seen = new Set<string>();
  constructor(private readonly max: number) {}

  label(name: string | undefined): string {
    if (name === undefined) return "anonymous";
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.max) return "other";
    this.seen.add(name);
    return name;
  }
}

const operationNames = new OperationNames(OPERATION_NAMES_MAX);

/** The process's `operation` label for `name` (see OperationNames). */
export const operationLabel = (name: string | undefined) => operationNames.label(name);

/**
 * Prometheus metrics: process defaults, request durations by route and status, workspaces by
 * status (one GROUP BY per scrape) and the process metrics above.
 */
export function createMetrics(http: FastifyInstance, prisma?: PrismaClient) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const metric of Object.values(processMetrics)) registry.registerMetric(metric);
  if (prisma) workspacesByStatus(registry, prisma, http);
  http.server.on("upgrade", (_request, socket) => {
    processMetrics.openWebSockets.inc();
    socket.once("close", () => processMetrics.openWebSockets.dec());
  });
  const duration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  http.addHook("onResponse", async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unmatched",
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

function workspacesByStatus(registry: Registry, prisma: PrismaClient, http: FastifyInstance) {
  const statuses = Object.values(WorkspaceStatus);
  new Gauge({
    name: "workspaces",
    help: "Workspaces by status, counted when scraped",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await prisma.$queryRaw<Array<{ status: string; count: number }>>`
          SELECT status::text AS status, count(*)::int AS count FROM workspaces GROUP BY status`;
        for (const status of statuses) this.set({ status }, 0);
        for (const row of rows) this.set({ status: row.status }, row.count);
      } catch (error) {
        // A scrape goes on without this gauge rather than failing as a whole.
        this.reset();
        http.log.warn({ err: error }, "metrics: counting workspaces by status failed");
      }
    },
  });
}

/**
 * METRICS_TOKEN: unset, /metrics is open (as before); set, it needs `Authorization: Bearer
 * <token>`, compared in constant time.
 */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined) {
  if (token === undefined) return true;
  const given = Buffer.from(/^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1] ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
