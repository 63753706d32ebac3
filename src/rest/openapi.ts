/**
 * GET /openapi.json: an OpenAPI 3.1 document generated from the route table and the zod schemas
 * the routes validate with, so the description cannot drift from what is served.
 */
import { z } from "zod";
import type { HeaderDoc, ResponseDoc, RestRoute } from "./routes.js";
import { components, errorSchema } from "./schemas.js";

type Json = Record<string, unknown>;

const COMPONENT_PREFIX = "#/components/schemas/";

/** Every named schema, with references between them as $ref. */
function componentSchemas(): { schemas: Record<string, Json>; nameOf: Map<z.ZodType, string> } {
  const registry = z.registry<{ id: string }>();
  const nameOf = new Map<z.ZodType, string>();
  for (const [name, schema] of Object.entries(components)) {
    registry.add(schema, { id: name });
    nameOf.set(schema, name);
  }
  const generated = z.toJSONSchema(registry, {
    target: "draft-2020-12",
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  }).schemas as Record<string, Json>;
  const schemas: Record<string, Json> = {};
  for (const [name, { $schema: _dialect, $id: _id, ...schema }] of Object.entries(generated)) {
    schemas[name] = schema;
  }
  return { schemas, nameOf };
}

/** A schema as the document uses it: a $ref when it is a component, inline otherwise. */
function schemaRef(schema: z.ZodType, nameOf: Map<z.ZodType, string>): Json {
  const name = nameOf.get(schema);
  if (name !== undefined) return { $ref: `${COMPONENT_PREFIX}${name}` };
  const { $schema: _dialect, ...inline } = z.toJSONSchema(schema, { target: "draft-2020-12" });
  return inline;
}

const openApiPath = (url: string) => url.replace(/:(\w+)/g, "{$1}");

const jsonContent = (schema: Json) => ({ "application/json": { schema } });

/** The answers every route shares, unless the route describes them itself. */
function sharedResponses(route: RestRoute): Record<number, ResponseDoc> {
  const authenticated: Record<number, ResponseDoc> = {
    401: {
      description: "Missing, malformed, unknown or revoked token",
      headers: {
        "WWW-Authenticate": {
          description: 'Bearer realm="workspace-gateway" (+ error="invalid_token" for a bad token)',
          schema: z.string(),
          required: true,
        },
      },
    },
    429: {
      description:
        "Over RATE_LIMIT_PER_MINUTE (a create also: CREATE_RATE_LIMIT_PER_MINUTE, WORKSPACE_QUOTA)",
      headers: {
        "Retry-After": { description: "Seconds (not sent for the quota)", schema: z.string() },
        RateLimit: { description: '"<policy>";r=<remaining>;t=<seconds>', schema: z.string() },
        "RateLimit-Policy": { description: '"<policy>";q=<limit>;w=60', schema: z.string() },
      },
    },
    500: { description: "Unexpected failure (details are logged, not sent)" },
    503: {
      description: "The database cannot be reached; retry after Retry-After",
      headers: { "Retry-After": { description: "Seconds", schema: z.string(), required: true } },
    },
  };
  const withHeaders: Record<number, ResponseDoc> = route.headers
    ? { 400: { description: "An invalid request header" } }
    : {};
  const withBody: Record<number, ResponseDoc> = route.body
    ? {
        400: { description: "Malformed JSON, a non-object body, unknown keys, wrong types" },
        413: { description: "The body is larger than 1 MB" },
        415: { description: "The body is not application/json" },
      }
    : {};
  return { ...authenticated, ...withHeaders, ...withBody };
}

function headerObjects(headers: Record<string, HeaderDoc>, nameOf: Map<z.ZodType, string>) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, header]) => [
      name,
      {
        description: header.description,
        ...(header.required ? { required: true } : {}),
        schema: schemaRef(header.schema, nameOf),
      },
    ]),
  );
}

function operation(route: RestRoute, nameOf: Map<z.ZodType, string>): Json {
  const parameters: Json[] = [];
  for (const [, name] of route.url.matchAll(/:(\w+)/g)) {
    parameters.push({
      name,
      in: "path",
      required: true,
      description: "A UUID; anything else is answered 404",
      schema: { type: "string" },
    });
  }
  for (const [name, field] of Object.entries(route.query?.shape ?? {})) {
    const schema = z.toJSONSchema(field as z.ZodType, { io: "input" }) as Json & {
      description?: string;
    };
    const { description, $schema: _, ...rest } = schema as Record<string, Json>;
    parameters.push({ name, in: "query", required: false, description, schema: rest });
  }
  for (const [name, header] of Object.entries(route.headers ?? {})) {
    parameters.push({
      name,
      in: "header",
      required: header.required ?? false,
      description: header.description,
      schema: schemaRef(header.schema, nameOf),
    });
  }
  const responses: Json = {};
  const all = { ...sharedResponses(route), ...route.responses };
  for (const status of Object.keys(all).sort()) {
    const doc = all[Number(status)] as ResponseDoc;
    const schema = doc.schema ?? (Number(status) >= 400 ? errorSchema : undefined);
    responses[status] = {
      description: doc.description,
      ...(doc.headers ? { headers: headerObjects(doc.headers, nameOf) } : {}),
      ...(schema
        ? {
            content: {
              [doc.contentType ?? "application/json"]: { schema: schemaRef(schema, nameOf) },
            },
          }
        : {}),
    };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: false,
            description: "JSON; an empty body means {}",
            content: jsonContent(schemaRef(route.body, nameOf)),
          },
        }
      : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly RestRoute[]): Json {
  const { schemas, nameOf } = componentSchemas();
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = openApiPath(route.url);
    paths[path] ??= {};
    (paths[path] as Json)[route.method.toLowerCase()] = operation(route, nameOf);
  }
  paths["/openapi.json"] = {
    get: {
      operationId: "getOpenApi",
      summary: "This document",
      security: [],
      responses: { 200: { description: "OpenAPI 3.1", content: jsonContent({ type: "object" }) } },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "workspace-gateway REST API",
      version: "1.0.0",
      description:
        "The compatibility shim: the documented workspace endpoints, served from the same " +
        'service layer as /graphql. Errors are {"error": "<message>"}; a 400 may add details.',
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer" } },
      schemas,
    },
  };
}
