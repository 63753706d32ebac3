import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import type { FieldIssue } from "../services/hardware-messages.js";
import { HttpError, unsupportedContentType } from "./errors.js";

/** A body that is not JSON; answered by the route (a parser error would close the connection). */
const MALFORMED = Symbol("malformed JSON");

/**
 * Routes with a body take JSON and nothing else (other types → 415). An empty body means `{}`,
 * whatever its Content-Type (fetch labels an empty string text/plain).
 */
export function acceptJsonBodies(http: FastifyInstance): void {
  http.removeAllContentTypeParsers();
  http.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, {});
    done(new HttpError(415, unsupportedContentType(request.headers["content-type"])), undefined);
  });
  // application/merge-patch+json (RFC 7396, PATCH) is JSON too.
  http.addContentTypeParser(
    ["application/json", "application/merge-patch+json"],
    { parseAs: "string" },
    (_request, text, done) => {
      if ((text as string).trim() === "") return done(null, {});
      try {
        done(null, JSON.parse(text as string));
      } catch {
        done(null, MALFORMED);
      }
    },
  );
}

/** Routes without a body ignore whatever is sent (still within the body limit). */
export function ignoreBodies(http: FastifyInstance): void {
  http.removeAllContentTypeParsers();
  http.addContentTypeParser("*", { parseAs: "buffer" }, (_request, _body, done) =>
    done(null, undefined),
  );
}

/** The body checked against the route's schema; unknown keys and wrong types → 400 with details. */
export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  if (body === MALFORMED) throw new HttpError(400, "the request body is not valid JSON");
  const parsed = schema.safeParse(body === undefined ? {} : body);
  if (parsed.success) return parsed.data;
  throw new HttpError(400, "invalid request body", issuesFromZodError(parsed.error));
}

/** The query string checked against the route's schema; a bad parameter → 400 naming it. */
export function parseQuery<Schema extends z.ZodType>(
  schema: Schema,
  query: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(query ?? {});
  if (parsed.success) return parsed.data;
  throw new HttpError(400, "invalid query string", issuesFromZodError(parsed.error));
}

/**
 * A zod error as field issues: "hardware.cpus"; an unknown key gives one issue per key
 * ("hardware.foo"); an issue at the root has the field "".
 */
export function issuesFromZodError(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ field: joinPath([...issue.path, key]), message: `unknown field "${key}"` });
      }
    } else {
      issues.push({ field: joinPath(issue.path), message: issue.message });
    }
  }
  return issues;
}

function joinPath(path: readonly PropertyKey[]): string {
  let field = "";
  for (const segment of path) {
    if (typeof segment === "number") field += `[${segment}]`;
    else field += field === "" ? String(segment) : `.${String(segment)}`;
  }
  return field;
}
