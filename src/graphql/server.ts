/**
 * /graphql on the app's one port: queries and mutations over HTTP (GET and POST), subscriptions
 * over SSE (yoga) and WebSocket (graphql-ws, through yoga's envelop so both transports get the
 * same plugins and context), and GraphiQL for browsers.
 */
import { setMaxListeners } from "node:events";
import type { Server } from "node:http";
import { useGraphQlJit } from "@envelop/graphql-jit";
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from "fastify";
import { type DocumentNode, GraphQLError, Kind } from "graphql";
import { createYoga, maskError, type YogaLogger } from "graphql-yoga";
import { isStatementTimeout, type PrismaClient } from "../db/client.js";
import type { Env } from "../env.js";
import type { User } from "../generated/prisma/client.js";
import { releaseDatabaseShare } from "../http/caller-shares.js";
import {
  DATABASE_TIMEOUT_MESSAGE,
  DATABASE_UNAVAILABLE_MESSAGE,
  databaseUnavailableError,
  isDatabaseUnavailable,
  UNAVAILABLE_RETRY_AFTER_S,
} from "../http/dependency-errors.js";
import type { RateLimits } from "../http/rate-limits.js";
import { socketRateLimit } from "../http/socket-rate-limit.js";
import type { Services } from "../services/index.js";
import { bearerToken } from "../services/token-format.js";
import type { Principal } from "../services/tokens.js";
import type { GraphQLContext } from "./context.js";
import { useCreateRateLimit } from "./create-limit.js";
import { graphiqlOptions, renderGraphiQLWithSocketAuth } from "./graphiql.js";
import { limitPlugins, limitsFromEnv } from "./limits.js";
import { useOperationMetrics } from "./metrics-plugin.js";
import { schema } from "./schema/index.js";
import { attachWebSocket, type WebSocketTransport } from "./websocket.js";

export interface GraphQLOptions {
  services: Services;
  prisma: PrismaClient;
  env: Env;
  /** CREATE_RATE_LIMIT_PER_MINUTE per createWorkspace field (the request limit runs in a hook). */
  limits?: RateLimits;
}

export const GRAPHQL_PATH = "/graphql";
/** What a HEAD of /graphql is answered as (a GET that asked for JSON). */
const HEAD_ACCEPT = "application/graphql-response+json, application/json";
/** The same limit as the REST bodies (Fastify's bodyLimit); WebSocket messages too. */
const BODY_LIMIT = 1024 * 1024;

/** What yoga's context factory gets besides the request: Fastify's objects, or a WebSocket's caller. */
export interface ServerContext {
  req?: FastifyRequest;
  reply?: FastifyReply;
  /** Set for WebSocket operations: the caller authenticated at connection_init. */
  connectionViewer?: User;
  /** With `connectionViewer`: its token's limits. */
  connectionPrincipal?: Principal;
}

