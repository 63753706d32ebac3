/**
 * Routes that follow a workspace as it changes: a long-poll wait and an event stream. Both read
 * `services.workspaces.watch` (snapshot, then every change, then "deleted"), which sits on the
 * status bus: a waiting request holds no database connection.
 */
import { z } from "zod";
import { releaseDatabaseShare } from "../http/caller-shares.js";
import { eventJson, type WorkspaceStreamItem } from "../services/events.js";
import { errors } from "../services/result.js";
import { authenticationRefusal } from "../services/token-format.js";
import type { WorkspacePolicy } from "../services/workspace-policy.js";
import { isTransitional, type WatchedWorkspace } from "../services/workspace-status.js";
import { errorOutcome, type Outcome, serviceFailure } from "./errors.js";
import type { ServerSentEvent } from "./event-stream.js";
import type { ResponseDoc, RestRoute } from "./routes.js";
import { type WaitQuery, waitQuerySchema, workspaceSchema } from "./schemas.js";
import { serializeWorkspace } from "./serialize.js";

// routes.ts spreads these into its table, so only types come from there (no import cycle).
const route = <Body, Query = unknown>(definition: RestRoute<Body, Query>): RestRoute =>
  definition as RestRoute;

const workspaceNotFound: ResponseDoc = {
  description:
    "Not a UUID, no such workspace, another user's, or deleted (before or during the wait): one identical body",
};

/** Whether a wait for `target` (undefined: any settled status) is over at `status`. */
function waitIsOver(status: WatchedWorkspace["status"], target: string | undefined): boolean {
  return status === target || (status !== "deleted" && !isTransitional(status));
}

async function* workspaceEvents(
  items: AsyncGenerator<WorkspaceStreamItem>,
  policy: WorkspacePolicy,
): AsyncGenerator<ServerSentEvent> {
  for await (const item of items) {
    if (item.kind === "event") {
      yield { event: "event", id: item.event.id, data: eventJson(item.event) };
      continue;
    }
    const deleted = item.workspace.status === "deleted";
    yield {
      event: deleted ? "deleted" : "workspace",
      id: item.eventId,
      data: serializeWorkspace(item.workspace, policy),
    };
  }
}

const resumeQuerySchema = z.object({
  after: z
    .string()
    .optional()
    .describe("An event's id: resume after it (as Last-Event-ID; the header wins)"),
});
type ResumeQuery = z.output<typeof resumeQuerySchema>;

export const watchRoutes: readonly RestRoute[] = [
  route<undefined, WaitQuery>({
    method: "GET",
    url: "/workspaces/:id/wait",
    operationId: "waitForWorkspace",
    summary:
      "Long-poll: the workspace once it has `status` or a settled one (running, stopped, error, stop_failed), or at the timeout",
    query: waitQuerySchema,
    responses: {
      200: {
        description: "It has the status asked for, or a settled one",
        schema: workspaceSchema,
      },
      400: { description: "A bad status or timeout" },
      404: workspaceNotFound,
      408: {
        description: "The timeout passed first: the workspace as it is now",
        schema: workspaceSchema,
      },
      503: {
        description:
          "The server is shutting down (ask again: another replica will answer), or the database cannot be reached; retry after Retry-After",
        headers: { "Retry-After": { description: "Seconds", schema: z.string(), required: true } },
      },
    },
    async handle({ services, principal, params, query, signal, request }): Promise<Outcome> {
      const deadline = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const watched = await services.workspaces.watch(
        principal,
        params.id ?? "",
        AbortSignal.any([signal, deadline.signal]),
      );
      if (!watched.ok) return serviceFailure(watched.error);
      let last: WatchedWorkspace | undefined;
      try {
        for await (const workspace of watched.value) {
          if (workspace.status === "deleted") break;
          if (!timer) {
            // Read: from here on it waits on the status bus, holding no database connection.
            releaseDatabaseShare(request.raw);
            // Counted from the first read, so that even a tiny timeout answers with the workspace.
            timer = setTimeout(() => deadline.abort(), query.timeout * 1000);
          }
          last = workspace;
          if (waitIsOver(workspace.status, query.status)) {
            return { status: 200, body: serializeWorkspace(workspace, services.policy) };
          }
        }
      } finally {
        clearTimeout(timer);
      }
      // The token was revoked while waiting: refused like any request with it.
      if (signal.aborted && services.revocations.isRevoked(principal)) {
        const { message, challenge } = authenticationRefusal(request.headers.authorization);
        return errorOutcome(401, message, [], { "www-authenticate": challenge });
      }
      // The client is gone (nobody reads this) or the server is closing.
      if (signal.aborted) {
        return errorOutcome(503, "the server is shutting down; try again", [], {
          "retry-after": "1",
        });
      }
      if (last && deadline.signal.aborted)
        return { status: 408, body: serializeWorkspace(last, services.policy) };
      // Deleted before or while waiting.
      return serviceFailure(errors.workspaceNotFound());
    },
  }),
  route<undefined, ResumeQuery>({
    method: "GET",
    url: "/workspaces/:id/events",
    operationId: "workspaceEvents",
    summary:
      "Server-Sent Events: the workspace now, then every change; `event: deleted` last when it is deleted. Resumes after Last-Event-ID (or ?after=)",
    query: resumeQuerySchema,
    headers: {
      "Last-Event-ID": {
        description:
          "Resume after this event id (EventSource sends the last `id:` it saw on reconnect)",
        schema: z.string(),
      },
    },
    responses: {
      200: {
        description:
          "text/event-stream. Each `event: workspace` carries the workspace object (as GET /workspaces/{id} answers it) as JSON data, the first one the workspace as it is now; when the workspace is deleted a last `event: deleted` (the workspace with status `deleted`) ends the stream. Every message has an `id:`: for a workspace, the id of the newest event of the log (GET /workspaces/{id}/history) it reflects. Resuming (Last-Event-ID or ?after=), the events missed since that id come first, each as `event: event` with the event object (as the history pages hold them) and its id, then the workspace now and every change: nothing missed, nothing twice. A comment line (`: keep-alive`) every 15 s keeps idle connections open.",
        contentType: "text/event-stream",
        schema: z.string(),
      },
      400: { description: "A Last-Event-ID or `after` that is not an event id of this project" },
      404: workspaceNotFound,
      410: {
        description: "The cursor is older than EVENT_RETENTION_DAYS: events after it were removed",
      },
    },
    async handle({ services, principal, params, query, request, signal }): Promise<Outcome> {
      const header = request.headers["last-event-id"];
      const lastEventId = (Array.isArray(header) ? header[0] : header) || query.after;
      const items = await services.events.followWorkspace(
        principal,
        params.id ?? "",
        lastEventId,
        signal,
      );
      if (!items.ok) return serviceFailure(items.error);
      return { status: 200, events: workspaceEvents(items.value, services.policy) };
    },
  }),
];
