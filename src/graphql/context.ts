import { GraphQLError } from "graphql";
import type { PrismaClient } from "../db/client.js";
import type { User } from "../generated/prisma/client.js";
import type { StatusEvents } from "../lifecycle/index.js";
import type { Services } from "../services/index.js";

/** What every resolver gets: the caller (parsed once per request or WebSocket connection) and the app. */
export interface GraphQLContext {
  /** The user behind the Bearer token; null when none (or an invalid one) was sent. */
  viewer: User | null;
  /** Whether the request carried a Bearer token at all (for the 401 challenge). */
  tokenPresented: boolean;
  services: Services;
  prisma: PrismaClient;
  events: StatusEvents;
  /** Aborted when the server shuts down: open subscriptions complete. */
  shutdown: AbortSignal;
}

const CHALLENGE = 'Bearer realm="workspace-gateway"';

/** The caller, or an UNAUTHENTICATED error (HTTP 401 with an RFC 6750 challenge). */
export function requireViewer(context: GraphQLContext): User {
  if (context.viewer) return context.viewer;
  const [message, challenge] = context.tokenPresented
    ? ["invalid or revoked token", `${CHALLENGE}, error="invalid_token"`]
    : ["authentication required: send Authorization: Bearer <token>", CHALLENGE];
  throw new GraphQLError(message, {
    extensions: {
      code: "UNAUTHENTICATED",
      http: { status: 401, headers: { "WWW-Authenticate": challenge } },
    },
  });
}
