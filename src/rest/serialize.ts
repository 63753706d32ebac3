import type { Project, User, Workspace } from "../generated/prisma/client.js";
import { effectiveDefaultHardware } from "../services/users.js";
import { labelsOf, type WorkspacePolicy } from "../services/workspace-policy.js";
import { toWireHardware } from "./hardware-wire.js";
import type { ProjectJson, SettingsJson, WorkspaceJson } from "./schemas.js";

/**
 * The workspace object of the documented API; every route answers with this one shape (the last
 * event of a stream carries the status "deleted", hence the status type parameter). `policy`
 * gives the auto-stop in force for a workspace that follows IDLE_TIMEOUT_MINUTES.
 */
export function serializeWorkspace<Status extends string = Workspace["status"]>(
  workspace: Omit<Workspace, "status"> & { status: Status },
  policy: WorkspacePolicy,
): Omit<WorkspaceJson, "status"> & { status: Status } {
  return {
    id: workspace.id,
    project_id: workspace.projectId,
    status: workspace.status,
    hardware: toWireHardware(workspace),
    keep_active: workspace.keepActive,
    machine_id: workspace.machineId,
    private_ip: workspace.privateIp,
    git_ref: workspace.gitRef,
    preview_token: workspace.previewToken,
    error_message: workspace.errorMessage,
    created_at: workspace.createdAt.toISOString(),
    updated_at: workspace.updatedAt.toISOString(),
    auto_stop_minutes: policy.autoStopMinutes(workspace),
    max_run_minutes: workspace.maxRunMinutes,
    auto_delete_minutes: workspace.autoDeleteMinutes,
    labels: labelsOf(workspace),
    last_activity_at: workspace.lastActivityAt.toISOString(),
    auto_stop_at: workspace.autoStopAt?.toISOString() ?? null,
    auto_delete_at: workspace.autoDeleteAt?.toISOString() ?? null,
    stop_reason: workspace.stopReason,
  };
}

export function serializeSettings(user: User, policy: WorkspacePolicy): SettingsJson {
  return {
    default_hardware: toWireHardware(effectiveDefaultHardware(user)),
    default_auto_stop_minutes: policy.autoStopMinutes({
      autoStopMinutes: user.defaultAutoStopMinutes,
    }),
  };
}

/** The project object: every project route answers with this one shape. */
export function serializeProject(project: Project): ProjectJson {
  return {
    id: project.id,
    name: project.name,
    default_branch: project.defaultBranch,
    created_at: project.createdAt.toISOString(),
  };
}