export function createGraphQL({ services, prisma, env, limits }: GraphQLOptions) {
  // Fastify's logger, once the routes are registered (yoga exists before that).
  let log: FastifyBaseLogger | undefined;
  const forward =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) => {
      const [first, ...rest] = args;
      if (first instanceof Error) log?.[level]({ err: first }, rest.map(String).join(" "));
      else log?.[level](args.map(String).join(" "));
    };
  const logger: YogaLogger = {
    debug: forward("debug"),
    info: forward("info"),
    warn: forward("warn"),
    error: forward("error"),
  };

  async function principalOf(authorization: string | null | undefined) {
    const token = bearerToken(authorization);
    return token === null ? null : await services.tokens.authenticate(token);
  }

  /**
   * What ends this request's subscriptions (SSE): shutdown, or the revocation of the token it
   * was authenticated with. Joined for the life of the HTTP response.
   */
  function streamsEnd(principal: Principal | null, reply: FastifyReply | undefined): AbortSignal {
    if (!principal || !reply) return shutdown.signal;
    const hold = services.revocations.hold(principal, shutdown.signal);
    reply.raw.once("close", hold.release);
    return hold.signal;
  }

  const shutdown = new AbortController();
  // Every authenticated request in flight joins it (streamsEnd): not a leak.
  setMaxListeners(0, shutdown.signal);
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    logging: logger,
    landingPage: false,
    // Fastify reads the body under BODY_LIMIT (routes, below): yoga's own limit pipes every
    // body through a TransformStream (a pipeline and an AbortSignal per request).
    maxRequestBodySize: false,
    // One CORS policy for REST and /graphql: @fastify/cors (CORS_ORIGINS), not yoga's.
    cors: false,
    plugins: [
      // Depth, aliases, tokens, directives, cost and introspection, before any resolver runs.
      ...limitPlugins(limitsFromEnv(env), services),
      ...(limits?.creates ? [useCreateRateLimit(limits.creates)] : []),
      useOperationMetrics(),
      // Queries run as code graphql-jit compiles once per document (yoga caches the parsed
      // document): per field it skips the resolver lookup, argument coercion and completion
      // dispatch graphql-js repeats for every row (gql-read, a page of 50: 4.2 → 3.3 ms of CPU a
      // request). Only a document of one query operation: the plugin caches by document, not by
      // operation name; mutations and subscriptions keep graphql-js.
      useGraphQlJit({}, { enableIf: ({ document }) => isOneQuery(document) }),
    ],
    // Parsed once per request (per connection for WebSocket).
    context: async (initial): Promise<GraphQLContext> => {
      if (initial.connectionViewer) {
        return {
          viewer: initial.connectionViewer,
          principal: initial.connectionPrincipal ?? null,
          authorization: null,
          services,
          prisma,
          shutdown: shutdown.signal,
        };
      }
      const authorization = initial.request.headers.get("authorization");
      const principal = await principalOf(authorization);
      return {
        viewer: principal?.user ?? null,
        principal,
        tokenId: principal?.tokenId ?? null,
        authorization,
        services,
        prisma,
        shutdown: streamsEnd(principal, initial.reply),
      };
    },
    maskedErrors: {
      // Deliberate errors (GraphQLError) pass; anything else reads "Unexpected error." and is logged.
      maskError(error, message, isDev) {
        // PostgreSQL cancelled a statement (DATABASE_STATEMENT_TIMEOUT_MS): say so, as a 503.
        if (isStatementTimeout(error)) return databaseTimeout();
        // A dependency down is not a bug: SERVICE_UNAVAILABLE (503), retry later.
        if (isDatabaseUnavailable(error)) return databaseUnavailableError();
        const masked = maskError(error, message, isDev);
        if (masked !== error) log?.error({ err: originalError(error) }, "GraphQL operation failed");
        return masked;
      },
    },
    graphiql: env.GRAPHIQL ? graphiqlOptions : false,
    renderGraphiQL: renderGraphiQLWithSocketAuth,
  });

  const routes: FastifyPluginAsync = async (http) => {
    log = http.log;
    // Every body is read whole, as text, under BODY_LIMIT; yoga parses it (JSON,
    // application/graphql, form) from that string instead of from a stream.
    http.removeAllContentTypeParsers();
    http.addContentTypeParser(
      "*",
      { parseAs: "string", bodyLimit: BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    // Whatever fails before yoga answers still reads as GraphQL, not as a REST error body.
    http.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
        // What yoga answered when it held the limit.
        return reply.code(413).send({
          errors: [
            {
              message: "Request body too large",
              extensions: { code: "REQUEST_ENTITY_TOO_LARGE" },
            },
          ],
        });
      }
      if (isDatabaseUnavailable(error)) {
        return reply
          .code(503)
          .header("retry-after", String(UNAVAILABLE_RETRY_AFTER_S))
          .send({
            errors: [
              {
                message: DATABASE_UNAVAILABLE_MESSAGE,
                extensions: { code: "SERVICE_UNAVAILABLE" },
              },
            ],
          });
      }
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, "GraphQL request failed");
      const message = status >= 500 ? "Unexpected error." : error.message;
      return reply.code(status).send({ errors: [{ message }] });
    });
    http.route({
      url: GRAPHQL_PATH,
      method: ["GET", "POST", "OPTIONS"],
      handler: async (req, reply) => {
        // HEAD (Fastify's, through GET) wants headers only: asked as JSON, yoga never opens a
        // stream (a subscription, an SSE or multipart answer) that nobody would read or close.
        if (req.method === "HEAD") req.headers.accept = HEAD_ACCEPT;
        return sendResponse(
          reply,
          await yoga.handleNodeRequestAndResponse(req, reply, { req, reply }),
        );
      },
    });
  };

  let webSocket: WebSocketTransport | undefined;

  return {
    routes,
    /** graphql-ws on the HTTP server's upgrades at /graphql (after it listens). */
    attachWebSocket(server: Server) {
      webSocket = attachWebSocket({
        server,
        path: GRAPHQL_PATH,
        yoga,
        principalOf,
        revocations: services.revocations,
        maxLifetimeMs: env.MAX_SOCKET_LIFETIME_S * 1000,
        maxPayload: BODY_LIMIT,
        rateLimit: socketRateLimit(limits, principalOf),
        socketLimits: {
          maxSubscriptionsPerSocket: env.MAX_SUBSCRIPTIONS_PER_SOCKET,
          maxSocketsPerToken: env.MAX_SOCKETS_PER_TOKEN,
        },
      });
    },
    async close() {
      // Subscriptions complete (SSE responses end, so the HTTP server can close).
      shutdown.abort();
      await webSocket?.close();
      webSocket = undefined;
      await yoga.dispose();
    },
  };
}

/**
 * A complete answer (JSON, an error, GraphiQL's page) goes out as one string. Handed the
 * `Response` itself, Fastify would pipe its body as a web stream: a stream pipeline, an
 * AbortSignal and chunked encoding per request (~13% of a GraphQL create's CPU, measured). Event
 * streams and incremental delivery stay streams.
 */
async function sendResponse(reply: FastifyReply, response: Response) {
  const type = response.headers.get("content-type") ?? "";
  if (type.startsWith("text/event-stream") || type.startsWith("multipart/")) {
    // Subscribed: the stream waits for events, holding no database connection.
    releaseDatabaseShare(reply.request.raw);
    return response;
  }
  reply.code(response.status);
  for (const [name, value] of response.headers) reply.header(name, value);
  return reply.send(await response.text());
}

/** A document whose only operation is a query (fragments beside it are fine). */
function isOneQuery(document: DocumentNode): boolean {
  let operations = 0;
  let query = false;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    operations++;
    query = definition.operation === "query";
  }
  return operations === 1 && query;
}

function databaseTimeout(): GraphQLError {
  return new GraphQLError(DATABASE_TIMEOUT_MESSAGE, {
    extensions: { code: "DATABASE_TIMEOUT", http: { status: 503 } },
  });
}

function originalError(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}
