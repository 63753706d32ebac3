import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Prometheus metrics: process defaults plus request durations by route and status. */
export function createMetrics(http: FastifyInstance) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
