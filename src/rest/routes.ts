/**
 * The documented routes, each: parse, call the service, map the result. The same table mounts the
 * routes (index.ts) and describes them (openapi.ts).
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { WorkspaceStatus } from "../generated/prisma/enums.js";
import type { Services } from "../services/index.js";
import { PROJECT_NAME_MAX } from "../services/projects.js";
import type { Principal } from "../services/tokens.js";
import { parseLabelSelector, type WorkspaceFilter } from "../services/workspace-policy.js";
import { LIST_LIMIT_MAX } from "../services/workspaces.js";
import { HttpError, type Outcome, serviceFailure } from "./errors.js";
import { eventRoutes } from "./event-routes.js";
import { fromWireHardware } from "./hardware-wire.js";
import {
  createProjectRequestSchema,
  createWorkspaceRequestSchema,
  idempotencyKeySchema,
  type ListQuery,
  listQuerySchema,
  projectListSchema,
  projectSchema,
  settingsSchema,
  updateSettingsRequestSchema,
  updateWorkspaceRequestSchema,
  type WorkspaceListQuery,
  workspaceListQuerySchema,
  workspaceListSchema,
  workspaceSchema,
} from "./schemas.js";
import { serializeProject, serializeSettings, serializeWorkspace } from "./serialize.js";
import { teamRoutes } from "./team-routes.js";
import { watchRoutes } from "./watch-routes.js";
import { webhookRoutes } from "./webhook-routes.js";

export interface RouteContext<Body, Query = unknown> {
  services: Services;
  principal: Principal;
  params: Record<string, string>;
  body: Body;
  query: Query;
  request: FastifyRequest;
  /** Aborts when the client goes away or the server is closing (long waits and streams stop). */
  signal: AbortSignal;
}

export interface HeaderDoc {
  description: string;
  schema: z.ZodType<string>;
  /** Always sent (response) or always needed (request). */
  required?: boolean;
}

export interface ResponseDoc {
  description: string;
  schema?: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  headers?: Record<string, HeaderDoc>;
}

export interface RestRoute<Body = unknown, Query = unknown> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Fastify's path syntax: /workspaces/:id */
  url: string;
  operationId: string;
  summary: string;
  /** The JSON body; a route without one ignores any body it is sent. */
  body?: z.ZodType<Body>;
  /** The query string's parameters; a bad value → 400 naming it. */
  query?: z.ZodObject & z.ZodType<Query>;
  /** Request headers the route reads. */
  headers?: Record<string, HeaderDoc>;
  /** The answers of this route; the ones every route shares are added by openapi.ts. */
  responses: Record<number, ResponseDoc>;
  handle(context: RouteContext<Body, Query>): Promise<Outcome>;
}

const route = <Body, Query = unknown>(definition: RestRoute<Body, Query>): RestRoute =>
  definition as RestRoute;

const IDEMPOTENCY_KEY = "Idempotency-Key";

/** A request header checked against its schema; a bad value → 400 naming the header. */
function readHeader(request: FastifyRequest, name: string, schema: z.ZodType<string>) {
  const value = request.headers[name.toLowerCase()];
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(Array.isArray(value) ? value.join(", ") : value);
  if (parsed.success) return parsed.data;
  throw new HttpError(400, `invalid ${name} header`, [
    { field: name, message: parsed.error.issues[0]?.message ?? "invalid value" },
  ]);
}

/**
 * A page of a list, the same way for every list: legacy clients (no paging parameters) get the
 * documented shape, nothing more; with `limit` or `after`, `next` and a Link header to it.
 */
function listPage(
  request: FastifyRequest,
  query: ListQuery,
  body: Record<string, unknown[]>,
  next: string | null,
): Outcome {
  if (query.limit === undefined && query.after === undefined) return { status: 200, body };
  const path = request.url.split("?", 1)[0];
  const nextUrl = `${path}?limit=${query.limit ?? LIST_LIMIT_MAX}&after=${next}`;
  return {
    status: 200,
    headers: next === null ? {} : { link: `<${nextUrl}>; rel="next"` },
    body: { ...body, next },
  };
}

