/**
 * The types workspace policies add that other schema files use (createWorkspace's input takes
 * labels): kept apart from workspace-policy.ts, which adds fields to Workspace and User and
 * so imports them.
 */
import { StopReason as StopReasons } from "../../generated/prisma/enums.js";
import type { InputIssue } from "../../services/result.js";
import { type Labels, POLICY_RULES } from "../../services/workspace-policy.js";
import { builder } from "../builder.js";
import { WorkspaceStatus } from "./enums.js";

export const StopReason = builder.enumType("StopReason", {
  description: "Why a workspace is stopping or stopped.",
  values: {
    USER: {
      value: StopReasons.user,
      description: "Someone stopped it (stopWorkspace, REST stop).",
    },
    IDLE: {
      value: StopReasons.idle,
      description: "No activity for autoStopMinutes: stopped automatically.",
    },
    MAX_RUN: {
      value: StopReasons.max_run,
      description: "It ran for maxRunMinutes: stopped automatically, however busy.",
    },
  } as const,
});

export interface LabelShape {
  key: string;
  value: string;
}

export const Label = builder.objectRef<LabelShape>("Label").implement({
  description: `A label on a workspace (${POLICY_RULES.labels}).`,
  fields: (t) => ({
    key: t.exposeString("key", { description: 'Its key, with an optional "prefix/".' }),
    value: t.exposeString("value", { description: "Its value (may be empty)." }),
  }),
});

export const LabelInput = builder.inputType("LabelInput", {
  description: "A label to set, or (in a filter) to match exactly.",
  fields: (t) => ({
    key: t.string({ required: true, description: 'The key, with an optional "prefix/".' }),
    value: t.string({ required: true, description: "The value (may be empty)." }),
  }),
});

export const WorkspaceFilter = builder.inputType("WorkspaceFilter", {
  description: "Which workspaces a list shows; a field left out or null does not filter.",
  fields: (t) => ({
    status: t.field({
      type: [WorkspaceStatus],
      description: "Any of these statuses (DELETED matches none).",
    }),
    labels: t.field({
      type: [LabelInput],
      description: "All of these labels, each with exactly this value.",
    }),
  }),
});

/** A list of labels as the services take them; a key given twice is an input problem. */
export function labelsFromInput(
  input: readonly LabelShape[],
  field: string,
): { labels: Labels } | { issue: InputIssue } {
  const labels: Labels = {};
  for (const { key, value } of input) {
    if (key in labels) {
      return { issue: { field, message: `label key ${JSON.stringify(key)} is given twice` } };
    }
    labels[key] = value;
  }
  return { labels };
}
