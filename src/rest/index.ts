/**
 * The REST compatibility shim: the legacy platform's documented routes, translated to calls on
 * the shared service layer (no rules live here).
 *
 * Why Fastify hosts both doors: a mature router (404/405 come from its route table), body limits
 * and content-type parsing built in, pino logging with request ids; graphql-yoga mounts on it as
 * a route and graphql-ws attaches to its http server, so REST, /graphql (HTTP, SSE, WebSocket)
 * and health share one port.
 */
import { setMaxListeners } from "node:events";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from "fastify";
import type { Services } from "../services/index.js";
import type { Hold } from "../services/revocations.js";
import { authenticate, principalOf } from "./auth.js";
import { acceptJsonBodies, ignoreBodies, parseBody, parseQuery } from "./body.js";
import { sendOutcome } from "./errors.js";
import { openApiDocument } from "./openapi.js";
import { type RestRoute, restRouteTable } from "./routes.js";

export interface RestOptions {
  services: Services;
}

/**
 * Aborts when the client goes away, the server starts closing or the caller's token is revoked:
 * what long requests (a wait, an event stream) stop on, so that none outlives its client, holds
 * up a shutdown or goes on for a revoked token.
 */
function requestSignal(reply: FastifyReply, revoked: Hold): AbortSignal {
  const gone = new AbortController();
  reply.raw.once("close", () => {
    gone.abort();
    revoked.release();
  });
  return AbortSignal.any([gone.signal, revoked.signal]);
}

function mount(http: FastifyInstance, route: RestRoute, services: Services, closing: AbortSignal) {
  http.route({
    method: route.method,
    url: route.url,
    handler: async (request, reply) => {
      const body = route.body ? parseBody(route.body, request.body) : undefined;
      const query = route.query ? parseQuery(route.query, request.query) : undefined;
      let signal: AbortSignal | undefined;
      const outcome = await route.handle({
        services,
        principal: principalOf(request),
        params: request.params as Record<string, string>,
        body,
        query,
        request,
        // Made on first use: most routes never wait.
        get signal() {
          // The hold ends with shutdown (`closing`) too.
          signal ??= requestSignal(reply, services.revocations.hold(principalOf(request), closing));
          return signal;
        },
      });
      return sendOutcome(reply, outcome);
    },
  });
}

export const restRoutes: FastifyPluginAsync<RestOptions> = async (http, { services }) => {
  const document = openApiDocument(restRouteTable);
  http.get("/openapi.json", async () => document);
  const closing = new AbortController();
  // Every waiting request listens on it.
  setMaxListeners(0, closing.signal);
  http.addHook("preClose", async () => closing.abort());

  await http.register(async (api) => {
    api.addHook("onRequest", authenticate(services));
    // Body parsers are per context: JSON where a route takes a body, anything (ignored) elsewhere.
    await api.register(async (withBody) => {
      acceptJsonBodies(withBody);
      for (const route of restRouteTable.filter((r) => r.body)) {
        mount(withBody, route, services, closing.signal);
      }
    });
    await api.register(async (bodiless) => {
      ignoreBodies(bodiless);
      for (const route of restRouteTable.filter((r) => !r.body)) {
        mount(bodiless, route, services, closing.signal);
      }
    });
  });
};