/** ?status= and ?label=k=v as the service's filter (the schema checked them). */
function listFilter(query: WorkspaceListQuery): WorkspaceFilter {
  const all = (value: string | string[] | undefined) =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
  const labels: { key: string; value: string }[] = [];
  for (const selector of all(query.label)) {
    const parsed = parseLabelSelector(selector);
    if (typeof parsed !== "string") labels.push({ key: parsed[0], value: parsed[1] });
  }
  return { status: all(query.status) as WorkspaceStatus[], labels };
}

const listPageHeaders: Record<string, HeaderDoc> = {
  Link: { description: '<…?limit=n&after=c>; rel="next"', schema: z.string() },
};

/** The answers of both workspace lists (a project's and all of the caller's). */
const workspacePageResponses = {
  200: {
    description: "A page; with `limit` or `after`, `next` and a Link header lead to the next",
    schema: workspaceListSchema,
    headers: listPageHeaders,
  },
  400: { description: "A bad limit, cursor, status or label (naming the parameter)" },
} satisfies Record<number, ResponseDoc>;

/** A workspace list's page as REST answers it (or the service's refusal). */
function workspacePage(
  result: Awaited<ReturnType<Services["workspaces"]["listForUser"]>>,
  services: Services,
  request: FastifyRequest,
  query: WorkspaceListQuery,
): Outcome {
  if (!result.ok) return serviceFailure(result.error);
  const { workspaces, next } = result.value;
  const body = { workspaces: workspaces.map((w) => serializeWorkspace(w, services.policy)) };
  return listPage(request, query, body, next);
}

const idempotencyKeyHeader: HeaderDoc = {
  description:
    "Replays the first response for the same key and body (kept at least 24 hours); " +
    "the same key with another body → 422; while the first request runs → 409.",
  schema: idempotencyKeySchema,
};

const replayedHeader: HeaderDoc = {
  description: "Present on a replayed response",
  schema: z.literal("true"),
};

const inFlight: ResponseDoc = {
  description: "A request with this Idempotency-Key is still in progress",
  headers: { "Retry-After": { description: "Seconds", schema: z.string() } },
};

const keyReused: ResponseDoc = {
  description: "This Idempotency-Key was used with a different request",
};

const workspaceResponse = (description: string): ResponseDoc => ({
  description,
  schema: workspaceSchema,
});
const projectNotFound: ResponseDoc = {
  description: "Not a UUID, no such project, or another user's: one identical body",
};
const workspaceNotFound: ResponseDoc = {
  description: "Not a UUID, no such workspace, or another user's: one identical body",
};

