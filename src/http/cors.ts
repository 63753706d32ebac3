/**
 * CORS_ORIGINS as one policy for REST and /graphql alike (yoga's own CORS is off). Listed
 * origins get their Origin echoed back with credentials allowed, and preflights are answered
 * before authentication or rate limits run; any other origin, and every origin when the list is
 * empty, gets no CORS headers at all (browsers then allow same-origin use only).
 */
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";

/** What a browser script may read from a response besides the CORS-safelisted headers. */
const EXPOSED_HEADERS = [
  "Location",
  "Retry-After",
  "RateLimit",
  "RateLimit-Policy",
  "Idempotent-Replayed",
  "WWW-Authenticate",
];

/** How long a browser may reuse a preflight answer (seconds). */
const PREFLIGHT_MAX_AGE_S = 600;

/** Registers the policy on `http` (before the routes, so its hook runs first). */
export async function installCors(http: FastifyInstance, origins: readonly string[]) {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  await http.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ["GET", "HEAD", "POST", "PUT", "DELETE"],
    allowedHeaders: ["Authorization", "Content-Type", "Accept", "Idempotency-Key"],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_MAX_AGE_S,
  });
}
