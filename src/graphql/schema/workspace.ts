import { GraphQLError } from "graphql";
import type { Workspace as WorkspaceRow } from "../../generated/prisma/client.js";
import { POLICY_RULES } from "../../services/workspace-policy.js";
import {
  nextStatus,
  statusesAllowing,
  USER_ACTIONS,
  type UserAction,
  type WatchedWorkspace,
} from "../../services/workspace-status.js";
import { builder } from "../builder.js";
import { requireCaller } from "../context.js";
import { createRefusal } from "../create-limit.js";
import { WorkspaceStatus } from "./enums.js";
import {
  ForbiddenError,
  IdempotencyConflictError,
  InvalidHardwareError,
  InvalidInputError,
  InvalidTransitionError,
  ProjectNotFoundError,
  QuotaExceededError,
  RateLimitedError,
  unwrap,
  WorkspaceNotFoundError,
} from "./errors.js";
import { Hardware, HardwareInput, hardwareRequest } from "./hardware.js";
import { Node } from "./node.js";
import { LabelInput, labelsFromInput } from "./policy-types.js";
import { DateTime } from "./scalars.js";

export const Workspace = builder.prismaObject("Workspace", {
  description: "A cloud development workspace: a machine for a project, with its lifecycle status.",
  interfaces: [Node],
  fields: (t) => ({
    id: t.exposeID("id", {
      description: "The workspace's UUID, the same as REST's `id`; also its Node id.",
    }),
    projectId: t.exposeID("projectId", { description: "The id of the project it belongs to." }),
    project: t.relation("project", { description: "The project it belongs to." }),
    status: t.field({
      type: WorkspaceStatus,
      description: "Where it is in its lifecycle (see WorkspaceStatus).",
      // The last event of a workspaceStatus stream carries "deleted".
      resolve: (workspace) => (workspace as WatchedWorkspace).status,
    }),
    hardware: t.field({
      type: Hardware,
      description: "The machine it runs on, as created (defaults filled in).",
      resolve: (workspace) => workspace,
    }),
    keepActive: t.exposeBoolean("keepActive", {
      description:
        "false: stopped automatically after IDLE_TIMEOUT_MINUTES without activity; true: runs until stopped.",
    }),
    machineId: t.exposeString("machineId", {
      nullable: true,
      description: "The provider's machine id; null until the workspace is STARTING.",
    }),
    privateIp: t.exposeString("privateIp", {
      nullable: true,
      description: "The machine's private network address; null until the workspace is RUNNING.",
    }),
    gitRef: t.exposeString("gitRef", {
      nullable: true,
      description:
        "The git commit (or ref) the workspace checked out; null until the workspace is RUNNING.",
    }),
    previewToken: t.exposeString("previewToken", {
      description:
        "The secret that opens the workspace's preview URL: `ptk_` and at least 128 random bits. Keep it like a password.",
    }),
    errorMessage: t.exposeString("errorMessage", {
      nullable: true,
      description: "Why the last step failed (status ERROR or STOP_FAILED); null otherwise.",
    }),
    createdAt: t.expose("createdAt", { type: DateTime, description: "When it was created." }),
    updatedAt: t.expose("updatedAt", {
      type: DateTime,
      description: "When it last changed (every status change updates it).",
    }),
  }),
});

builder.queryField("workspace", (t) =>
  t.prismaField({
    type: Workspace,
    nullable: true,
    description: "A workspace of yours; null when there is none with this id (or it is not yours).",
    args: { id: t.arg.id({ required: true, description: "The workspace's id." }) },
    resolve: async (query, _root, { id }, context) => {
      // `query` is the selection Pothos planned: nested fields load in the same statement.
      const found = await context.services.workspaces.get(requireCaller(context), id, { ...query });
      return found.ok ? found.value : null;
    },
  }),
);

