/**
 * Where the rate limits meet HTTP: one onRequest hook for every route but the probes, before any
 * route's own work (REST auth, body parsing, GraphQL). A caller with a valid token spends its
 * token's budget; anything else (no token, a bad one) spends its address's budget. REST creates
 * also spend the user's create budget; GraphQL creates are counted per field by
 * `useCreateRateLimit` once the operation is parsed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Services } from "../services/index.js";
import { bearerToken, isWellFormedToken } from "../services/token-format.js";
import type { Principal } from "../services/tokens.js";
import { callerOf } from "./caller.js";
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
 * `address`. `lookup` finds the caller; it runs only when the address still has budget or the
 * token is not even well-formed, so a flood of guessed tokens from one address costs at most
 * one limit's worth of database lookups per minute.
 */
export async function admitCaller(
  limits: RateLimits,
  address: string,
  authorization: string | undefined,
  lookup: () => Promise<Principal | null>,
): Promise<Admission> {
  const requests = limits.requests;
  const addressKey = `address:${address}`;
  if (requests) {
    const token = bearerToken(authorization);
    if (token !== null && isWellFormedToken(token)) {
      const spent = await requests.exhausted(addressKey);
      if (spent) return { principal: null, decision: spent };
    }
  }
  const principal = await lookup();
  if (!requests) return { principal, decision: null };
  const key = principal ? `token:${principal.tokenId}` : addressKey;
  return { principal, decision: await requests.consume(key) };
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
  refused: RateDecision,
  graphqlPath: string,
) {
  const message = rateLimitMessage(refused);
  const body =
    request.routeOptions.url === graphqlPath
      ? { errors: [{ message, extensions: { code: "RATE_LIMITED" } }] }
      : { error: message };
  return reply.code(429).type("application/json; charset=utf-8").send(body);
}

export interface RequestLimitOptions {
  services: Services;
  limits: RateLimits;
  /** Refusals there are GraphQL errors; elsewhere REST's `{"error"}`. */
  graphqlPath: string;
  /** The REST route that creates a workspace: it also spends the create budget. */
  createRoute: { method: string; url: string };
}

/** Installs the hook on `http` (before the routes are registered, so that all inherit it). */
export function installRequestLimits(
  http: FastifyInstance,
  { services, limits, graphqlPath, createRoute }: RequestLimitOptions,
) {
  if (!limits.requests && !limits.creates) return;
  http.addHook("onRequest", async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && UNLIMITED_ROUTES.has(route)) return;
    const { principal, decision } = await admitCaller(
      limits,
      request.ip,
      request.headers.authorization,
      () => callerOf(services, request.raw),
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
    if (refused) return refuse(request, reply, refused, graphqlPath);
  });
}
