import type { FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { Services } from "../services/index.js";
import { bearerToken } from "../services/token-format.js";
import type { Principal } from "../services/tokens.js";
import { HttpError } from "./errors.js";

const CHALLENGE = 'Bearer realm="workspace-gateway"';

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
    const principal = token === null ? null : await services.tokens.authenticate(token);
    if (principal) {
      principals.set(request, principal);
      return;
    }
    const presented = /^bearer(\s|$)/i.test(header ?? "");
    throw presented
      ? new HttpError(401, "invalid or revoked token", [], {
          "www-authenticate": `${CHALLENGE}, error="invalid_token"`,
        })
      : new HttpError(401, "authentication required: send Authorization: Bearer <token>", [], {
          "www-authenticate": CHALLENGE,
        });
  };
}

/** The caller of an authenticated route. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error("principalOf: the route is not behind authenticate()");
  return principal;
}
