/**
 * graphql-ws on the app's HTTP server: operations go through yoga's envelop (`getEnveloped`), so
 * WebSocket and HTTP get the same plugins and context. A bad token is refused at
 * connection_init (close 4403), and a socket whose token is revoked later is closed with 4403
 * "token revoked"; every operation re-checks the token (from the token cache).
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type ExecutionArgs, GraphQLError } from "graphql";
import type { ExecutionResult } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import type { YogaServerInstance } from "graphql-yoga";
import { type WebSocket, WebSocketServer } from "ws";
import type { User } from "../generated/prisma/client.js";
import { RATE_LIMITED_CLOSE_CODE, type SocketRateLimit } from "../http/socket-rate-limit.js";
import type { ConnectionHold, Revocations } from "../services/revocations.js";
import type { Principal } from "../services/tokens.js";
import type { GraphQLContext } from "./context.js";
import type { ServerContext } from "./server.js";
import { isShareable, SharedSubscriptions, sharingKey } from "./shared-subscriptions.js";
import { type SocketLimits, SocketQuota, TOO_MANY_SUBSCRIPTIONS_REASON } from "./socket-limits.js";

/** How long WebSocket clients get to answer the close handshake on shutdown. */
const CLOSE_GRACE_MS = 1000;

/**
 * Every this often each socket is pinged, and one that has not answered the previous ping is cut
 * off (graphql-ws's own keep-alive, run by one timer for all sockets instead of one per socket).
 */
const KEEP_ALIVE_MS = 12_000;

/** How a socket whose token was revoked (or whose user was deleted) is closed. */
export const REVOKED_CLOSE = { code: 4403, reason: "token revoked" } as const;

/** How a socket past MAX_SOCKET_LIFETIME_S is closed: "going away", so clients reconnect. */
export const LIFETIME_CLOSE = { code: 1001, reason: "socket lifetime reached" } as const;

/**
 * What a socket keeps for its life besides graphql-ws's own: the HTTP upgrade request is
 * dropped once the connection is acknowledged (it is only read at connection_init).
 */
type SocketExtra = { viewer?: User; authorization?: string; hold?: ConnectionHold };

/**
 * Execution arguments carrying how they must run: the enveloped execute/subscribe, or the shared
 * execution the subscription joins or starts (shared-subscriptions.ts).
 */
interface EnvelopedArgs extends ExecutionArgs {
  run?: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
  shared?: () => Promise<Stream | ExecutionResult>;
}

type Stream = AsyncIterable<ExecutionResult>;

export interface WebSocketOptions {
  server: Server;
  path: string;
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  /** The caller behind an Authorization value, or null. */
  principalOf(authorization: string | undefined): Promise<Principal | null>;
  /** Ends the sockets of revoked tokens. */
  revocations: Revocations;
  /** MAX_SOCKET_LIFETIME_S in ms: a socket is closed this long after its connection_init; 0: never. */
  maxLifetimeMs?: number;
  maxPayload: number;
  /** RATE_LIMIT_PER_MINUTE for connection_init and each operation; none when off. */
  rateLimit?: SocketRateLimit | undefined;
  /** Sockets per token and operations per socket (no caps when left out). */
  socketLimits?: SocketLimits;
}

export interface WebSocketTransport {
  /** Stops taking upgrades, completes subscriptions, closes every socket. */
  close(): Promise<void>;
}

