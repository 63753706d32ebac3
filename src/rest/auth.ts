import type { FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { callerOf } from "../http/caller.js";
import type { Services } from "../services/index.js";
import { authenticationRefusal, bearerToken } from "../services/token-format.js";
import type { Principal } from "../services/tokens.js";
import { HttpError } from "./errors.js";

const principals = new WeakMap<FastifyRequest, Principal>();

/**
 * Bearer auth (RFC 6750) for every REST route: missing, malformed, unknown or revoked → 401 with
 * a challenge; `error="invalid_token"` when the client did present a Bearer token. Runs before
 * the body is read, so an unauthenticated client learns nothing about its request.
 */
export function authenticate(services: Services): onRequestAsyncHookHandler {
  return async (request) => {
    const header = request.headers.authorization;
    const token = bearerToken(header);
    const principal = token === null ? null : await callerOf(services, request.raw);
    if (principal) {
      principals.set(request, principal);
      return;
    }
    const { message, challenge } = authenticationRefusal(header);
    throw new HttpError(401, message, [], { "www-authenticate": challenge });
  };
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error("principalOf: the route is not behind authenticate()");
  return principal;
}
