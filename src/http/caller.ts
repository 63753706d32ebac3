/**
 * The caller of an HTTP request, looked up once per request: the rate limiter needs it before
 * the route runs, and REST's auth hook and GraphQL's context read the same answer (one token
 * query per request, not two).
 */
import type { IncomingMessage } from "node:http";
import type { Services } from "../services/index.js";
import { bearerToken } from "../services/token-format.js";
import type { Principal } from "../services/tokens.js";

const callers = new WeakMap<IncomingMessage, Promise<Principal | null>>();

/** The user and token behind the request's `Authorization: Bearer`, or null (memoised per request). */
export function callerOf(services: Services, request: IncomingMessage): Promise<Principal | null> {
  let caller = callers.get(request);
  if (!caller) {
    const token = bearerToken(request.headers.authorization);
    caller = token === null ? Promise.resolve(null) : services.tokens.authenticate(token);
    callers.set(request, caller);
  }
  return caller;
}