const CreateWorkspaceInput = builder.inputType("CreateWorkspaceInput", {
  description: "What to create. Any field left out or null takes its default.",
  fields: (t) => ({
    projectId: t.id({
      required: true,
      description: "The project to create it in (one of yours, else ProjectNotFoundError).",
    }),
    hardware: t.field({
      type: HardwareInput,
      description:
        "Merged over your default hardware: each field left out or null comes from your defaultHardware, then the system default. Left out or null as a whole: your default hardware.",
    }),
    keepActive: t.boolean({
      description:
        "Left out or null: false (stopped after IDLE_TIMEOUT_MINUTES idle). true: runs until stopped (the legacy spelling of autoStopMinutes 0; giving both when they disagree is an InvalidInputError).",
    }),
    autoStopMinutes: t.int({
      description: `Idle minutes before an automatic stop: ${POLICY_RULES.autoStopMinutes}. Left out or null: your defaultAutoStopMinutes.`,
    }),
    maxRunMinutes: t.int({
      description: `Minutes running before an automatic stop however busy: ${POLICY_RULES.maxRunMinutes}. Left out or null: 0.`,
    }),
    autoDeleteMinutes: t.int({
      description: `Minutes stopped before an automatic delete: ${POLICY_RULES.autoDeleteMinutes}. Left out or null: never.`,
    }),
    labels: t.field({
      type: [LabelInput],
      description: `Its labels (${POLICY_RULES.labels}). Left out or null: none.`,
    }),
    idempotencyKey: t.string({
      description:
        "1 to 255 characters, else InvalidInputError. The same key with the same input answers " +
        "the first create's workspace as it is now (replayed: true) and creates nothing; with " +
        "different input, IdempotencyConflictError. Kept for at least 24 hours; shared with REST's " +
        "Idempotency-Key.",
    }),
  }),
});

/** Workspaces answered by a replay (the success type's `replayed` reads it). */
const replayedWorkspaces = new WeakSet<WorkspaceRow>();

builder.mutationField("createWorkspace", (t) =>
  t.field({
    type: Workspace,
    description:
      "Creates a workspace (status CREATING); the lifecycle engine starts it. Every failure a client can act on is a member of the result union.",
    args: {
      input: t.arg({ type: CreateWorkspaceInput, required: true, description: "What to create." }),
    },
    errors: {
      types: [
        InvalidHardwareError,
        ProjectNotFoundError,
        IdempotencyConflictError,
        InvalidInputError,
        QuotaExceededError,
        RateLimitedError,
        ForbiddenError,
      ],
      union: {
        name: "CreateWorkspaceResult",
        description: "The created (or replayed) workspace, or why nothing was created.",
      },
      result: {
        name: "CreateWorkspaceSuccess",
        description: "The workspace was created, or this was a replay of its create.",
        fields: (t) => ({
          replayed: t.boolean({
            description:
              "true: an earlier create with the same idempotencyKey made this workspace, and it is answered as it is now (nothing new was created); false: created by this request.",
            resolve: (workspace) => replayedWorkspaces.has(workspace),
          }),
        }),
      },
      dataField: {
        name: "workspace",
        description: "The workspace, as it is now (a replay never answers an older state).",
      },
    },
    resolve: async (_root, { input }, context) => {
      // Unauthenticated first: nothing else is told to a caller without a valid token.
      const caller = requireCaller(context);
      const refusal = createRefusal(context);
      if (refusal) throw new RateLimitedError(refusal.message, refusal.retryAfterSeconds);
      const hardware = input.hardware && hardwareRequest(input.hardware);
      const labels = input.labels ? labelsFromInput(input.labels, "labels") : { labels: null };
      if ("issue" in labels) throw new InvalidInputError("invalid input", [labels.issue]);
      const created = await context.services.workspaces.create(
        caller,
        {
          projectId: input.projectId,
          hardware,
          keepActive: input.keepActive,
          autoStopMinutes: input.autoStopMinutes,
          maxRunMinutes: input.maxRunMinutes,
          autoDeleteMinutes: input.autoDeleteMinutes,
          labels: labels.labels,
          idempotencyKey: input.idempotencyKey,
        },
        context.tokenId ?? null,
      );
      const { workspace, replayed } = unwrap(created);
      if (!replayed) return workspace;
      // The stored response is the workspace as it was then; clients' caches must not go back.
      const now = await context.services.workspaces.get(requireCaller(context), workspace.id);
      // Deleted since: the stored answer is all there is.
      const current = now.ok ? now.value : workspace;
      replayedWorkspaces.add(current);
      return current;
    },
  }),
);

