/**
 * The REST compatibility shim: the legacy platform's documented routes, translated to calls on
 * the shared service layer (no rules live here).
 *
 * Why Fastify hosts both doors: a mature router (404/405 come from its route table), body limits
 * and content-type parsing built in, pino logging with request ids; graphql-yoga mounts on it as
 * a route and graphql-ws attaches to its http server, so REST, /graphql (HTTP, SSE, WebSocket)
 * and health share one port.
 */
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { Services } from "../services/index.js";
import { authenticate, principalOf } from "./auth.js";
import { acceptJsonBodies, ignoreBodies, parseBody, parseQuery } from "./body.js";
import { sendOutcome } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import { type RestRoute, restRouteTable } from "./routes.js";

export interface RestOptions {
  services: Services;
}

function mount(http: FastifyInstance, route: RestRoute, services: Services) {
  http.route({
    method: route.method,
    url: route.url,
    handler: async (request, reply) => {
      const body = route.body ? parseBody(route.body, request.body) : undefined;
      const query = route.query ? parseQuery(route.query, request.query) : undefined;
      const outcome = await route.handle({
        services,
        principal: principalOf(request),
        params: request.params as Record<string, string>,
        body,
        query,
        request,
      });
      return sendOutcome(reply, outcome);
    },
  });
}

export const restRoutes: FastifyPluginAsync<RestOptions> = async (http, { services }) => {
  const document = openApiDocument(restRouteTable);
  http.get("/openapi.json", async () => document);

  await http.register(async (api) => {
    api.addHook("onRequest", authenticate(services));
    // Body parsers are per context: JSON where a route takes a body, anything (ignored) elsewhere.
    await api.register(async (withBody) => {
      acceptJsonBodies(withBody);
      for (const route of restRouteTable.filter((r) => r.body)) mount(withBody, route, services);
    });
    await api.register(async (bodiless) => {
      ignoreBodies(bodiless);
      for (const route of restRouteTable.filter((r) => !r.body)) mount(bodiless, route, services);
    });
  });
};
