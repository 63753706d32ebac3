/**
 * The enums, mapped to the REST (and database) lowercase values here and nowhere else:
 * SHARED ↔ "shared", CREATING ↔ "creating", STOP_FAILED ↔ "stop_failed".
 */
import {
  CpuKind as CpuKinds,
  WorkspaceStatus as WorkspaceStatuses,
} from "../../generated/prisma/enums.js";
import { builder } from "../builder.js";

type UpperCaseValues<Value extends string> = {
  [Name in Value as Uppercase<Name>]: { value: Name };
};

function upperCaseValues<const Value extends string>(
  values: Record<string, Value>,
): UpperCaseValues<Value> {
  return Object.fromEntries(
    Object.values(values).map((value) => [value.toUpperCase(), { value }]),
  ) as UpperCaseValues<Value>;
}

export const CpuKind = builder.enumType("CpuKind", {
  description: "shared: burstable CPUs; performance: dedicated CPUs (needed for a GPU)",
  values: upperCaseValues(CpuKinds),
});

export const WorkspaceStatus = builder.enumType("WorkspaceStatus", {
  description:
    "CREATING → STARTING → RUNNING; RUNNING → STOPPING → STOPPED; a failed step ends in ERROR, or STOP_FAILED when stopping. DELETED is only ever the last event of a workspaceStatus stream.",
  values: {
    ...upperCaseValues(WorkspaceStatuses),
    DELETED: {
      value: "deleted",
      description:
        "The workspace was deleted: the last event of a workspaceStatus stream, which then completes. Never the status of a workspace you can read.",
    },
  } as const,
});
