/**
 * Failures that mean "a dependency is down", not "we have a bug": the database unreachable, its
 * connection cut (an administrator's terminate, a restart), its pool exhausted. Both doors answer
 * them with 503 and Retry-After instead of a 500.
 */

import { GraphQLError } from "graphql";

/** Seconds a client is told to wait before retrying after a 503. */
export const UNAVAILABLE_RETRY_AFTER_S = 2;

export const DATABASE_UNAVAILABLE_MESSAGE =
  "service unavailable: the database cannot be reached; retry shortly";

/** A statement cancelled by DATABASE_STATEMENT_TIMEOUT_MS. */
export const DATABASE_TIMEOUT_MESSAGE =
  "service unavailable: the database did not answer in time; retry shortly, or ask for less";

/** Prisma's codes for "cannot reach / lost the database" (P1xxx) and the pool timeout (P2024). */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1011", "P1017", "P2024"]);
/** Driver adapter error kinds (@prisma/driver-adapter-utils) of a lost or refused connection. */
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
/** SQLSTATE: admin/crash shutdown, cannot connect now, too many connections; class 08 below. */
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
]);
const MESSAGES =
  /Connection terminated|Can't reach database server|timeout exceeded when trying to connect/i;

/** True when `error` (or what it wraps) says the database is unreachable or the connection died. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== "object" || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, kind, message, meta, cause, originalError } = current as Record<string, unknown>;
    if (typeof code === "string") {
      if (PRISMA_CODES.has(code) || SQLSTATES.has(code) || SOCKET_CODES.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (typeof kind === "string" && ADAPTER_KINDS.has(kind)) return true;
    if (kind === "postgres" && typeof code === "string" && SQLSTATES.has(code)) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    const driverAdapterError = (meta as Record<string, unknown> | undefined)?.driverAdapterError;
    queue.push(driverAdapterError, cause, originalError);
  }
  return false;
}

/** The database down, as a GraphQL error: SERVICE_UNAVAILABLE, HTTP 503 with Retry-After. */
export function databaseUnavailableError(): GraphQLError {
  return new GraphQLError(DATABASE_UNAVAILABLE_MESSAGE, {
    extensions: {
      code: "SERVICE_UNAVAILABLE",
      http: { status: 503, headers: { "Retry-After": String(UNAVAILABLE_RETRY_AFTER_S) } },
    },
  });
}
