/**
 * Workspace policies and labels in GraphQL: the fields they add to Workspace and User (with
 * User.workspaces, the list across projects that labels filter), and updateWorkspace,
 * keepWorkspaceAlive, updateDefaultAutoStopMinutes. The rules are the
 * services' (services/workspace-policy.ts); REST's PATCH /workspaces/:id, POST
 * /workspaces/:id/keepalive and PUT /user/settings call the same functions.
 */
import type { Workspace as WorkspaceRow } from "../../generated/prisma/client.js";
import type { InputIssue } from "../../services/result.js";
import { labelList, labelsOf, POLICY_RULES } from "../../services/workspace-policy.js";
import type { UpdateWorkspaceInput as ServiceUpdate } from "../../services/workspaces.js";
import { builder } from "../builder.js";
import { resolveConnection } from "../connections.js";
import { requireCaller, requireViewer } from "../context.js";
import {
  ForbiddenError,
  InvalidHardwareError,
  InvalidInputError,
  InvalidTransitionError,
  unwrap,
  WorkspaceNotFoundError,
} from "./errors.js";
import { HardwareInput, hardwareRequest } from "./hardware.js";
import { Label, LabelInput, labelsFromInput, StopReason, WorkspaceFilter } from "./policy-types.js";
import { DateTime } from "./scalars.js";
import { User } from "./user.js";
import { Workspace } from "./workspace.js";
import {
  FILTER_ARG_DESCRIPTION,
  memberWorkspaces,
  readFilter,
  WorkspaceConnection,
} from "./workspace-lists.js";

builder.prismaObjectFields(Workspace, (t) => ({
  autoStopMinutes: t.int({
    description:
      "Idle minutes before an automatic stop; 0: never (keepActive is true then). Its own, else IDLE_TIMEOUT_MINUTES (a fractional setting is rounded up here).",
    resolve: (workspace, _args, context) =>
      Math.ceil(context.services.policy.autoStopMinutes(workspace)),
  }),
  maxRunMinutes: t.exposeInt("maxRunMinutes", {
    description: "Minutes running before an automatic stop however busy; 0: no limit.",
  }),
  autoDeleteMinutes: t.exposeInt("autoDeleteMinutes", {
    nullable: true,
    description: "Minutes stopped before an automatic delete; 0: at once; null: never.",
  }),
  labels: t.field({
    type: [Label],
    description: "Its labels, by key.",
    resolve: (workspace) => labelList(labelsOf(workspace)),
  }),
  lastActivityAt: t.expose("lastActivityAt", {
    type: DateTime,
    description:
      "The last call on it (reads count at most every 30 s), keep-alive or activity the provider saw.",
  }),
  autoStopAt: t.expose("autoStopAt", {
    type: DateTime,
    nullable: true,
    description:
      "When the next automatic stop is due: idle or max run time, whichever is first; null when none applies.",
  }),
  autoDeleteAt: t.expose("autoDeleteAt", {
    type: DateTime,
    nullable: true,
    description: "When the automatic delete is due (a stopped workspace); null when none applies.",
  }),
  stopReason: t.field({
    type: StopReason,
    nullable: true,
    description: "Why it is stopping or stopped; null otherwise.",
    resolve: (workspace) => workspace.stopReason,
  }),
}));

builder.prismaObjectField(User, "defaultAutoStopMinutes", (t) =>
  t.int({
    description:
      "autoStopMinutes of workspaces you create without one: yours, else IDLE_TIMEOUT_MINUTES (rounded up).",
    resolve: (user, _args, context) =>
      Math.ceil(
        context.services.policy.autoStopMinutes({ autoStopMinutes: user.defaultAutoStopMinutes }),
      ),
  }),
);

builder.prismaObjectField(User, "workspaces", (t) =>
  t.connection(
    {
      description:
        "Your workspaces across every project you are a member of (GET /workspaces), newest first (ties by id); a token limited to a project sees only that one's. Each page is read with its own LIMIT.",
      type: Workspace,
      args: { filter: t.arg({ type: WorkspaceFilter, description: FILTER_ARG_DESCRIPTION }) },
      resolve: (user, { filter, ...paging }, context, info) =>
        resolveConnection(
          memberWorkspaces(requireCaller(context), readFilter(filter)),
          user.id,
          paging,
          context,
          info,
        ),
    },
    WorkspaceConnection,
  ),
);

const WorkspacePolicyField = builder.enumType("WorkspacePolicyField", {
  description: "A setting of a workspace that updateWorkspace can put back to its default.",
  values: {
    AUTO_STOP_MINUTES: { description: "Back to your defaultAutoStopMinutes." },
    MAX_RUN_MINUTES: { description: "Back to 0 (no limit)." },
    AUTO_DELETE_MINUTES: { description: "Back to never." },
    LABELS: { description: "Every label removed." },
  } as const,
});

