/**
 * The workspace event log over REST (issue 18): pages of a workspace's history and of a project's
 * events, and the project's events as Server-Sent Events that resume from `Last-Event-ID` (or
 * `?after=`). The ordering rule that makes resuming exact lives in services/events.ts.
 */
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import {
  WorkspaceEventReason,
  WorkspaceEventType,
  WorkspaceStatus,
} from "../generated/prisma/enums.js";
import { EVENT_PAGE_MAX, eventJson, type WorkspaceEvent } from "../services/events.js";
import { type Outcome, serviceFailure } from "./errors.js";
import type { ServerSentEvent } from "./event-stream.js";
import type { ResponseDoc, RestRoute } from "./routes.js";

// routes.ts spreads these into its table, so only types come from there (no import cycle).
const route = <Body, Query = unknown>(definition: RestRoute<Body, Query>): RestRoute =>
  definition as RestRoute;

const LIMIT_RULE = `limit must be a whole number from 1 to ${EVENT_PAGE_MAX}`;

export const eventQuerySchema = z.object({
  limit: z.coerce
    .number({ error: LIMIT_RULE })
    .int({ error: LIMIT_RULE })
    .min(1, { error: LIMIT_RULE })
    .max(EVENT_PAGE_MAX, { error: LIMIT_RULE })
    .optional()
    .describe(`Page size, 1 to ${EVENT_PAGE_MAX}; default ${EVENT_PAGE_MAX}`),
  after: z.string().optional().describe("An event's id: only events after it"),
});
type EventQuery = z.output<typeof eventQuerySchema>;

/** The event as REST sends it (JSON pages, SSE data, webhook bodies): one wire format. */
export const serializeEvent = eventJson;

function page(
  request: FastifyRequest,
  query: EventQuery,
  events: WorkspaceEvent[],
  next: string | null,
): Outcome {
  const path = request.url.split("?", 1)[0];
  const nextUrl = `${path}?limit=${query.limit ?? EVENT_PAGE_MAX}&after=${next}`;
  return {
    status: 200,
    headers: next === null ? {} : { link: `<${nextUrl}>; rel="next"` },
    body: { events: events.map(serializeEvent), next },
  };
}

async function* asMessages(events: AsyncIterable<WorkspaceEvent>): AsyncGenerator<ServerSentEvent> {
  for await (const event of events) {
    yield {
      event: event.type === "deleted" ? "deleted" : "event",
      id: event.id,
      data: serializeEvent(event),
    };
  }
}

function wantsStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").includes("text/event-stream");
}

/** Where a stream resumes: Last-Event-ID (what EventSource sends on reconnect), else ?after=. */
function resumeFrom(request: FastifyRequest, query: EventQuery): string | undefined {
  const header = request.headers["last-event-id"];
  const lastEventId = Array.isArray(header) ? header[0] : header;
  return lastEventId || query.after;
}

/** serializeEvent's output, declared so /openapi.json describes the pages (and SSE data). */
const eventSchema = z.strictObject({
  id: z.string().describe("Unique across projects, ordered within one; resume after it"),
  type: z.enum(Object.values(WorkspaceEventType).map((type) => `workspace.${type}` as const)),
  workspace_id: z.uuid(),
  project_id: z.uuid(),
  at: z.iso.datetime(),
  from_status: z.enum(WorkspaceStatus).optional().describe("workspace.status_changed only"),
  to_status: z.enum(WorkspaceStatus).optional().describe("workspace.status_changed only"),
  actor: z.strictObject({
    type: z.enum(["user", "system"]),
    user_id: z.uuid().nullable(),
    token_id: z.uuid().nullable(),
  }),
  reason: z.enum(WorkspaceEventReason),
  changes: z
    .record(z.string(), z.object({ from: z.unknown().optional(), to: z.unknown() }))
    .optional()
    .describe("workspace.updated only: each changed field, before (when logged) and after"),
});

const pageResponse = (what: string): ResponseDoc => ({
  description: `${what}, oldest first: {"events": [...], "next": cursor or null}; Link rel="next" when there is more`,
  headers: { Link: { description: '<…?limit=n&after=c>; rel="next"', schema: z.string() } },
  schema: z.strictObject({ events: z.array(eventSchema), next: z.string().nullable() }),
});
const expired: ResponseDoc = {
  description: "The cursor is older than EVENT_RETENTION_DAYS: events after it were removed",
};

export const eventRoutes: readonly RestRoute[] = [
  route<undefined, EventQuery>({
    method: "GET",
    url: "/workspaces/:id/history",
    operationId: "workspaceHistory",
    summary: "A workspace's events (who and why of every change), oldest first",
    query: eventQuerySchema,
    responses: {
      200: pageResponse("The workspace's events"),
      400: { description: "A bad limit or cursor" },
      404: { description: "Not a UUID, no such workspace, another user's, or deleted" },
      410: expired,
    },
    async handle({ services, principal, params, query, request }) {
      const scope = await services.events.scopeFor(principal, {
        workspaceId: params.id ?? "",
      });
      if (!scope.ok) return serviceFailure(scope.error);
      const result = await services.events.page(scope.value, query);
      if (!result.ok) return serviceFailure(result.error);
      return page(request, query, result.value.events, result.value.next);
    },
  }),
  route<undefined, EventQuery>({
    method: "GET",
    url: "/projects/:id/events",
    operationId: "projectEvents",
    summary:
      "A project's workspace events: a JSON page, or with Accept: text/event-stream a stream that replays after Last-Event-ID (or ?after=) and goes on live",
    query: eventQuerySchema,
    headers: {
      "Last-Event-ID": {
        description: "Streams: resume after this event id (EventSource sends it on reconnect)",
        schema: z.string(),
      },
    },
    responses: {
      200: pageResponse(
        "The project's events (or, for text/event-stream, `id:` + `data:` per event)",
      ),
      400: { description: "A bad limit or cursor" },
      404: { description: "Not a UUID, no such project, or another user's" },
      410: expired,
    },
    async handle({ services, principal, params, query, request, signal }) {
      const scope = await services.events.scopeFor(principal, {
        projectId: params.id ?? "",
      });
      if (!scope.ok) return serviceFailure(scope.error);
      if (wantsStream(request)) {
        const stream = await services.events.open(scope.value, resumeFrom(request, query), signal);
        if (!stream.ok) return serviceFailure(stream.error);
        return { status: 200, events: asMessages(stream.value) };
      }
      const result = await services.events.page(scope.value, query);
      if (!result.ok) return serviceFailure(result.error);
      return page(request, query, result.value.events, result.value.next);
    },
  }),
];
