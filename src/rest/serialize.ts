import type { Project, User, Workspace } from "../generated/prisma/client.js";
import { effectiveDefaultHardware } from "../services/users.js";
import { toWireHardware } from "./hardware-wire.js";
import type { ProjectJson, SettingsJson, WorkspaceJson } from "./schemas.js";

/**
 * The workspace object of the documented API; every route answers with this one shape (the last
 * event of a stream carries the status "deleted", hence the status type parameter).
 */
export function serializeWorkspace<Status extends string = Workspace["status"]>(
  workspace: Omit<Workspace, "status"> & { status: Status },
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
  };
}

export function serializeSettings(user: User): SettingsJson {
  return { default_hardware: toWireHardware(effectiveDefaultHardware(user)) };
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
