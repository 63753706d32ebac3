import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isStatementTimeout } from "../db/client.js";
import {
  DATABASE_TIMEOUT_MESSAGE,
  DATABASE_UNAVAILABLE_MESSAGE,
  isDatabaseUnavailable,
  UNAVAILABLE_RETRY_AFTER_S,
} from "../http/dependency-errors.js";
import { type FieldIssue, hardwareIssues, REST_DIALECT } from "../services/hardware-messages.js";
import type { ServiceError } from "../services/result.js";
import { type ServerSentEvent, sendEventStream } from "./event-stream.js";
import type { ErrorJson } from "./schemas.js";

/**
 * What a REST handler answers: a status, an optional JSON body, headers; or, for a stream,
 * `events` sent as Server-Sent Events (event-stream.ts) instead of a body.
 */
export interface Outcome {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  events?: AsyncIterable<ServerSentEvent>;
}

/** An expected failure raised outside a handler (auth hook, body parser): answered as is. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details: readonly FieldIssue[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }

  toOutcome(): Outcome {
    return errorOutcome(this.statusCode, this.message, this.details, this.headers);
  }
}

/**
 * `{"error": message}`; with field issues, the message names them (legacy clients only read
 * `error`) and `details` lists them.
 */
export function errorOutcome(
  status: number,
  message: string,
  issues: readonly FieldIssue[] = [],
  headers: Record<string, string> = {},
): Outcome {
  const described = issues.map(sentence).join("; ");
  const body: ErrorJson = {
    error:
      issues.length === 0
        ? message
        : issues.every((issue) => issue.field === "")
          ? described
          : `${message}: ${described}`,
  };
  const details = issues.filter((issue) => issue.field !== "");
  if (details.length > 0) body.details = details.map(({ field, message }) => ({ field, message }));
  return { status, body, headers };
}

/** "hardware.cpus" + "cpus must be …" reads "hardware.cpus must be …". */
function sentence({ field, message }: FieldIssue): string {
  if (field === "") return message;
  const last = field.slice(field.lastIndexOf(".") + 1);
  return message.startsWith(`${last} `)
    ? `${field}${message.slice(last.length)}`
    : `${field}: ${message}`;
}

const SERVICE_STATUS = {
  INVALID_INPUT: 400,
  INVALID_HARDWARE: 400,
  INVALID_TRANSITION: 400,
  PROJECT_NOT_FOUND: 404,
  WORKSPACE_NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  IDEMPOTENCY_IN_FLIGHT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  QUOTA_EXCEEDED: 429,
  CURSOR_EXPIRED: 410,
  FORBIDDEN: 403,
  LAST_ADMIN: 400,
  TOKEN_SCOPE: 403,
  MEMBER_NOT_FOUND: 404,
  WEBHOOK_NOT_FOUND: 404,
  TOO_MANY_TOKENS: 400,
} as const satisfies Record<ServiceError["code"], number>;

/** A service's issues in REST's words: snake_case fields, REST's names for hardware. */
function restIssues(error: ServiceError): FieldIssue[] {
  switch (error.code) {
    case "INVALID_HARDWARE":
      return hardwareIssues(error.problems, error.target, REST_DIALECT);
    case "INVALID_INPUT":
      return error.issues.map(({ field, message }) => ({
        field: REST_DIALECT.field(field as never),
        message,
      }));
    default:
      return [];
  }
}

/** A service's expected failure as the documented status and error body. */
export function serviceFailure(error: ServiceError): Outcome {
  const issues = restIssues(error);
  const headers: Record<string, string> =
    error.code === "IDEMPOTENCY_IN_FLIGHT" ? { "retry-after": "1" } : {};
  return errorOutcome(SERVICE_STATUS[error.code], error.message, issues, headers);
}