const UpdateWorkspaceInput = builder.inputType("UpdateWorkspaceInput", {
  description:
    "What to change; a field left out or null stays as it is (resetToDefault puts fields back).",
  fields: (t) => ({
    labels: t.field({
      type: [LabelInput],
      description: `The whole new set of labels (${POLICY_RULES.labels}).`,
    }),
    autoStopMinutes: t.int({ description: `${POLICY_RULES.autoStopMinutes}.` }),
    maxRunMinutes: t.int({ description: `${POLICY_RULES.maxRunMinutes}.` }),
    autoDeleteMinutes: t.int({ description: `${POLICY_RULES.autoDeleteMinutes}.` }),
    keepActive: t.boolean({
      description:
        "true: autoStopMinutes 0; false: your default; disagreeing with autoStopMinutes is an InvalidInputError.",
    }),
    hardware: t.field({
      type: HardwareInput,
      description:
        "A resize, only while the workspace is STOPPED (else InvalidTransitionError): merged over its current hardware, checked like a create's; volumeSizeGb may only grow. Applied at the next start.",
    }),
    resetToDefault: t.field({
      type: [WorkspacePolicyField],
      description: "Fields to put back to their defaults (not to be given a value as well).",
    }),
  }),
});

/** The service's update from GraphQL's input (null: left out; resets by name). */
function serviceUpdate(
  input: typeof UpdateWorkspaceInput.$inferInput,
): { update: ServiceUpdate } | { issue: InputIssue } {
  const update: ServiceUpdate = {};
  if (input.labels) {
    const labels = labelsFromInput(input.labels, "labels");
    if ("issue" in labels) return labels;
    Object.assign(update, { labels: labels.labels, replaceLabels: true });
  }
  if (input.autoStopMinutes != null) update.autoStopMinutes = input.autoStopMinutes;
  if (input.maxRunMinutes != null) update.maxRunMinutes = input.maxRunMinutes;
  if (input.autoDeleteMinutes != null) update.autoDeleteMinutes = input.autoDeleteMinutes;
  if (input.keepActive != null) update.keepActive = input.keepActive;
  if (input.hardware) update.hardware = hardwareRequest(input.hardware);
  const resets = {
    AUTO_STOP_MINUTES: "autoStopMinutes",
    MAX_RUN_MINUTES: "maxRunMinutes",
    AUTO_DELETE_MINUTES: "autoDeleteMinutes",
    LABELS: "labels",
  } as const;
  for (const name of input.resetToDefault ?? []) {
    const field = resets[name];
    if (update[field] !== undefined) {
      return { issue: { field: "resetToDefault", message: `${field} is given a value too` } };
    }
    update[field] = null;
  }
  return { update };
}

builder.mutationField("updateWorkspace", (t) =>
  t.field({
    type: Workspace,
    description:
      "Changes a workspace's labels, policies or (while STOPPED) hardware; PATCH /workspaces/{id} does the same.",
    args: {
      id: t.arg.id({ required: true, description: "The workspace's id." }),
      input: t.arg({ type: UpdateWorkspaceInput, required: true, description: "What to change." }),
    },
    errors: {
      types: [
        WorkspaceNotFoundError,
        InvalidInputError,
        InvalidHardwareError,
        InvalidTransitionError,
        ForbiddenError,
      ],
      union: {
        name: "UpdateWorkspaceResult",
        description: "The workspace as changed, or why nothing changed.",
      },
      result: { name: "UpdateWorkspaceSuccess", description: "The change was made." },
      dataField: { name: "workspace", description: "The workspace, as changed." },
    },
    resolve: async (_root, { id, input }, context) => {
      const viewer = requireViewer(context);
      const update = serviceUpdate(input);
      if ("issue" in update) throw new InvalidInputError("invalid input", [update.issue]);
      return unwrap(
        await context.services.workspaces.update(requireCaller(context), id, update.update, viewer),
      );
    },
  }),
);

builder.mutationField("keepWorkspaceAlive", (t) =>
  t.field({
    type: Workspace,
    description:
      "Records activity now (always written): the idle auto-stop counts again from here. POST /workspaces/{id}/keepalive does the same.",
    args: { id: t.arg.id({ required: true, description: "The workspace's id." }) },
    errors: {
      types: [WorkspaceNotFoundError, ForbiddenError],
      union: {
        name: "KeepWorkspaceAliveResult",
        description: "The workspace with its new autoStopAt, or why not.",
      },
      result: { name: "KeepWorkspaceAliveSuccess", description: "Activity was recorded." },
      dataField: { name: "workspace", description: "The workspace, with its new autoStopAt." },
    },
    resolve: async (_root, { id }, context): Promise<WorkspaceRow> =>
      unwrap(await context.services.workspaces.keepAlive(requireCaller(context), id)),
  }),
);

builder.mutationField("updateDefaultAutoStopMinutes", (t) =>
  t.field({
    type: User,
    description:
      "Sets the autoStopMinutes of workspaces you create without one; PUT /user/settings's default_auto_stop_minutes.",
    args: {
      minutes: t.arg.int({
        description: `${POLICY_RULES.autoStopMinutes}. Left out or null: IDLE_TIMEOUT_MINUTES.`,
      }),
    },
    errors: {
      types: [InvalidInputError],
      union: {
        name: "UpdateDefaultAutoStopMinutesResult",
        description: "You with the new default, or why nothing changed.",
      },
      result: {
        name: "UpdateDefaultAutoStopMinutesSuccess",
        description: "The default was set.",
      },
      dataField: { name: "user", description: "You, with the new defaultAutoStopMinutes." },
    },
    resolve: async (_root, { minutes }, context) =>
      unwrap(
        await context.services.users.setDefaultAutoStopMinutes(
          requireViewer(context),
          minutes ?? null,
        ),
      ),
  }),
);
