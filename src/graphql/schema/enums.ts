/**
 * The enums, mapped to the REST (and database) lowercase values here and nowhere else:
 * SHARED ↔ "shared", CREATING ↔ "creating", STOP_FAILED ↔ "stop_failed".
 */
import {
  CpuKind as CpuKinds,
  ProjectRole as ProjectRoles,
  WorkspaceStatus as WorkspaceStatuses,
} from "../../generated/prisma/enums.js";
import { builder } from "../builder.js";

type UpperCaseValues<Value extends string> = {
  [Name in Value as Uppercase<Name>]: { value: Name; description: string };
};

/** Every database value, upper-cased, with its description (a value without one fails to compile). */
function upperCaseValues<const Value extends string>(
  values: Record<string, Value>,
  descriptions: Record<Value, string>,
): UpperCaseValues<Value> {
  return Object.fromEntries(
    Object.values(values).map((value) => [
      value.toUpperCase(),
      { value, description: descriptions[value] },
    ]),
  ) as UpperCaseValues<Value>;
}

export const CpuKind = builder.enumType("CpuKind", {
  description: "The kind of CPUs a workspace runs on.",
  values: upperCaseValues(CpuKinds, {
    shared: "Burstable CPUs shared with other machines (hardwareOptions lists their limits).",
    performance:
      "Dedicated CPUs, with more memory per CPU; a GPU needs them (hardwareOptions lists their limits).",
  }),
});

export const WorkspaceStatus = builder.enumType("WorkspaceStatus", {
  description:
    "CREATING → STARTING → RUNNING; RUNNING → STOPPING → STOPPED; a failed step ends in ERROR, or STOP_FAILED when stopping. DELETED is only ever the last event of a workspaceStatus stream.",
  values: {
    ...upperCaseValues(WorkspaceStatuses, {
      creating: "Just created; the lifecycle engine will start its machine.",
      starting: "Its machine is starting (machineId is set).",
      running: "Running and reachable (privateIp and gitRef are set).",
      stopping: "Its machine is stopping.",
      stopped: "Stopped; startWorkspace starts it again.",
      error: "A step failed (errorMessage says why); startWorkspace tries again.",
      stop_failed: "Stopping failed (errorMessage says why); stopWorkspace tries again.",
    }),
    DELETED: {
      value: "deleted",
      description:
        "The workspace was deleted: the last event of a workspaceStatus stream, which then completes. Never the status of a workspace you can read.",
    },
  } as const,
});

export const ProjectRole = builder.enumType("ProjectRole", {
  description:
    "A member's role on a project; each may do everything the one before may (VIEWER < DEVELOPER < ADMIN). A token may cap it lower.",
  values: upperCaseValues(ProjectRoles, {
    viewer: "Reads the project, its workspaces and members, and watches them.",
    developer: "Also creates, starts, stops, updates, keeps alive and deletes workspaces.",
    admin: "Also manages members and webhooks, renames and deletes the project.",
  }),
});
