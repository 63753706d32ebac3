/**
 * The workspace event log in GraphQL (issue 18): WorkspaceEvent, `Workspace.history`,
 * `Project.events` and `Subscription.projectEvents`. Reading, ordering and retention are
 * services/events.ts; the REST twin is rest/event-routes.ts.
 *
 * The two connections page forward only (the log is read oldest first, resumed "after" a cursor),
 * so they take `first` and `after`, checked like every connection's (1 to MAX_PAGE_SIZE,
 * BAD_USER_INPUT otherwise).
 */
import { GraphQLError } from "graphql";
import type {
  Project as ProjectRow,
  Workspace as WorkspaceRow,
} from "../../generated/prisma/client.js";
import type { WorkspaceEvent as Event, EventScope } from "../../services/events.js";
import { builder } from "../builder.js";
import { CONNECTION_ARG_DESCRIPTIONS, readSlice } from "../connections.js";
import type { GraphQLContext } from "../context.js";
import { requireCaller } from "../context.js";
import { WorkspaceStatus } from "./enums.js";
import { unwrap } from "./errors.js";
import { Project } from "./project.js";
import { DateTime } from "./scalars.js";
import { abortOnReturn, Workspace } from "./workspace.js";

export const WorkspaceEventType = builder.enumType("WorkspaceEventType", {
  description: "What happened to the workspace (REST: `workspace.<value in lower case>`).",
  values: {
    CREATED: { value: "created", description: "It was created." },
    STATUS_CHANGED: {
      value: "status_changed",
      description: "Its status changed: fromStatus → toStatus.",
    },
    UPDATED: {
      value: "updated",
      description: "A setting of it changed (updateWorkspace, PATCH): see changes.",
    },
    DELETED: {
      value: "deleted",
      description: "It was deleted (by a user, or by its auto-delete policy). Its last event.",
    },
  } as const,
});

export const WorkspaceEventReason = builder.enumType("WorkspaceEventReason", {
  description: "Why it happened.",
  values: {
    REQUESTED: { value: "requested", description: "A user asked for it (actor says who)." },
    ENGINE: {
      value: "engine",
      description: "The lifecycle engine carried out an earlier request (a start reached RUNNING).",
    },
    IDLE: {
      value: "idle",
      description: "Stopped after its idle time (autoStopMinutes, IDLE_TIMEOUT_MINUTES).",
    },
    MAX_RUN: { value: "max_run", description: "Stopped after its maximum run time." },
    AUTO_DELETE: { value: "auto_delete", description: "Deleted by its auto-delete policy." },
    PROVIDER_ERROR: {
      value: "provider_error",
      description: "The machine provider failed a step (status ERROR or STOP_FAILED).",
    },
  } as const,
});

export const ActorType = builder.enumType("WorkspaceEventActorType", {
  description: "Who acted: a user (through an API token) or the system itself.",
  values: {
    USER: { value: "user", description: "A user; userId and tokenId say who and with what." },
    SYSTEM: {
      value: "system",
      description: "The service on its own (lifecycle engine, policies).",
    },
  } as const,
});

const Actor = builder.objectRef<Event["actor"]>("WorkspaceEventActor").implement({
  description: "Who made a change.",
  fields: (t) => ({
    type: t.field({
      type: ActorType,
      description: "A user or the system.",
      resolve: (actor) => actor.type,
    }),
    userId: t.exposeID("userId", {
      nullable: true,
      description: "The user's id; null for the system.",
    }),
    tokenId: t.exposeID("tokenId", {
      nullable: true,
      description:
        "The id of the API token the user acted with; null for the system (and over WebSocket, which does not record it).",
    }),
  }),
});

interface FieldChange {
  field: string;
  from?: unknown;
  to: unknown;
}

const FieldChangeRef = builder.objectRef<FieldChange>("WorkspaceFieldChange").implement({
  description:
    "One setting an UPDATED event changed: its value before and after (REST: `changes: {field: {from, to}}`).",
  fields: (t) => ({
    field: t.exposeString("field", {
      description: 'The Workspace field, in GraphQL\'s name ("autoStopMinutes", "labels").',
    }),
    from: t.string({
      nullable: true,
      description:
        "The value before as JSON text (as `to`); null when the log did not record it (events written before it kept values before).",
      resolve: (change) => (change.from === undefined ? null : JSON.stringify(change.from)),
    }),
    to: t.string({
      description:
        'The new value as JSON text: `30`, `null`, `true`, or for labels an object `{"team":"web"}`.',
      resolve: (change) => JSON.stringify(change.to ?? null),
    }),
  }),
});

/** REST (database) names to GraphQL's: auto_stop_minutes → autoStopMinutes. */
const graphqlName = (field: string) =>
  field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

