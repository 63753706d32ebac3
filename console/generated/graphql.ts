/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Whom to add, and with which role. */
export type AddProjectMemberInput = {
  /** Their email. Without an account yet, the membership waits and becomes active when that user is created; the answer is the same either way. */
  email: string;
  /** The project (you must be its admin). */
  projectId: string;
  /** Their role. */
  role: ProjectRole;
};

/** The kind of CPUs a workspace runs on. */
export type CpuKind =
  /** Dedicated CPUs, with more memory per CPU; a GPU needs them (hardwareOptions lists their limits). */
  | 'PERFORMANCE'
  /** Burstable CPUs shared with other machines (hardwareOptions lists their limits). */
  | 'SHARED';

/** The token to create. A token never gets more power than the token asking for it: left out, its project, role and expiry are the asking token's. */
export type CreateApiTokenInput = {
  /** 1 to 365 days; left out or null: never (or the asking token's expiry). */
  expiresInDays?: number | null | undefined;
  /** 1 to 100 characters. */
  name: string;
  /** Limits it to this project (one you are a member of). */
  projectId?: string | null | undefined;
  /** Caps what it may do. */
  role?: ProjectRole | null | undefined;
};

/** The project to create. A field left out or null takes its default. */
export type CreateProjectInput = {
  /** The git branch workspaces check out. Left out or null: "main". */
  defaultBranch?: string | null | undefined;
  /** 1 to 255 characters, else InvalidInputError. The same key with the same input (after defaults) answers the first create's project (replayed: true) and creates nothing; with different input, IdempotencyConflictError. Kept for at least 24 hours; shared with REST's Idempotency-Key and with createWorkspace (a key names one request of yours). */
  idempotencyKey?: string | null | undefined;
  /** 1 to 200 characters (trimmed). */
  name: string;
};

/** What to create. Any field left out or null takes its default. */
export type CreateWorkspaceInput = {
  /** Minutes stopped before an automatic delete: a whole number from 0 to 43200; 0: as soon as it is stopped. Left out or null: never. */
  autoDeleteMinutes?: number | null | undefined;
  /** Idle minutes before an automatic stop: a whole number from 0 to 10080; 0: never stop for idleness. Left out or null: your defaultAutoStopMinutes. */
  autoStopMinutes?: number | null | undefined;
  /** Merged over your default hardware: each field left out or null comes from your defaultHardware, then the system default. Left out or null as a whole: your default hardware. */
  hardware?: HardwareInput | null | undefined;
  /** 1 to 255 characters, else InvalidInputError. The same key with the same input answers the first create's workspace as it is now (replayed: true) and creates nothing; with different input, IdempotencyConflictError. Kept for at least 24 hours; shared with REST's Idempotency-Key. */
  idempotencyKey?: string | null | undefined;
  /** Left out or null: false (stopped after IDLE_TIMEOUT_MINUTES idle). true: runs until stopped (the legacy spelling of autoStopMinutes 0; giving both when they disagree is an InvalidInputError). */
  keepActive?: boolean | null | undefined;
  /** Its labels (at most 32; keys: an optional DNS-subdomain prefix and "/", then a name of 1 to 63 letters, digits, "-", "_", "." starting and ending with a letter or digit; values: 0 to 63 of the same characters). Left out or null: none. */
  labels?: Array<LabelInput> | null | undefined;
  /** Minutes running before an automatic stop however busy: a whole number from 0 to 43200; 0: no limit. Left out or null: 0. */
  maxRunMinutes?: number | null | undefined;
  /** The project to create it in (one of yours, else ProjectNotFoundError). */
  projectId: string;
};

/** Hardware to ask for. A field left out or null is filled in, and how depends on the mutation: createWorkspace merges over your defaultHardware (each field left out comes from it, then from the system default {cpuKind: SHARED, cpus: 2, memoryMb: 2048, volumeSizeGb: 10, gpuKind: null}); updateDefaultHardware replaces your defaults (each field left out comes from the system default; an empty input resets them). The result must pass the hardware rules as a whole; hardwareOptions lists what may be ordered. "No GPU" is gpuKind: "". */
export type HardwareInput = {
  /** CPU kind: SHARED or PERFORMANCE. */
  cpuKind?: CpuKind | null | undefined;
  /** Number of CPUs: one of 1, 2, 4, 6, 8. */
  cpus?: number | null | undefined;
  /** One of hardwareOptions.gpuKinds (GPU_KINDS), or "" (the empty string) for no GPU. Left out or null: filled in like the other fields (so a default GPU stays). A GPU needs cpuKind PERFORMANCE. */
  gpuKind?: string | null | undefined;
  /** Memory in MB, at most 16384. SHARED: a multiple of 256 between 256×cpus and 2048×cpus; PERFORMANCE: a multiple of 1024 between 2048×cpus and 8192×cpus. */
  memoryMb?: number | null | undefined;
  /** Volume size in GB, 1 to 500. */
  volumeSizeGb?: number | null | undefined;
};