export function sendOutcome(reply: FastifyReply, outcome: Outcome): FastifyReply {
  if (outcome.events) return sendEventStream(reply, outcome.events, outcome.headers);
  reply.code(outcome.status);
  if (outcome.headers) reply.headers(outcome.headers);
  if (outcome.body === undefined) return reply.send();
  return reply.type("application/json; charset=utf-8").send(outcome.body);
}

export function unsupportedContentType(header: string | undefined): string {
  return `unsupported Content-Type ${JSON.stringify(header ?? "(none)")}: send application/json`;
}

/** Fastify's own 4xx errors, in our words. */
function frameworkMessage(error: FastifyError, request: FastifyRequest): string | undefined {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return `the request body is larger than the limit of ${formatBytes(request.routeOptions.bodyLimit)}`;
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return unsupportedContentType(request.headers["content-type"]);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return "the request body is empty but Content-Type says JSON";
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return "the request body is not valid JSON";
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return "Content-Length does not match the request body";
    default:
      return error.code?.startsWith("FST_") ? error.message : undefined;
  }
}

function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "the server's limit";
  const mb = 1024 * 1024;
  return bytes % mb === 0 ? `${bytes / mb} MB` : `${bytes} bytes`;
}

/** GET, HEAD, POST, … first; then whatever else the router knows, alphabetically. */
const METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
function methodRank(method: string): number {
  const rank = METHOD_ORDER.indexOf(method);
  return rank === -1 ? METHOD_ORDER.length : rank;
}

/** The methods some route serves at `path` (a concrete path, query string removed). */
function allowedMethods(http: FastifyInstance, path: string): string[] {
  return http.supportedMethods
    .filter((method) => http.findRoute({ method: method as "GET", url: path }) !== null)
    .sort((a, b) => methodRank(a) - methodRank(b) || a.localeCompare(b));
}

/**
 * App-wide answers for what no handler answered itself: errors, unknown routes (404) and known
 * routes asked with the wrong method (405 + Allow). Called before any route is registered, so
 * every plugin inherits them; a plugin with its own error handler (GraphQL) keeps its own.
 */
export function installHttpErrors(http: FastifyInstance): void {
  http.setErrorHandler((error: FastifyError, request, reply) =>
    sendOutcome(reply, errorToOutcome(error, request)),
  );

  http.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?", 1)[0] ?? "/";
    const allowed = allowedMethods(http, path);
    if (allowed.length === 0) return sendOutcome(reply, errorOutcome(404, "not found"));
    if (request.method === "OPTIONS") {
      return sendOutcome(reply, {
        status: 204,
        headers: { allow: [...allowed, "OPTIONS"].join(", ") },
      });
    }
    const allow = allowed.join(", ");
    return sendOutcome(
      reply,
      errorOutcome(405, `method ${request.method} is not allowed here; allowed: ${allow}`, [], {
        allow,
      }),
    );
  });
}

function errorToOutcome(error: FastifyError, request: FastifyRequest): Outcome {
  if (error instanceof HttpError) return error.toOutcome();
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const message =
      frameworkMessage(error, request) ?? (STATUS_CODES[status] ?? "bad request").toLowerCase();
    return errorOutcome(status, message);
  }
  if (isStatementTimeout(error)) {
    request.log.warn({ err: error }, "database statement timed out");
    return errorOutcome(503, DATABASE_TIMEOUT_MESSAGE, [], {
      "retry-after": String(UNAVAILABLE_RETRY_AFTER_S),
    });
  }
  if (isDatabaseUnavailable(error)) {
    request.log.warn({ err: error }, "database unavailable");
    return errorOutcome(503, DATABASE_UNAVAILABLE_MESSAGE, [], {
      "retry-after": String(UNAVAILABLE_RETRY_AFTER_S),
    });
  }
  // The unexpected: the log gets the details (the request logger carries the request id), the
  // client a fixed message.
  request.log.error({ err: error }, "request failed unexpectedly");
  return errorOutcome(500, "internal error");
}