const ACTIONS = {
  start: { field: "startWorkspace", typePrefix: "StartWorkspace", verb: "Starts" },
  stop: { field: "stopWorkspace", typePrefix: "StopWorkspace", verb: "Stops" },
} as const satisfies Record<UserAction, { field: string; typePrefix: string; verb: string }>;

/** "Starts a workspace that is STOPPED or ERROR (it is STARTING then)", from the transitions. */
function actionDescription(action: UserAction): string {
  const from = statusesAllowing(action);
  const to = from[0] && nextStatus(from[0], action);
  const statuses = from.map((status) => status.toUpperCase()).join(" or ");
  return `${ACTIONS[action].verb} a workspace that is ${statuses} (it is ${to?.toUpperCase()} then).`;
}

for (const action of USER_ACTIONS) {
  const { field, typePrefix } = ACTIONS[action];
  builder.mutationField(field, (t) =>
    t.field({
      type: Workspace,
      description: actionDescription(action),
      args: { id: t.arg.id({ required: true, description: "The workspace's id." }) },
      errors: {
        types: [WorkspaceNotFoundError, InvalidTransitionError, ForbiddenError],
        union: {
          name: `${typePrefix}Result`,
          description: `The workspace after ${field}, or why it did not happen.`,
        },
        result: { name: `${typePrefix}Success`, description: `${field} was accepted.` },
        dataField: {
          name: "workspace",
          description: "The workspace, in the status the action moved it to.",
        },
      },
      resolve: async (_root, { id }, context) =>
        unwrap(
          await context.services.workspaces[action](requireCaller(context), id, context.tokenId),
        ),
    }),
  );
}

builder.mutationField("deleteWorkspace", (t) =>
  t.id({
    description:
      "Deletes a workspace: gone for you at once; its machine is destroyed in the background.",
    args: { id: t.arg.id({ required: true, description: "The workspace's id." }) },
    errors: {
      types: [WorkspaceNotFoundError, ForbiddenError],
      union: {
        name: "DeleteWorkspaceResult",
        description: "The deleted workspace's id, or why nothing was deleted.",
      },
      result: { name: "DeleteWorkspaceSuccess", description: "The workspace is deleted." },
      dataField: {
        name: "deletedWorkspaceId",
        description: "The id of the workspace deleted (evict it from client caches).",
      },
    },
    resolve: async (_root, { id }, context) =>
      unwrap(await context.services.workspaces.delete(requireCaller(context), id, context.tokenId))
        .id,
  }),
);

builder.subscriptionField("workspaceStatus", (t) =>
  t.field({
    type: Workspace,
    description:
      "The workspace as it is now, then every change in order. When the workspace is deleted, one last event with status DELETED, then the stream completes.",
    args: { id: t.arg.id({ required: true, description: "The workspace's id." }) },
    // The watch itself: its return() ends it at once (a reader waiting for the next change is
    // answered done, its bus listener and membership hold go), so no wrapper or signal of its own.
    subscribe: async (_root, { id }, context) => {
      const stream = await context.services.workspaces.watch(
        requireCaller(context),
        id,
        context.shutdown,
      );
      // Someone else's workspace and a missing one read the same.
      if (!stream.ok) {
        throw new GraphQLError(stream.error.message, { extensions: { code: "NOT_FOUND" } });
      }
      return stream.value;
    },
    resolve: (workspace) => workspace as never,
  }),
);

/**
 * An iterable over the stream `open(signal)` resolves to, that aborts `signal` as soon as the
 * consumer stops (client gone, socket closed): an async generator would only see its `return()`
 * after the next event. A failure to open (not found) rejects before the first event.
 */
export async function abortOnReturn<T>(
  open: (signal: AbortSignal) => Promise<AsyncIterable<T>>,
): Promise<AsyncIterableIterator<T>> {
  const controller = new AbortController();
  const iterator = (await open(controller.signal))[Symbol.asyncIterator]();
  const stop = async (): Promise<IteratorResult<T>> => {
    controller.abort();
    await iterator.return?.();
    return { done: true, value: undefined };
  };
  const stream: AsyncIterableIterator<T> = {
    next: () => iterator.next(),
    return: stop,
    throw: stop,
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}
