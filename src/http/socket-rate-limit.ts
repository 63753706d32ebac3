/**
 * RATE_LIMIT_PER_MINUTE over graphql-ws: a connection_init counts as a request of its token (of
 * its address when the token is missing or bad; refused then with close 4429), and so does
 * every operation the socket starts (refused with a RATE_LIMITED error, the socket stays).
 */
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { Principal } from "../services/tokens.js";
import { type RateLimits, rateLimitHeaders, rateLimitMessage } from "./rate-limits.js";
import { admitCaller } from "./request-limits.js";

/** The close code of a socket refused for its rate (graphql-ws leaves 4400–4499 to servers). */
export const RATE_LIMITED_CLOSE_CODE = 4429;

export interface SocketRateLimit {
  /** At connection_init: null to go on, or the close reason (close with RATE_LIMITED_CLOSE_CODE). */
  connect(request: IncomingMessage, authorization: string | undefined): Promise<string | null>;
  /** Before an operation on the socket: null to run it, or the error that refuses it. */
  operation(principal: Principal): Promise<GraphQLError | null>;
}

/** Undefined when RATE_LIMIT_PER_MINUTE is 0. */
export function socketRateLimit(
  limits: RateLimits | undefined,
  lookup: (authorization: string | undefined) => Promise<Principal | null>,
): SocketRateLimit | undefined {
  const requests = limits?.requests;
  if (!limits || !requests) return undefined;
  return {
    async connect(request, authorization) {
      const address = request.socket.remoteAddress ?? "unknown";
      const { decision } = await admitCaller(limits, address, authorization, () =>
        lookup(authorization),
      );
      return decision && !decision.allowed ? rateLimitMessage(decision) : null;
    },
    async operation(principal) {
      const decision = await requests.consume(`token:${principal.tokenId}`);
      if (decision.allowed) return null;
      return new GraphQLError(rateLimitMessage(decision), {
        extensions: { code: "RATE_LIMITED", retryAfter: rateLimitHeaders(decision)["retry-after"] },
      });
    },
  };
}