/** A label to set, or (in a filter) to match exactly. */
export type LabelInput = {
  /** The key, with an optional "prefix/". */
  key: string;
  /** The value (may be empty). */
  value: string;
};

/** A member's role on a project; each may do everything the one before may (VIEWER < DEVELOPER < ADMIN). A token may cap it lower. */
export type ProjectRole =
  /** Also manages members and webhooks, renames and deletes the project. */
  | 'ADMIN'
  /** Also creates, starts, stops, updates, keeps alive and deletes workspaces. */
  | 'DEVELOPER'
  /** Reads the project, its workspaces and members, and watches them. */
  | 'VIEWER';

/** Whom to remove. */
export type RemoveProjectMemberInput = {
  /** The project. */
  projectId: string;
  /** The member's user id (or a pending member's email). Your own id: you leave (any role may). */
  userId: string;
};

/** Why a workspace is stopping or stopped. */
export type StopReason =
  /** No activity for autoStopMinutes: stopped automatically. */
  | 'IDLE'
  /** It ran for maxRunMinutes: stopped automatically, however busy. */
  | 'MAX_RUN'
  /** Someone stopped it (stopWorkspace, REST stop). */
  | 'USER';

/** Whose role to change. */
export type UpdateProjectMemberInput = {
  /** The project (you must be its admin). */
  projectId: string;
  /** Their new role. */
  role: ProjectRole;
  /** The member's user id (or, for a pending member, their email). */
  userId: string;
};

/** What to change; a field left out or null stays as it is (resetToDefault puts fields back). */
export type UpdateWorkspaceInput = {
  /** a whole number from 0 to 43200; 0: as soon as it is stopped. */
  autoDeleteMinutes?: number | null | undefined;
  /** a whole number from 0 to 10080; 0: never stop for idleness. */
  autoStopMinutes?: number | null | undefined;
  /** A resize, only while the workspace is STOPPED (else InvalidTransitionError): merged over its current hardware, checked like a create's; volumeSizeGb may only grow. Applied at the next start. */
  hardware?: HardwareInput | null | undefined;
  /** true: autoStopMinutes 0; false: your default; disagreeing with autoStopMinutes is an InvalidInputError. */
  keepActive?: boolean | null | undefined;
  /** The whole new set of labels (at most 32; keys: an optional DNS-subdomain prefix and "/", then a name of 1 to 63 letters, digits, "-", "_", "." starting and ending with a letter or digit; values: 0 to 63 of the same characters). */
  labels?: Array<LabelInput> | null | undefined;
  /** a whole number from 0 to 43200; 0: no limit. */
  maxRunMinutes?: number | null | undefined;
  /** Fields to put back to their defaults (not to be given a value as well). */
  resetToDefault?: Array<WorkspacePolicyField> | null | undefined;
};

/** Who acted: a user (through an API token) or the system itself. */
export type WorkspaceEventActorType =
  /** The service on its own (lifecycle engine, policies). */
  | 'SYSTEM'
  /** A user; userId and tokenId say who and with what. */
  | 'USER';

/** Why it happened. */
export type WorkspaceEventReason =
  /** Deleted by its auto-delete policy. */
  | 'AUTO_DELETE'
  /** The lifecycle engine carried out an earlier request (a start reached RUNNING). */
  | 'ENGINE'
  /** Stopped after its idle time (autoStopMinutes, IDLE_TIMEOUT_MINUTES). */
  | 'IDLE'
  /** Stopped after its maximum run time. */
  | 'MAX_RUN'
  /** The machine provider failed a step (status ERROR or STOP_FAILED). */
  | 'PROVIDER_ERROR'
  /** A user asked for it (actor says who). */
  | 'REQUESTED';

