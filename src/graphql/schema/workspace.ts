import { GraphQLError } from "graphql";
import {
  nextStatus,
  statusesAllowing,
  USER_ACTIONS,
  type UserAction,
  type WatchedWorkspace,
} from "../../services/workspace-status.js";
import { builder } from "../builder.js";
import { requireViewer } from "../context.js";
import { WorkspaceStatus } from "./enums.js";
import {
  IdempotencyConflictError,
  InvalidHardwareError,
  InvalidTransitionError,
  ProjectNotFoundError,
  unwrap,
  WorkspaceNotFoundError,
} from "./errors.js";
import { Hardware, HardwareInput, hardwareRequest } from "./hardware.js";
import { DateTime } from "./scalars.js";

export const Workspace = builder.prismaObject("Workspace", {
  description: "A cloud development workspace: a machine for a project, with its lifecycle status.",
  fields: (t) => ({
    id: t.exposeID("id"),
    projectId: t.exposeID("projectId"),
    project: t.relation("project"),
    status: t.field({
      type: WorkspaceStatus,
      // The last event of a workspaceStatus stream carries "deleted".
      resolve: (workspace) => (workspace as WatchedWorkspace).status,
    }),
    hardware: t.field({ type: Hardware, resolve: (workspace) => workspace }),
    keepActive: t.exposeBoolean("keepActive", {
      description: "false: stopped automatically after the idle timeout",
    }),
    machineId: t.exposeString("machineId", { nullable: true }),
    privateIp: t.exposeString("privateIp", { nullable: true }),
    gitRef: t.exposeString("gitRef", { nullable: true }),
    previewToken: t.exposeString("previewToken"),
    errorMessage: t.exposeString("errorMessage", { nullable: true }),
    createdAt: t.expose("createdAt", { type: DateTime }),
    updatedAt: t.expose("updatedAt", { type: DateTime }),
  }),
});

builder.queryField("workspace", (t) =>
  t.prismaField({
    type: Workspace,
    nullable: true,
    description: "A workspace of yours; null when there is none with this id (or it is not yours).",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, context) => {
      const viewer = requireViewer(context);
      // `query` is the selection Pothos planned: nested fields load in the same statement.
      const found = await context.services.workspaces.get(viewer.id, id, { ...query });
      return found.ok ? found.value : null;
    },
  }),
);

const CreateWorkspaceInput = builder.inputType("CreateWorkspaceInput", {
  fields: (t) => ({
    projectId: t.id({ required: true }),
    hardware: t.field({
      type: HardwareInput,
      description: "Left out or null: your default hardware",
    }),
    keepActive: t.boolean({ description: "Default false: stopped after the idle timeout" }),
    idempotencyKey: t.string({
      description:
        "Up to 255 characters. The same key with the same input returns the first result; " +
        "with different input, IdempotencyConflictError. Kept for at least 24 hours.",
    }),
  }),
});

builder.mutationField("createWorkspace", (t) =>
  t.field({
    type: Workspace,
    description: "Creates a workspace (status CREATING); the lifecycle engine starts it.",
    args: { input: t.arg({ type: CreateWorkspaceInput, required: true }) },
    errors: {
      types: [InvalidHardwareError, ProjectNotFoundError, IdempotencyConflictError],
      union: { name: "CreateWorkspaceResult" },
      result: { name: "CreateWorkspaceSuccess" },
      dataField: { name: "workspace" },
    },
    resolve: async (_root, { input }, context) => {
      const viewer = requireViewer(context);
      const hardware = input.hardware && hardwareRequest(input.hardware);
      const created = await context.services.workspaces.create(viewer, {
        projectId: input.projectId,
        hardware,
        keepActive: input.keepActive,
        idempotencyKey: input.idempotencyKey,
      });
      return unwrap(created).workspace;
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
      args: { id: t.arg.id({ required: true }) },
      errors: {
        types: [WorkspaceNotFoundError, InvalidTransitionError],
        union: { name: `${typePrefix}Result` },
        result: { name: `${typePrefix}Success` },
        dataField: { name: "workspace" },
      },
      resolve: async (_root, { id }, context) =>
        unwrap(await context.services.workspaces[action](requireViewer(context).id, id)),
    }),
  );
}

builder.mutationField("deleteWorkspace", (t) =>
  t.id({
    description:
      "Deletes a workspace: gone for you at once; its machine is destroyed in the background.",
    args: { id: t.arg.id({ required: true }) },
    errors: {
      types: [WorkspaceNotFoundError],
      union: { name: "DeleteWorkspaceResult" },
      result: { name: "DeleteWorkspaceSuccess" },
      dataField: { name: "deletedWorkspaceId" },
    },
    resolve: async (_root, { id }, context) =>
      unwrap(await context.services.workspaces.delete(requireViewer(context).id, id)).id,
  }),
);

builder.subscriptionField("workspaceStatus", (t) =>
  t.field({
    type: Workspace,
    description:
      "The workspace as it is now, then every change in order. When the workspace is deleted, one last event with status DELETED, then the stream completes.",
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_root, { id }, context) =>
      abortOnReturn(async (signal) => {
        const stream = await context.services.workspaces.watch(
          requireViewer(context).id,
          id,
          AbortSignal.any([signal, context.shutdown]),
        );
        // Someone else's workspace and a missing one read the same.
        if (!stream.ok) {
          throw new GraphQLError(stream.error.message, { extensions: { code: "NOT_FOUND" } });
        }
        return stream.value;
      }),
    resolve: (workspace) => workspace as never,
  }),
);

/**
 * An iterable over the stream `open(signal)` resolves to, that aborts `signal` as soon as the
 * consumer stops (client gone, socket closed): an async generator would only see its `return()`
 * after the next event. A failure to open (not found) rejects before the first event.
 */
async function abortOnReturn<T>(
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