export const restRouteTable: readonly RestRoute[] = [
  route({
    method: "POST",
    url: "/projects",
    operationId: "createProject",
    summary: "Create a project (yours); its workspaces are created under /projects/<id>/workspaces",
    body: createProjectRequestSchema,
    headers: { [IDEMPOTENCY_KEY]: idempotencyKeyHeader },
    responses: {
      201: {
        description: "Created (or, for a repeated Idempotency-Key, the first response replayed)",
        schema: projectSchema,
        headers: {
          Location: { description: "/projects/<id>", schema: z.string(), required: true },
          "Idempotent-Replayed": replayedHeader,
        },
      },
      400: {
        description: `A name that is not 1 to ${PROJECT_NAME_MAX} characters, a default_branch with spaces, unknown keys, wrong types, malformed JSON`,
      },
      403: { description: "A token limited to one project, or capped at the viewer role" },
      409: inFlight,
      422: keyReused,
    },
    async handle({ services, principal, body, request }) {
      const idempotencyKey = readHeader(request, IDEMPOTENCY_KEY, idempotencyKeySchema);
      const result = await services.projects.createOnce(principal, {
        name: body.name,
        defaultBranch: body.default_branch,
        idempotencyKey,
      });
      if (!result.ok) return serviceFailure(result.error);
      const { project, replayed } = result.value;
      return {
        status: 201,
        headers: {
          location: `/projects/${project.id}`,
          ...(replayed ? { "idempotent-replayed": "true" } : {}),
        },
        body: serializeProject(project),
      };
    },
  }),
  route({
    method: "GET",
    url: "/projects",
    operationId: "listProjects",
    summary: "Your projects, newest first, a page at a time",
    query: listQuerySchema,
    responses: {
      200: {
        description: "A page; with `limit` or `after`, `next` and a Link header lead to the next",
        schema: projectListSchema,
        headers: listPageHeaders,
      },
      400: { description: "A bad limit or cursor" },
    },
    async handle({ services, principal, query, request }) {
      const result = await services.projects.listForMember(principal, {
        limit: query.limit,
        after: query.after,
      });
      if (!result.ok) return serviceFailure(result.error);
      const { projects, next } = result.value;
      return listPage(request, query, { projects: projects.map(serializeProject) }, next);
    },
  }),
  route({
    method: "GET",
    url: "/projects/:id",
    operationId: "getProject",
    summary: "A project (where a project create's Location leads)",
    responses: { 200: { description: "OK", schema: projectSchema }, 404: projectNotFound },
    async handle({ services, principal, params }) {
      const result = await services.projects.getForUser(principal, params.id ?? "");
      if (!result.ok) return serviceFailure(result.error);
      return { status: 200, body: serializeProject(result.value) };
    },
  }),
  route({
    method: "POST",
    url: "/projects/:id/workspaces",
    operationId: "createWorkspace",
    summary: "Create a workspace in a project",
    body: createWorkspaceRequestSchema,
    headers: { [IDEMPOTENCY_KEY]: idempotencyKeyHeader },
    responses: {
      201: {
        description: "Created (or, for a repeated Idempotency-Key, the first response replayed)",
        schema: workspaceSchema,
        headers: {
          Location: { description: "/workspaces/<id>", schema: z.string(), required: true },
          "Idempotent-Replayed": replayedHeader,
        },
      },
      400: { description: "Invalid hardware, unknown keys, wrong types, malformed JSON" },
      404: projectNotFound,
      409: inFlight,
      422: keyReused,
    },
    async handle({ services, principal, params, body, request }) {
      const idempotencyKey = readHeader(request, IDEMPOTENCY_KEY, idempotencyKeySchema);
      const result = await services.workspaces.create(
        principal,
        {
          projectId: params.id ?? "",
          hardware: body.hardware && fromWireHardware(body.hardware),
          keepActive: body.keep_active,
          autoStopMinutes: body.auto_stop_minutes,
          maxRunMinutes: body.max_run_minutes,
          autoDeleteMinutes: body.auto_delete_minutes,
          labels: body.labels,
          idempotencyKey,
        },
        principal.tokenId,
      );
      if (!result.ok) return serviceFailure(result.error);
      const { workspace, replayed } = result.value;
      return {
        status: 201,
        headers: {
          location: `/workspaces/${workspace.id}`,
          ...(replayed ? { "idempotent-replayed": "true" } : {}),
        },
        body: serializeWorkspace(workspace, services.policy),
      };
    },
  }),
  route({
    method: "GET",
    url: "/projects/:id/workspaces",
    operationId: "listWorkspaces",
    summary:
      "The project's workspaces, newest first, a page at a time; ?status= and ?label=k=v filter",
    query: workspaceListQuerySchema,
    responses: {
      ...workspacePageResponses,
      404: projectNotFound,
    },
    async handle({ services, principal, params, query, request }) {
      const result = await services.workspaces.listForProject(
        principal,
        params.id ?? "",
        { limit: query.limit, after: query.after },
        listFilter(query),
      );
      return workspacePage(result, services, request, query);
    },
  }),
  route({
    method: "GET",
    url: "/workspaces",
    operationId: "listAllWorkspaces",
    summary:
      "All your workspaces across projects, newest first, a page at a time; ?status= and ?label=k=v filter",
    query: workspaceListQuerySchema,
    responses: {
      ...workspacePageResponses,
    },
    async handle({ services, principal, query, request }) {
      const result = await services.workspaces.listForUser(
        principal,
        { limit: query.limit, after: query.after },
        listFilter(query),
      );
      return workspacePage(result, services, request, query);
    },
  }),
  route({
    method: "PATCH",
    url: "/workspaces/:id",
    operationId: "updateWorkspace",
    summary:
      "Change labels, auto_stop_minutes, max_run_minutes, auto_delete_minutes, keep_active or (while stopped) hardware: a JSON Merge Patch",
    body: updateWorkspaceRequestSchema,
    responses: {
      200: workspaceResponse("The workspace as changed"),
      400: {
        description:
          "A value out of bounds, a bad label, keep_active disagreeing with auto_stop_minutes, invalid hardware, a smaller volume, or a resize while the workspace is not stopped",
      },
      404: workspaceNotFound,
    },
    async handle({ services, principal, params, body }) {
      const result = await services.workspaces.update(
        principal,
        params.id ?? "",
        {
          labels: body.labels,
          autoStopMinutes: body.auto_stop_minutes,
          maxRunMinutes: body.max_run_minutes,
          autoDeleteMinutes: body.auto_delete_minutes,
          keepActive: body.keep_active,
          hardware: body.hardware && fromWireHardware(body.hardware),
        },
        principal.user,
      );
      if (!result.ok) return serviceFailure(result.error);
      return { status: 200, body: serializeWorkspace(result.value, services.policy) };
    },
  }),
  route({
    method: "POST",
    url: "/workspaces/:id/keepalive",
    operationId: "keepWorkspaceAlive",
    summary: "Record activity now: the idle auto-stop counts again from here",
    responses: {
      200: workspaceResponse("The workspace with its new last_activity_at and auto_stop_at"),
      404: workspaceNotFound,
    },
    async handle({ services, principal, params }) {
      const result = await services.workspaces.keepAlive(principal, params.id ?? "");
      if (!result.ok) return serviceFailure(result.error);
      return { status: 200, body: serializeWorkspace(result.value, services.policy) };
    },
  }),
  route({
    method: "GET",
    url: "/workspaces/:id",
    operationId: "getWorkspace",
    summary: "A workspace",
    responses: { 200: workspaceResponse("OK"), 404: workspaceNotFound },
    async handle({ services, principal, params }) {
      const result = await services.workspaces.get(principal, params.id ?? "");
      if (!result.ok) return serviceFailure(result.error);
      return { status: 200, body: serializeWorkspace(result.value, services.policy) };
    },
  }),
  ...(["stop", "start"] as const).map((action) =>
    route({
      method: "POST",
      url: `/workspaces/:id/${action}`,
      operationId: `${action}Workspace`,
      summary: `${action === "stop" ? "Stop" : "Start"} a workspace`,
      responses: {
        200: workspaceResponse(`Accepted: the workspace as it is now (${action}ing)`),
        400: { description: `The workspace is not in a state that can ${action}` },
        404: workspaceNotFound,
      },
      async handle({ services, principal, params }) {
        const result = await services.workspaces[action](
          principal,
          params.id ?? "",
          principal.tokenId,
        );
        if (!result.ok) return serviceFailure(result.error);
        return { status: 200, body: serializeWorkspace(result.value, services.policy) };
      },
    }),
  ),
  route({
    method: "DELETE",
    url: "/workspaces/:id",
    operationId: "deleteWorkspace",
    summary: "Delete a workspace (its machine is destroyed in the background)",
    responses: { 204: { description: "Deleted" }, 404: workspaceNotFound },
    async handle({ services, principal, params }) {
      const result = await services.workspaces.delete(
        principal,
        params.id ?? "",
        principal.tokenId,
      );
      if (!result.ok) return serviceFailure(result.error);
      return { status: 204 };
    },
  }),
  ...watchRoutes,
  ...teamRoutes,
  ...eventRoutes,
  ...webhookRoutes,
  route({
    method: "GET",
    url: "/user/settings",
    operationId: "getSettings",
    summary: "Your settings: default_hardware, over the system default",
    responses: { 200: { description: "OK", schema: settingsSchema } },
    async handle({ services, principal }) {
      return { status: 200, body: serializeSettings(principal.user, services.policy) };
    },
  }),
  route({
    method: "PUT",
    url: "/user/settings",
    operationId: "updateSettings",
    summary:
      "Replace default_hardware (fields left out fall back to the system default; {} resets); it must be a valid configuration",
    body: updateSettingsRequestSchema,
    responses: {
      200: { description: "The new settings", schema: settingsSchema },
      400: { description: "Invalid hardware, unknown keys, wrong types, malformed JSON" },
    },
    async handle({ services, principal, body }) {
      const result = await services.users.replaceSettings(principal.user, {
        defaultHardware: fromWireHardware(body.default_hardware),
        defaultAutoStopMinutes: body.default_auto_stop_minutes ?? null,
      });
      if (!result.ok) return serviceFailure(result.error);
      return { status: 200, body: serializeSettings(result.value, services.policy) };
    },
  }),
];