export const WorkspaceEvent = builder.objectRef<Event>("WorkspaceEvent").implement({
  description:
    "One committed change of a workspace, with who made it and why (REST: the objects of GET /projects/{id}/events). Events of a project are numbered in commit order: resuming after an event's id never skips or repeats one.",
  fields: (t) => ({
    id: t.exposeID("id", {
      description:
        "The event's cursor (opaque, unique within its project): pass it as `after` to Project.events, Workspace.history or projectEvents to resume after it. The same as REST's `id` and SSE's `id:`.",
    }),
    type: t.field({
      type: WorkspaceEventType,
      description: "What happened.",
      resolve: (event) => event.type,
    }),
    workspaceId: t.exposeID("workspaceId", { description: "The workspace it happened to." }),
    projectId: t.exposeID("projectId", { description: "The workspace's project." }),
    at: t.field({ type: DateTime, description: "When it committed.", resolve: (e) => e.at }),
    fromStatus: t.field({
      type: WorkspaceStatus,
      nullable: true,
      description: "STATUS_CHANGED: the status before; null for other types.",
      resolve: (event) => (event.type === "status_changed" ? event.fromStatus : null),
    }),
    toStatus: t.field({
      type: WorkspaceStatus,
      nullable: true,
      description: "STATUS_CHANGED: the status after; null for other types.",
      resolve: (event) => (event.type === "status_changed" ? event.toStatus : null),
    }),
    actor: t.field({ type: Actor, description: "Who did it.", resolve: (event) => event.actor }),
    reason: t.field({
      type: WorkspaceEventReason,
      description: "Why.",
      resolve: (event) => event.reason,
    }),
    changes: t.field({
      type: [FieldChangeRef],
      description: "UPDATED: the settings that changed, from what to what; empty otherwise.",
      resolve: (event) =>
        event.type === "updated"
          ? Object.entries(event.changes ?? {}).map(([field, change]) => ({
              field: graphqlName(field),
              ...change,
            }))
          : [],
    }),
  }),
});

const EventConnection = builder.connectionObject(
  {
    type: WorkspaceEvent,
    name: "WorkspaceEventConnection",
    description: "A page of workspace events, oldest first.",
  },
  { name: "WorkspaceEventEdge", description: "One event of a page, with its cursor." },
);

const FIRST_DESCRIPTION = CONNECTION_ARG_DESCRIPTIONS.first.replace(" Not with `last`.", "");
const AFTER_DESCRIPTION =
  "Only events after this one (an event's id, an edge's cursor or pageInfo.endCursor). An id older than EVENT_RETENTION_DAYS is a CURSOR_EXPIRED error, never a silent gap.";

/** One page of `scope`'s events as a connection. */
async function eventPage(
  scope: EventScope,
  args: { first?: number | null; after?: string | null },
  context: GraphQLContext,
) {
  // The same first rules (and messages) as every connection; `after` is the log's own cursor.
  const { size } = readSlice({ first: args.first });
  const page = unwrap(
    await context.services.events.page(scope, { limit: size, after: args.after ?? undefined }),
  );
  const edges = page.events.map((node) => ({ cursor: node.id, node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.next !== null,
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

builder.objectField(Workspace, "history", (t) =>
  t.field({
    type: EventConnection,
    description:
      "Its events, oldest first: every change with who made it and why, from before you looked (kept EVENT_RETENTION_DAYS).",
    args: {
      first: t.arg.int({ description: FIRST_DESCRIPTION }),
      after: t.arg.string({ description: AFTER_DESCRIPTION }),
    },
    // The parent was read with the caller's rights: its own project's log, this workspace only.
    resolve: (workspace: WorkspaceRow, args, context) =>
      eventPage({ projectId: workspace.projectId, workspaceId: workspace.id }, args, context),
  }),
);

builder.objectField(Project, "events", (t) =>
  t.field({
    type: EventConnection,
    description:
      "Its workspaces' events, oldest first, in commit order (kept EVENT_RETENTION_DAYS). Continue live with Subscription.projectEvents(after: endCursor).",
    args: {
      first: t.arg.int({ description: FIRST_DESCRIPTION }),
      after: t.arg.string({ description: AFTER_DESCRIPTION }),
    },
    resolve: (project: ProjectRow, args, context) =>
      eventPage({ projectId: project.id }, args, context),
  }),
);

builder.subscriptionField("projectEvents", (t) =>
  t.field({
    type: WorkspaceEvent,
    description:
      "The project's workspace events after `after` (replayed from the log), then each new one as it commits: no gap and no duplicate where the replay ends. Without `after`, only new ones. Another user's or a missing project: a NOT_FOUND error; an id older than EVENT_RETENTION_DAYS: CURSOR_EXPIRED.",
    args: {
      projectId: t.arg.id({ required: true, description: "The project's id." }),
      after: t.arg.string({
        description:
          "Resume after this event's id (the last one you received, or Project.events' endCursor).",
      }),
    },
    subscribe: (_root, { projectId, after }, context) =>
      abortOnReturn(async (signal) => {
        const scope = await context.services.events.scopeFor(requireCaller(context), {
          projectId,
        });
        // Someone else's project and a missing one read the same.
        if (!scope.ok) {
          throw new GraphQLError(scope.error.message, { extensions: { code: "NOT_FOUND" } });
        }
        const stream = await context.services.events.open(
          scope.value,
          after ?? undefined,
          AbortSignal.any([signal, context.shutdown]),
        );
        return unwrap(stream);
      }),
    resolve: (event) => event as Event,
  }),
);
