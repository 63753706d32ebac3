/**
 * Where the rate limits meet HTTP: one onRequest hook for every route but the probes, before any
 * route's own work (REST auth, body parsing, GraphQL). A caller with a valid token spends its
 * token's budget; anything else (no token, a bad one) spends its address's budget. REST creates
 * also spend the user's create budget; GraphQL creates are counted per field by
 * `useCreateRateLimit` once the operation is parsed. Then what a caller holds at once: an open
 * stream, and a share of the database until the answer is sent (caller-shares.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { processMetrics } from "../metrics.js";
import type { Services } from "../services/index.js";
import { bearerToken, isWellFormedToken } from "../services/token-format.js";
import type { Principal } from "../services/tokens.js";
import { callerOf } from "./caller.js";
import {
  type CallerShares,
  CONCURRENCY_RETRY_AFTER_S,
  holdDatabaseShare,
  type Release,
  STREAMS_RETRY_AFTER_S,
} from "./caller-shares.js";
import {
  type RateDecision,
  type RateLimits,
  rateLimitHeaders,
  rateLimitMessage,
} from "./rate-limits.js";

/** Probes and scrapes are never limited: an orchestrator must always reach them. */
const UNLIMITED_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);

export interface Admission {
  principal: Principal | null;
  /** The decision of the request budget; null when that limit is off. */
  decision: RateDecision | null;
}

/**
 * Counts one request (or WebSocket connection) of the caller behind `authorization` from
 * `address`. A token the cache knows (`cached`, no database) spends only its own budget: it is
 * never refused for what others did from its address (a NAT, a proxy). Without a token the
 * address's budget is spent. A well-formed token the cache does not know costs a database
 * lookup (`lookup`), so those are counted per address too, as unknown tokens when the lookup
 * finds nothing: once an address has spent a budget's worth, no further lookup runs for it this
 * minute. A flood of guessed tokens costs at most one limit's worth of lookups per minute, and a
 * flood without tokens does not keep real users behind the same address from being looked up.
 */
export async function admitCaller(
  limits: RateLimits,
  address: string,
  authorization: string | undefined,
  lookup: () => Promise<Principal | null>,
  cached: (token: string) => Principal | undefined = () => undefined,
): Promise<Admission> {
  const requests = limits.requests;
  if (!requests) return { principal: await lookup(), decision: null };
  const token = bearerToken(authorization);
  const wellFormed = token !== null && isWellFormedToken(token);
  const unknownKey = `unknown-token:${address}`;
  if (wellFormed && !cached(token)) {
    const spent = await requests.exhausted(unknownKey);
    if (spent) return { principal: null, decision: spent };
  }
  const principal = await lookup();
  if (principal) {
    return { principal, decision: await requests.consume(`token:${principal.tokenId}`) };
  }
  if (wellFormed) await requests.consume(unknownKey);
  return { principal: null, decision: await requests.consume(`address:${address}`) };
}

/** The RateLimit headers of several policies in one list each (the draft allows that). */
function combinedHeaders(decisions: RateDecision[]): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const decision of decisions) {
    for (const [name, value] of Object.entries(rateLimitHeaders(decision))) {
      merged[name] = name === "retry-after" || !merged[name] ? value : `${merged[name]}, ${value}`;
    }
  }
  return merged;
}

/** 429 in the words of the door that was asked: REST's `{"error"}` or a GraphQL error. */
function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  message: string,
  graphqlPath: string,
) {
  const body =
    request.routeOptions.url === graphqlPath
      ? { errors: [{ message, extensions: { code: "RATE_LIMITED" } }] }
      : { error: message };
  return reply.code(429).type("application/json; charset=utf-8").send(body);
}

export interface RequestLimitOptions {
  services: Services;
  limits: RateLimits;
  /** MAX_CONCURRENT_REQUESTS_PER_TOKEN and MAX_STREAMS_PER_TOKEN. */
  shares: CallerShares;
  /** Refusals there are GraphQL errors; elsewhere REST's `{"error"}`. */
  graphqlPath: string;
  /** The REST route that creates a workspace: it also spends the create budget. */
  createRoute: { method: string; url: string };
  /** Routes whose requests use the database (the REST table and /graphql): they hold a share. */
  databaseRoutes: readonly string[];
  /** Routes that always stream (/wait, /events); elsewhere a request asking for SSE does. */
  streamRoutes: readonly string[];
}

/** Installs the hook on `http` (before the routes are registered, so that all inherit it). */
export function installRequestLimits(
  http: FastifyInstance,
  {
    services,
    limits,
    shares,
    graphqlPath,
    createRoute,
    databaseRoutes,
    streamRoutes,
  }: RequestLimitOptions,
) {
  if (!limits.requests && !limits.creates && !shares.database && !shares.streams) return;
  const usesDatabase = new Set(databaseRoutes);
  const streams = new Set(streamRoutes);
  http.addHook("onRequest", async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && UNLIMITED_ROUTES.has(route)) return;
    const { principal, decision } = await admitCaller(
      limits,
      request.ip,
      request.headers.authorization,
      () => callerOf(services, request.raw),
      (token) => services.tokens.cached(token),
    );
    const decisions = decision ? [decision] : [];
    let refused = decision && !decision.allowed ? decision : null;
    if (
      !refused &&
      limits.creates &&
      principal &&
      request.method === createRoute.method &&
      route === createRoute.url
    ) {
      const create = await limits.creates.consume(`user:${principal.user.id}`);
      decisions.push(create);
      if (!create.allowed) refused = create;
    }
    if (decisions.length > 0) reply.headers(combinedHeaders(decisions));
    if (refused) return refuse(request, reply, rateLimitMessage(refused), graphqlPath);

    if (route === undefined || !usesDatabase.has(route)) return;
    const caller = principal ? `token:${principal.tokenId}` : `address:${request.ip}`;
    const who = principal ? "per token" : "per address without a token";
    const isStream =
      streams.has(route) || (request.headers.accept ?? "").includes("text/event-stream");
    if (shares.streams && isStream) {
      const release = shares.streams.tryAcquire(caller);
      if (!release) {
        processMetrics.callerRefusals.inc({ limit: "streams" });
        reply.header("retry-after", String(STREAMS_RETRY_AFTER_S));
        const message = `too many open streams: at most ${shares.streams.limit} ${who} (REST /events and /wait, GraphQL SSE together); close one first`;
        return refuse(request, reply, message, graphqlPath);
      }
      reply.raw.once("close", release);
    }
    if (shares.database) {
      let closed = false;
      let release: Release | null = null;
      // A client gone while waiting gets its share and hands it on at once.
      reply.raw.once("close", () => {
        closed = true;
        release?.();
      });
      release = await shares.database.acquire(caller);
      if (!release) {
        processMetrics.callerRefusals.inc({ limit: "concurrency" });
        reply.header("retry-after", String(CONCURRENCY_RETRY_AFTER_S));
        const message = `too many requests in flight: at most ${shares.database.limit} at a time ${who}; retry in ${CONCURRENCY_RETRY_AFTER_S} s`;
        return refuse(request, reply, message, graphqlPath);
      }
      if (closed) release();
      else holdDatabaseShare(request.raw, release);
    }
  });
}