/** What happened to the workspace (REST: `workspace.<value in lower case>`). */
export type WorkspaceEventType =
  /** It was created. */
  | 'CREATED'
  /** It was deleted (by a user, or by its auto-delete policy). Its last event. */
  | 'DELETED'
  /** Its status changed: fromStatus → toStatus. */
  | 'STATUS_CHANGED'
  /** A setting of it changed (updateWorkspace, PATCH): see changes. */
  | 'UPDATED';

/** A setting of a workspace that updateWorkspace can put back to its default. */
export type WorkspacePolicyField =
  /** Back to never. */
  | 'AUTO_DELETE_MINUTES'
  /** Back to your defaultAutoStopMinutes. */
  | 'AUTO_STOP_MINUTES'
  /** Every label removed. */
  | 'LABELS'
  /** Back to 0 (no limit). */
  | 'MAX_RUN_MINUTES';

/** CREATING → STARTING → RUNNING; RUNNING → STOPPING → STOPPED; a failed step ends in ERROR, or STOP_FAILED when stopping. DELETED is only ever the last event of a workspaceStatus stream. */
export type WorkspaceStatus =
  /** Just created; the lifecycle engine will start its machine. */
  | 'CREATING'
  /** The workspace was deleted: the last event of a workspaceStatus stream, which then completes. Never the status of a workspace you can read. */
  | 'DELETED'
  /** A step failed (errorMessage says why); startWorkspace tries again. */
  | 'ERROR'
  /** Running and reachable (privateIp and gitRef are set). */
  | 'RUNNING'
  /** Its machine is starting (machineId is set). */
  | 'STARTING'
  /** Stopped; startWorkspace starts it again. */
  | 'STOPPED'
  /** Its machine is stopping. */
  | 'STOPPING'
  /** Stopping failed (errorMessage says why); stopWorkspace tries again. */
  | 'STOP_FAILED';

export type ConsoleViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleViewerQuery = { viewer: { id: string, email: string, defaultHardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, projects: { edges: Array<{ node: { id: string, name: string, viewerRole: ProjectRole } }> } }, hardwareOptions: { cpuKinds: Array<{ kind: CpuKind, cpuCounts: Array<{ cpus: number, memoryMb: { min: number, max: number, step: number } }> }>, volumeSizeGb: { min: number, max: number }, gpuKinds: Array<{ kind: string, cpuKind: CpuKind }> } };

export type ConsoleHardwareOptionsFragment = { cpuKinds: Array<{ kind: CpuKind, cpuCounts: Array<{ cpus: number, memoryMb: { min: number, max: number, step: number } }> }>, volumeSizeGb: { min: number, max: number }, gpuKinds: Array<{ kind: string, cpuKind: CpuKind }> };

export type ConsoleCreateProjectMutationVariables = Exact<{
  input: CreateProjectInput;
}>;


export type ConsoleCreateProjectMutation = { createProject:
    | { __typename: 'CreateProjectSuccess', project: { id: string, name: string } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'IdempotencyConflictError', message: string }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, message: string }> }
   };

export type ConsoleWorkspaceFieldsFragment = { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> };

export type ConsoleProjectWorkspacesQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleProjectWorkspacesQuery = { project: { id: string, viewerRole: ProjectRole, members: Array<{ userId: string | null, email: string, role: ProjectRole }>, workspaces: { edges: Array<{ node: { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> } }> } } | null };

export type ConsoleCreateWorkspaceMutationVariables = Exact<{
  input: CreateWorkspaceInput;
}>;


