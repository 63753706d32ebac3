import { GraphQLError } from "graphql";
import type { PrismaClient } from "../db/client.js";
import type { User } from "../generated/prisma/client.js";
import type { Services } from "../services/index.js";
import { authenticationRefusal } from "../services/token-format.js";
import type { Principal } from "../services/tokens.js";

/** What every resolver gets: the caller (parsed once per request or WebSocket connection) and the app. */
export interface GraphQLContext {
  /** The user behind the Bearer token; null when none (or an invalid one) was sent. */
  viewer: User | null;
  /** The viewer with their token's limits (access-policy.ts); null with `viewer`. */
  principal: Principal | null;
  /** The API token the viewer came with over HTTP (an event's actor); absent on WebSocket. */
  tokenId?: string | null;
  /** The Authorization header as sent (the 401 challenge depends on it). */
  authorization: string | null;
  services: Services;
  prisma: PrismaClient;
  /** Aborted when the server shuts down or the caller's token is revoked: open subscriptions complete. */
  shutdown: AbortSignal;
}

/** The caller, or an UNAUTHENTICATED error (HTTP 401 with an RFC 6750 challenge). */
export function requireViewer(context: GraphQLContext): User {
  if (context.viewer) return context.viewer;
  const { message, challenge } = authenticationRefusal(context.authorization);
  throw new GraphQLError(message, {
    extensions: {
      code: "UNAUTHENTICATED",
      http: { status: 401, headers: { "WWW-Authenticate": challenge } },
    },
  });
}

/** The caller as the services' access policy needs it: the user and their token's limits. */
export function requireCaller(context: GraphQLContext): Principal {
  const viewer = requireViewer(context);
  return context.principal ?? { user: viewer, tokenId: "", scope: NO_LIMITS, expiresAt: null };
}

const NO_LIMITS = { projectId: null, role: null } as const;
