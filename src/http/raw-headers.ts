import type { FastifyInstance } from "fastify";

/**
 * Headers that hooks set on Fastify's reply (CORS, RateLimit) for routes whose handler writes the
 * raw Node response itself (yoga at /graphql): copied onto the raw response just before the
 * handler runs, or they would be lost.
 */
export function forwardHookHeaders(http: FastifyInstance, routes: readonly string[]) {
  const paths = new Set(routes);
  http.addHook("preHandler", async (request, reply) => {
    if (!paths.has(request.routeOptions.url ?? "")) return;
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value);
    }
  });
}
