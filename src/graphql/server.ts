/**
 * /graphql on the app's one port: queries and mutations over HTTP (GET and POST), subscriptions
 * over SSE (yoga) and WebSocket (graphql-ws, through yoga's envelop so both transports get the
 * same plugins and context), and GraphiQL for browsers.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from "fastify";
import { type ExecutionArgs, GraphQLError } from "graphql";
import type { ExecutionResult } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { createYoga, type GraphiQLOptions, maskError, type YogaLogger } from "graphql-yoga";
import { WebSocketServer } from "ws";
import type { PrismaClient } from "../db/client.js";
import type { Env } from "../env.js";
import type { User } from "../generated/prisma/client.js";
import type { StatusEvents } from "../lifecycle/index.js";
import type { Services } from "../services/index.js";
import { bearerToken } from "../services/token-format.js";
import type { GraphQLContext } from "./context.js";
import { schema } from "./schema/index.js";

export interface GraphQLOptions {
  services: Services;
  prisma: PrismaClient;
  events: StatusEvents;
  env: Env;
}

export const GRAPHQL_PATH = "/graphql";
/** The same limit as the REST bodies (Fastify's bodyLimit); WebSocket messages too. */
const BODY_LIMIT = 1024 * 1024;
/** How long WebSocket clients get to answer the close handshake on shutdown. */
const CLOSE_GRACE_MS = 1000;

/** What yoga's context factory gets besides the request: Fastify's objects, or a WebSocket's caller. */
interface ServerContext {
  req?: FastifyRequest;
  reply?: FastifyReply;
  /** Set for WebSocket operations: the caller authenticated at connection_init. */
  connectionViewer?: User;
}

type SocketExtra = { viewer?: User };

/** Execution arguments carrying the enveloped execute/subscribe they must run with. */
interface EnvelopedArgs extends ExecutionArgs {
  run: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
}

export function createGraphQL({ services, prisma, events, env }: GraphQLOptions) {
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

  async function viewerOf(authorization: string | null | undefined) {
    const token = bearerToken(authorization);
    return token === null ? null : ((await services.tokens.authenticate(token))?.user ?? null);
  }

  const shutdown = new AbortController();
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    logging: logger,
    landingPage: false,
    maxRequestBodySize: BODY_LIMIT,
    // Parsed once per request (per connection for WebSocket).
    context: async (initial): Promise<GraphQLContext> => {
      if (initial.connectionViewer) {
        return {
          viewer: initial.connectionViewer,
          authorization: null,
          services,
          prisma,
          events,
          shutdown: shutdown.signal,
        };
      }
      const authorization = initial.request.headers.get("authorization");
      return {
        viewer: await viewerOf(authorization),
        authorization,
        services,
        prisma,
        events,
        shutdown: shutdown.signal,
      };
    },
    maskedErrors: {
      // Deliberate errors (GraphQLError) pass; anything else reads "Unexpected error." and is logged.
      maskError(error, message, isDev) {
        const masked = maskError(error, message, isDev);
        if (masked !== error) log?.error({ err: originalError(error) }, "GraphQL operation failed");
        return masked;
      },
    },
    graphiql: env.GRAPHIQL
      ? {
          title: "workspace-gateway GraphiQL",
          subscriptionsProtocol: "WS",
          defaultHeaders: JSON.stringify({ Authorization: "Bearer <your token>" }, null, 2),
          defaultQuery: DEFAULT_QUERY,
        }
      : false,
    renderGraphiQL: renderGraphiQLWithSocketAuth,
  });

  const routes: FastifyPluginAsync = async (http) => {
    log = http.log;
    // Yoga reads the body itself (JSON, application/graphql, form, multipart) under its own
    // limit, so this context hands every body over unread.
    http.removeAllContentTypeParsers();
    http.addContentTypeParser("*", (_request, _payload, done) => done(null));
    // Whatever fails before yoga answers still reads as GraphQL, not as a REST error body.
    http.setErrorHandler((error: FastifyError, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (status >= 500) request.log.error({ err: error }, "GraphQL request failed");
      const message = status >= 500 ? "Unexpected error." : error.message;
      return reply.code(status).send({ errors: [{ message }] });
    });
    http.route({
      url: GRAPHQL_PATH,
      method: ["GET", "POST", "OPTIONS"],
      handler: (req, reply) => yoga.handleNodeRequestAndResponse(req, reply, { req, reply }),
    });
  };

  let webSocket: { close(): Promise<void> } | undefined;

  function attachWebSocket(server: Server) {
    const wss = new WebSocketServer({ noServer: true, maxPayload: BODY_LIMIT });
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? "/", "http://localhost").pathname !== GRAPHQL_PATH) {
        // Nobody else takes upgrades here: refuse rather than leave the socket hanging.
        if (server.listenerCount("upgrade") === 1) {
          socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        }
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit("connection", ws, request));
    };
    server.on("upgrade", onUpgrade);

    const disposable = useServer<Record<string, unknown> | undefined, SocketExtra>(
      {
        // A missing or bad token is refused at connection_init: graphql-ws closes with 4403.
        onConnect: async (ctx) => {
          const viewer = await viewerOf(authorizationParam(ctx.connectionParams));
          if (!viewer) return false;
          ctx.extra.viewer = viewer;
          return true;
        },
        onSubscribe: async (ctx, _id, payload) => {
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped(
            {
              ...ctx,
              req: ctx.extra.request,
              socket: ctx.extra.socket,
              params: payload,
              connectionViewer: ctx.extra.viewer,
            },
          );
          let document: ReturnType<typeof parse>;
          try {
            document = parse(payload.query);
          } catch (error) {
            if (error instanceof GraphQLError) return [error];
            throw error;
          }
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
          const args: EnvelopedArgs = {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: await contextFactory(),
            run: { execute, subscribe },
          };
          return args;
        },
        execute: (args) => (args as EnvelopedArgs).run.execute(args) as Promise<ExecutionResult>,
        subscribe: (args) =>
          (args as EnvelopedArgs).run.subscribe(args) as Promise<
            ExecutionResult | AsyncGenerator<ExecutionResult>
          >,
      },
      wss,
    );

    webSocket = {
      async close() {
        server.off("upgrade", onUpgrade);
        // Clients get the 1001 close handshake; those that do not answer are cut off.
        const cutOff = setTimeout(() => {
          for (const client of wss.clients) client.terminate();
        }, CLOSE_GRACE_MS);
        try {
          await disposable.dispose();
        } finally {
          clearTimeout(cutOff);
        }
      },
    };
  }

  return {
    routes,
    attachWebSocket,
    async close() {
      // Subscriptions complete (SSE responses end, so the HTTP server can close).
      shutdown.abort();
      await webSocket?.close();
      webSocket = undefined;
      await yoga.dispose();
    },
  };
}