export function attachWebSocket({
  server,
  path,
  yoga,
  principalOf,
  revocations,
  maxLifetimeMs = 0,
  maxPayload,
  socketLimits = { maxSubscriptionsPerSocket: 0, maxSocketsPerToken: 0 },
  rateLimit,
}: WebSocketOptions): WebSocketTransport {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const quota = new SocketQuota(socketLimits);
  const shared = new SharedSubscriptions();
  const keepAlive = new KeepAlive(wss, KEEP_ALIVE_MS);
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(request.url ?? "/", "http://localhost").pathname !== path) {
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
      // Close reasons never carry internal error text (graphql-ws adds it outside production).
      isProd: true,
      // A missing or bad token is refused at connection_init: graphql-ws closes with 4403.
      onConnect: async (ctx) => {
        const authorization = authorizationParam(ctx.connectionParams);
        // Over RATE_LIMIT_PER_MINUTE: closed with 4429 (graphql-ws's 4403 after it is a no-op).
        const refused = await rateLimit?.connect(ctx.extra.request, authorization);
        if (refused) {
          ctx.extra.socket.close(RATE_LIMITED_CLOSE_CODE, refused);
          return false;
        }
        const principal = await principalOf(authorization);
        (ctx.extra as { request: IncomingMessage | undefined }).request = undefined;
        if (!principal) return false;
        ctx.extra.viewer = principal.user;
        ctx.extra.authorization = authorization;
        const { socket } = ctx.extra;
        const hold = revocations.holdConnection(principal, () =>
          socket.close(REVOKED_CLOSE.code, REVOKED_CLOSE.reason),
        );
        ctx.extra.hold = hold;
        if (hold.ended) return false;
        // Over MAX_SOCKETS_PER_TOKEN: closed with 4429 (graphql-ws's 4403 after it is a no-op).
        if (!quota.admit(authorization, socket)) return false;
        if (maxLifetimeMs > 0) {
          // The client reconnects and authenticates again (a token is checked at least this often).
          const close = () => socket.close(LIFETIME_CLOSE.code, LIFETIME_CLOSE.reason);
          const lifetime = setTimeout(close, maxLifetimeMs).unref();
          socket.once("close", () => clearTimeout(lifetime));
        }
        return true;
      },
      onClose: (ctx) => ctx.extra.hold?.release(),
      onSubscribe: async (ctx, id, payload) => {
        // ctx.subscriptions holds this operation already: over the cap, close with 4429.
        if (!quota.allowOperation(Object.keys(ctx.subscriptions).length, ctx.extra.socket)) {
          const extensions = { code: "TOO_MANY_SUBSCRIPTIONS" };
          return [new GraphQLError(TOO_MANY_SUBSCRIPTIONS_REASON, { extensions })];
        }
        // The token may have been revoked since connection_init: nothing runs on its behalf.
        const principal = await principalOf(ctx.extra.authorization);
        if (!principal || ctx.extra.hold?.ended) {
          ctx.extra.socket.close(REVOKED_CLOSE.code, REVOKED_CLOSE.reason);
          return [new GraphQLError("token revoked", { extensions: { code: "UNAUTHENTICATED" } })];
        }
        ctx.extra.viewer = principal.user; // fresh: e.g. default hardware changed meanwhile
        const overRate = await rateLimit?.operation(principal);
        if (overRate) return [overRate];
        const key = sharingKey({
          userId: principal.user.id,
          scope: principal.scope,
          query: payload.query,
          operationName: payload.operationName,
          variables: payload.variables,
        });
        // The same subscription with the same access is running: no parse, validation, context
        // or execution of its own (the first subscriber's were checked from the same text).
        // Events of a shared execution are written to the socket by the execution (serialized
        // once for all its subscribers) while graphql-ws waits for them.
        const delivery = { socket: ctx.extra.socket, id };
        const running = shared.joinRunning(key, payload.operationName, delivery);
        if (running) {
          const joined: EnvelopedArgs = {
            schema: running.schema,
            document: running.document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            shared: () => running.stream,
          };
          return joined;
        }
        // The initial context holds what the context factory reads, not the socket's context,
        // socket or request: a subscription's context lives as long as it streams.
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          params: payload,
          connectionViewer: ctx.extra.viewer,
          connectionPrincipal: principal,
        });
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          // Not a syntax error (a stack overflow): an error message, not a 4500 close.
          const extensions = { code: "GRAPHQL_PARSE_FAILED" };
          return [new GraphQLError("The document could not be parsed.", { extensions })];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        if (isShareable(document, payload.operationName)) {
          const open = async () => {
            const contextValue = await contextFactory();
            const args = { schema, document, operationName: payload.operationName, contextValue };
            return (await subscribe({ ...args, variableValues: payload.variables })) as
              | Stream
              | ExecutionResult;
          };
          const starting: EnvelopedArgs = {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            shared: () =>
              shared.start(key, schema, document, open, payload.operationName, delivery),
          };
          return starting;
        }
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
      execute: (args) => (args as EnvelopedArgs).run?.execute(args) as Promise<ExecutionResult>,
      subscribe: (args) => {
        const { shared, run } = args as EnvelopedArgs;
        // graphql-ws keeps the arguments for the stream's life: not what opened the execution
        // (assigned, not deleted: a delete turns the object into a larger dictionary).
        (args as EnvelopedArgs).shared = undefined;
        return (shared ? shared() : run?.subscribe(args)) as Promise<
          ExecutionResult | AsyncGenerator<ExecutionResult>
        >;
      },
    },
    wss,
    // No keep-alive timer per socket: KeepAlive pings them all.
    0,
  );

  return {
    async close() {
      server.off("upgrade", onUpgrade);
      keepAlive.stop();
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

/**
 * graphql-ws's keep-alive for every socket of `wss` with one interval: each tick cuts off the
 * sockets that did not answer the previous tick's ping, then pings the open ones.
 */
class KeepAlive {
  /** Pinged, no pong yet. */
  readonly #waiting = new WeakSet<WebSocket>();
  readonly #timer: NodeJS.Timeout;

  constructor(wss: WebSocketServer, intervalMs: number) {
    const waiting = this.#waiting;
    // One listener for all sockets: the socket that got the pong is `this`.
    function answered(this: WebSocket) {
      waiting.delete(this);
    }
    wss.on("connection", (socket: WebSocket) => socket.on("pong", answered));
    this.#timer = setInterval(() => {
      for (const socket of wss.clients) {
        if (this.#waiting.has(socket)) socket.terminate();
        else if (socket.readyState === socket.OPEN) {
          this.#waiting.add(socket);
          socket.ping();
        }
      }
    }, intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** `connectionParams.authorization` ("Bearer <token>"); GraphiQL-style `Authorization` works too. */
function authorizationParam(params: Record<string, unknown> | undefined): string | undefined {
  const key = Object.keys(params ?? {}).find((name) => name.toLowerCase() === "authorization");
  const value = key === undefined ? undefined : params?.[key];
  return typeof value === "string" ? value : undefined;
}