export type ConsoleCreateWorkspaceMutation = { createWorkspace:
    | { __typename: 'CreateWorkspaceSuccess', workspace: { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'IdempotencyConflictError', message: string }
    | { __typename: 'InvalidHardwareError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'ProjectNotFoundError', message: string }
    | { __typename: 'QuotaExceededError', message: string }
    | { __typename: 'RateLimitedError', message: string }
   };

export type ConsoleStopWorkspaceMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleStopWorkspaceMutation = { stopWorkspace:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidTransitionError', message: string }
    | { __typename: 'StopWorkspaceSuccess', workspace: { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> } }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type ConsoleStartWorkspaceMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleStartWorkspaceMutation = { startWorkspace:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidTransitionError', message: string }
    | { __typename: 'StartWorkspaceSuccess', workspace: { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> } }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type ConsoleDeleteWorkspaceMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleDeleteWorkspaceMutation = { deleteWorkspace:
    | { __typename: 'DeleteWorkspaceSuccess', deletedWorkspaceId: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type ConsoleWorkspaceStatusSubscriptionVariables = Exact<{
  id: string;
}>;


export type ConsoleWorkspaceStatusSubscription = { workspaceStatus: { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> } };

export type ConsoleKeepWorkspaceAliveMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleKeepWorkspaceAliveMutation = { keepWorkspaceAlive:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'KeepWorkspaceAliveSuccess', workspace: { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> } }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type ConsoleUpdateWorkspaceMutationVariables = Exact<{
  id: string;
  input: UpdateWorkspaceInput;
}>;


export type ConsoleUpdateWorkspaceMutation = { updateWorkspace:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidHardwareError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'InvalidTransitionError', message: string }
    | { __typename: 'UpdateWorkspaceSuccess', workspace: { id: string, status: WorkspaceStatus, keepActive: boolean, autoStopMinutes: number, maxRunMinutes: number, autoStopAt: string | null, lastActivityAt: string, stopReason: StopReason | null, machineId: string | null, privateIp: string | null, gitRef: string | null, errorMessage: string | null, updatedAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, labels: Array<{ key: string, value: string }> } }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type ConsoleWorkspaceEventFragment = { id: string, type: WorkspaceEventType, at: string, fromStatus: WorkspaceStatus | null, toStatus: WorkspaceStatus | null, reason: WorkspaceEventReason, actor: { type: WorkspaceEventActorType, userId: string | null }, changes: Array<{ field: string }> };

export type ConsoleWorkspaceHistoryQueryVariables = Exact<{
  id: string;
  after?: string | null | undefined;
}>;


export type ConsoleWorkspaceHistoryQuery = { workspace: { id: string, history: { edges: Array<{ node: { id: string, type: WorkspaceEventType, at: string, fromStatus: WorkspaceStatus | null, toStatus: WorkspaceStatus | null, reason: WorkspaceEventReason, actor: { type: WorkspaceEventActorType, userId: string | null }, changes: Array<{ field: string }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } } | null };

export type ConsoleProjectMembersQueryVariables = Exact<{
  id: string;
}>;


export type ConsoleProjectMembersQuery = { project: { id: string, viewerRole: ProjectRole, members: Array<{ userId: string | null, email: string, role: ProjectRole }> } | null };

export type ConsoleAddProjectMemberMutationVariables = Exact<{
  input: AddProjectMemberInput;
}>;


export type ConsoleAddProjectMemberMutation = { addProjectMember:
    | { __typename: 'AddProjectMemberSuccess', member: { email: string, role: ProjectRole } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'LastAdminError', message: string }
    | { __typename: 'ProjectNotFoundError', message: string }
   };

export type ConsoleUpdateProjectMemberMutationVariables = Exact<{
  input: UpdateProjectMemberInput;
}>;


export type ConsoleUpdateProjectMemberMutation = { updateProjectMember:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'LastAdminError', message: string }
    | { __typename: 'MemberNotFoundError', message: string }
    | { __typename: 'ProjectNotFoundError', message: string }
    | { __typename: 'UpdateProjectMemberSuccess', member: { userId: string | null, email: string, role: ProjectRole } }
   };

export type ConsoleRemoveProjectMemberMutationVariables = Exact<{
  input: RemoveProjectMemberInput;
}>;


export type ConsoleRemoveProjectMemberMutation = { removeProjectMember:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'LastAdminError', message: string }
    | { __typename: 'MemberNotFoundError', message: string }
    | { __typename: 'ProjectNotFoundError', message: string }
    | { __typename: 'RemoveProjectMemberSuccess', member: { userId: string | null, email: string, role: ProjectRole } }
   };

export type ConsoleApiTokenFragment = { id: string, name: string, prefix: string, projectId: string | null, role: ProjectRole | null, createdAt: string, lastUsedAt: string | null, expiresAt: string | null, revokedAt: string | null };

export type ConsoleTokensQueryVariables = Exact<{ [key: string]: never; }>;


export type ConsoleTokensQuery = { viewer: { id: string, tokens: Array<{ id: string, name: string, prefix: string, projectId: string | null, role: ProjectRole | null, createdAt: string, lastUsedAt: string | null, expiresAt: string | null, revokedAt: string | null }> } };

export type ConsoleCreateApiTokenMutationVariables = Exact<{
  input: CreateApiTokenInput;
}>;


export type ConsoleCreateApiTokenMutation = { createApiToken:
    | { __typename: 'CreateApiTokenSuccess', token: string, apiToken: { id: string, name: string, prefix: string, projectId: string | null, role: ProjectRole | null, createdAt: string, lastUsedAt: string | null, expiresAt: string | null, revokedAt: string | null } }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, displayMessage: string }> }
    | { __typename: 'ProjectNotFoundError', message: string }
   };

export type ConsoleRevokeApiTokenMutationVariables = Exact<{
  id: string;
}>;


export type ConsoleRevokeApiTokenMutation = { revokeApiToken:
    | { __typename: 'RevokeApiTokenSuccess', apiToken: { id: string, name: string, prefix: string, projectId: string | null, role: ProjectRole | null, createdAt: string, lastUsedAt: string | null, expiresAt: string | null, revokedAt: string | null } }
    | { __typename: 'TokenNotFoundError', message: string }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ConsoleHardwareOptionsFragmentDoc = new TypedDocumentString(`
    fragment ConsoleHardwareOptions on HardwareOptions {
  cpuKinds {
    kind
    cpuCounts {
      cpus
      memoryMb {
        min
        max
        step
      }
    }
  }
  volumeSizeGb {
    min
    max
  }
  gpuKinds {
    kind
    cpuKind
  }
}
    `, {"fragmentName":"ConsoleHardwareOptions"}) as unknown as TypedDocumentString<ConsoleHardwareOptionsFragment, unknown>;
export const ConsoleWorkspaceFieldsFragmentDoc = new TypedDocumentString(`
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}
    `, {"fragmentName":"ConsoleWorkspaceFields"}) as unknown as TypedDocumentString<ConsoleWorkspaceFieldsFragment, unknown>;
export const ConsoleWorkspaceEventFragmentDoc = new TypedDocumentString(`
    fragment ConsoleWorkspaceEvent on WorkspaceEvent {
  id
  type
  at
  fromStatus
  toStatus
  reason
  actor {
    type
    userId
  }
  changes {
    field
  }
}
    `, {"fragmentName":"ConsoleWorkspaceEvent"}) as unknown as TypedDocumentString<ConsoleWorkspaceEventFragment, unknown>;
export const ConsoleApiTokenFragmentDoc = new TypedDocumentString(`
    fragment ConsoleApiToken on ApiToken {
  id
  name
  prefix
  projectId
  role
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}
    `, {"fragmentName":"ConsoleApiToken"}) as unknown as TypedDocumentString<ConsoleApiTokenFragment, unknown>;
export const ConsoleViewerDocument = new TypedDocumentString(`
    query ConsoleViewer {
  viewer {
    id
    email
    defaultHardware {
      cpuKind
      cpus
      memoryMb
      volumeSizeGb
      gpuKind
    }
    projects(first: 50) {
      edges {
        node {
          id
          name
          viewerRole
        }
      }
    }
  }
  hardwareOptions {
    ...ConsoleHardwareOptions
  }
}
    fragment ConsoleHardwareOptions on HardwareOptions {
  cpuKinds {
    kind
    cpuCounts {
      cpus
      memoryMb {
        min
        max
        step
      }
    }
  }
  volumeSizeGb {
    min
    max
  }
  gpuKinds {
    kind
    cpuKind
  }
}`) as unknown as TypedDocumentString<ConsoleViewerQuery, ConsoleViewerQueryVariables>;
export const ConsoleCreateProjectDocument = new TypedDocumentString(`
    mutation ConsoleCreateProject($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on CreateProjectSuccess {
      project {
        id
        name
      }
    }
    ... on UserError {
      message
    }
    ... on InvalidInputError {
      issues {
        field
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateProjectMutation, ConsoleCreateProjectMutationVariables>;
export const ConsoleProjectWorkspacesDocument = new TypedDocumentString(`
    query ConsoleProjectWorkspaces($id: ID!) {
  project(id: $id) {
    id
    viewerRole
    members {
      userId
      email
      role
    }
    workspaces(first: 100) {
      edges {
        node {
          ...ConsoleWorkspaceFields
        }
      }
    }
  }
}
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}`) as unknown as TypedDocumentString<ConsoleProjectWorkspacesQuery, ConsoleProjectWorkspacesQueryVariables>;
export const ConsoleCreateWorkspaceDocument = new TypedDocumentString(`
    mutation ConsoleCreateWorkspace($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) {
    __typename
    ... on CreateWorkspaceSuccess {
      workspace {
        ...ConsoleWorkspaceFields
      }
    }
    ... on UserError {
      message
    }
    ... on InvalidHardwareError {
      issues {
        field
        displayMessage
      }
    }
    ... on InvalidInputError {
      issues {
        field
        displayMessage
      }
    }
  }
}
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}`) as unknown as TypedDocumentString<ConsoleCreateWorkspaceMutation, ConsoleCreateWorkspaceMutationVariables>;
export const ConsoleStopWorkspaceDocument = new TypedDocumentString(`
    mutation ConsoleStopWorkspace($id: ID!) {
  stopWorkspace(id: $id) {
    __typename
    ... on StopWorkspaceSuccess {
      workspace {
        ...ConsoleWorkspaceFields
      }
    }
    ... on UserError {
      message
    }
  }
}
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}`) as unknown as TypedDocumentString<ConsoleStopWorkspaceMutation, ConsoleStopWorkspaceMutationVariables>;
export const ConsoleStartWorkspaceDocument = new TypedDocumentString(`
    mutation ConsoleStartWorkspace($id: ID!) {
  startWorkspace(id: $id) {
    __typename
    ... on StartWorkspaceSuccess {
      workspace {
        ...ConsoleWorkspaceFields
      }
    }
    ... on UserError {
      message
    }
  }
}
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}`) as unknown as TypedDocumentString<ConsoleStartWorkspaceMutation, ConsoleStartWorkspaceMutationVariables>;
export const ConsoleDeleteWorkspaceDocument = new TypedDocumentString(`
    mutation ConsoleDeleteWorkspace($id: ID!) {
  deleteWorkspace(id: $id) {
    __typename
    ... on DeleteWorkspaceSuccess {
      deletedWorkspaceId
    }
    ... on UserError {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDeleteWorkspaceMutation, ConsoleDeleteWorkspaceMutationVariables>;
export const ConsoleWorkspaceStatusDocument = new TypedDocumentString(`
    subscription ConsoleWorkspaceStatus($id: ID!) {
  workspaceStatus(id: $id) {
    ...ConsoleWorkspaceFields
  }
}
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}`) as unknown as TypedDocumentString<ConsoleWorkspaceStatusSubscription, ConsoleWorkspaceStatusSubscriptionVariables>;
export const ConsoleKeepWorkspaceAliveDocument = new TypedDocumentString(`
    mutation ConsoleKeepWorkspaceAlive($id: ID!) {
  keepWorkspaceAlive(id: $id) {
    __typename
    ... on KeepWorkspaceAliveSuccess {
      workspace {
        ...ConsoleWorkspaceFields
      }
    }
    ... on UserError {
      message
    }
  }
}
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}`) as unknown as TypedDocumentString<ConsoleKeepWorkspaceAliveMutation, ConsoleKeepWorkspaceAliveMutationVariables>;
export const ConsoleUpdateWorkspaceDocument = new TypedDocumentString(`
    mutation ConsoleUpdateWorkspace($id: ID!, $input: UpdateWorkspaceInput!) {
  updateWorkspace(id: $id, input: $input) {
    __typename
    ... on UpdateWorkspaceSuccess {
      workspace {
        ...ConsoleWorkspaceFields
      }
    }
    ... on UserError {
      message
    }
    ... on InvalidHardwareError {
      issues {
        field
        displayMessage
      }
    }
    ... on InvalidInputError {
      issues {
        field
        displayMessage
      }
    }
  }
}
    fragment ConsoleWorkspaceFields on Workspace {
  id
  status
  hardware {
    cpuKind
    cpus
    memoryMb
    volumeSizeGb
    gpuKind
  }
  keepActive
  labels {
    key
    value
  }
  autoStopMinutes
  maxRunMinutes
  autoStopAt
  lastActivityAt
  stopReason
  machineId
  privateIp
  gitRef
  errorMessage
  updatedAt
}`) as unknown as TypedDocumentString<ConsoleUpdateWorkspaceMutation, ConsoleUpdateWorkspaceMutationVariables>;
export const ConsoleWorkspaceHistoryDocument = new TypedDocumentString(`
    query ConsoleWorkspaceHistory($id: ID!, $after: String) {
  workspace(id: $id) {
    id
    history(first: 100, after: $after) {
      edges {
        node {
          ...ConsoleWorkspaceEvent
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment ConsoleWorkspaceEvent on WorkspaceEvent {
  id
  type
  at
  fromStatus
  toStatus
  reason
  actor {
    type
    userId
  }
  changes {
    field
  }
}`) as unknown as TypedDocumentString<ConsoleWorkspaceHistoryQuery, ConsoleWorkspaceHistoryQueryVariables>;
export const ConsoleProjectMembersDocument = new TypedDocumentString(`
    query ConsoleProjectMembers($id: ID!) {
  project(id: $id) {
    id
    viewerRole
    members {
      userId
      email
      role
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleProjectMembersQuery, ConsoleProjectMembersQueryVariables>;
export const ConsoleAddProjectMemberDocument = new TypedDocumentString(`
    mutation ConsoleAddProjectMember($input: AddProjectMemberInput!) {
  addProjectMember(input: $input) {
    __typename
    ... on AddProjectMemberSuccess {
      member {
        email
        role
      }
    }
    ... on UserError {
      message
    }
    ... on InvalidInputError {
      issues {
        field
        displayMessage
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleAddProjectMemberMutation, ConsoleAddProjectMemberMutationVariables>;
export const ConsoleUpdateProjectMemberDocument = new TypedDocumentString(`
    mutation ConsoleUpdateProjectMember($input: UpdateProjectMemberInput!) {
  updateProjectMember(input: $input) {
    __typename
    ... on UpdateProjectMemberSuccess {
      member {
        userId
        email
        role
      }
    }
    ... on UserError {
      message
    }
    ... on InvalidInputError {
      issues {
        field
        displayMessage
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleUpdateProjectMemberMutation, ConsoleUpdateProjectMemberMutationVariables>;
export const ConsoleRemoveProjectMemberDocument = new TypedDocumentString(`
    mutation ConsoleRemoveProjectMember($input: RemoveProjectMemberInput!) {
  removeProjectMember(input: $input) {
    __typename
    ... on RemoveProjectMemberSuccess {
      member {
        userId
        email
        role
      }
    }
    ... on UserError {
      message
    }
    ... on InvalidInputError {
      issues {
        field
        displayMessage
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRemoveProjectMemberMutation, ConsoleRemoveProjectMemberMutationVariables>;
export const ConsoleTokensDocument = new TypedDocumentString(`
    query ConsoleTokens {
  viewer {
    id
    tokens {
      ...ConsoleApiToken
    }
  }
}
    fragment ConsoleApiToken on ApiToken {
  id
  name
  prefix
  projectId
  role
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}`) as unknown as TypedDocumentString<ConsoleTokensQuery, ConsoleTokensQueryVariables>;
export const ConsoleCreateApiTokenDocument = new TypedDocumentString(`
    mutation ConsoleCreateApiToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    __typename
    ... on CreateApiTokenSuccess {
      token
      apiToken {
        ...ConsoleApiToken
      }
    }
    ... on UserError {
      message
    }
    ... on InvalidInputError {
      issues {
        field
        displayMessage
      }
    }
  }
}
    fragment ConsoleApiToken on ApiToken {
  id
  name
  prefix
  projectId
  role
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}`) as unknown as TypedDocumentString<ConsoleCreateApiTokenMutation, ConsoleCreateApiTokenMutationVariables>;
export const ConsoleRevokeApiTokenDocument = new TypedDocumentString(`
    mutation ConsoleRevokeApiToken($id: ID!) {
  revokeApiToken(id: $id) {
    __typename
    ... on RevokeApiTokenSuccess {
      apiToken {
        ...ConsoleApiToken
      }
    }
    ... on UserError {
      message
    }
  }
}
    fragment ConsoleApiToken on ApiToken {
  id
  name
  prefix
  projectId
  role
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}`) as unknown as TypedDocumentString<ConsoleRevokeApiTokenMutation, ConsoleRevokeApiTokenMutationVariables>;