/** `connectionParams.authorization` ("Bearer <token>"); GraphiQL-style `Authorization` works too. */
function authorizationParam(params: Record<string, unknown> | undefined): string | undefined {
  const key = Object.keys(params ?? {}).find((name) => name.toLowerCase() === "authorization");
  const value = key === undefined ? undefined : params?.[key];
  return typeof value === "string" ? value : undefined;
}

function originalError(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}

const DEFAULT_QUERY = `# Put your API token in the Headers tab below, then run this.
query Viewer {
  viewer {
    email
    projects(first: 5) {
      totalCount
      edges {
        node {
          id
          name
          workspaces(first: 5) {
            totalCount
            edges { node { id status hardware { cpuKind cpus memoryMb } } }
          }
        }
      }
    }
  }
}
`;

/**
 * GraphiQL with its assets inlined (no CDN). Browsers cannot set headers on a WebSocket, so the
 * page hands the Authorization header of the active tab to graphql-ws as connectionParams.
 */
function renderGraphiQLWithSocketAuth(options: GraphiQLOptions): string {
  return renderGraphiQL(options).replace(
    "YogaGraphiQL.renderYogaGraphiQL(",
    `(${SOCKET_AUTH_SCRIPT})(YogaGraphiQL.renderYogaGraphiQL)(`,
  );
}

/**
 * Runs in the browser, so it is a string (a compiled function's source carries build helpers):
 * reads the headers GraphiQL keeps in localStorage when the socket connects.
 */
const SOCKET_AUTH_SCRIPT = `function withSocketAuth(render) {
  function connectionParams() {
    try {
      var state = JSON.parse(localStorage.getItem("graphiql:tabState") || "{}");
      var tab = state.tabs && state.tabs[state.activeTabIndex || 0];
      var text = (tab && tab.headers) || localStorage.getItem("graphiql:headers") || "{}";
      var headers = JSON.parse(text);
      for (var name in headers) {
        if (name.toLowerCase() === "authorization") return { authorization: headers[name] };
      }
    } catch (error) {}
    return {};
  }
  return function (root, options) {
    return render(root, Object.assign({}, options, { connectionParams: connectionParams }));
  };
}`;
