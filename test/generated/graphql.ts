/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** The kind of CPUs a workspace runs on. */
export type CpuKind =
  /** Dedicated CPUs, with more memory per CPU; a GPU needs them (hardwareOptions lists their limits). */
  | 'PERFORMANCE'
  /** Burstable CPUs shared with other machines (hardwareOptions lists their limits). */
  | 'SHARED';

/** The project to create. A field left out or null takes its default. */
export type CreateProjectInput = {
  /** The git branch workspaces check out. Left out or null: "main". */
  defaultBranch?: string | null | undefined;
  /** 1 to 255 characters, else InvalidInputError. The same key with the same input (after defaults) answers the first create's project (replayed: true) and creates nothing; with different input, IdempotencyConflictError. Kept for at least 24 hours; shared with REST's Idempotency-Key and with createWorkspace (a key names one request of yours). */
  idempotencyKey?: string | null | undefined;
  /** 1 to 200 characters (trimmed). */
  name: string;
};

/** The webhook endpoint to add to a project. */
export type CreateWebhookInput = {
  /** What it is for, at most 500 characters. */
  description?: string | null | undefined;
  /** Only these event types; left out, null or empty: every type. */
  eventTypes?: Array<WorkspaceEventType> | null | undefined;
  /** The project's id. */
  projectId: string;
  /** http:// or https://, at most 2048 characters. */
  url: string;
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

/** Why a workspace is stopping or stopped. */
export type StopReason =
  /** No activity for autoStopMinutes: stopped automatically. */
  | 'IDLE'
  /** It ran for maxRunMinutes: stopped automatically, however busy. */
  | 'MAX_RUN'
  /** Someone stopped it (stopWorkspace, REST stop). */
  | 'USER';

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

/** Which workspaces a list shows; a field left out or null does not filter. */
export type WorkspaceFilter = {
  /** All of these labels, each with exactly this value. */
  labels?: Array<LabelInput> | null | undefined;
  /** Any of these statuses (DELETED matches none). */
  status?: Array<WorkspaceStatus> | null | undefined;
};

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

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, email: string, defaultHardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, projects: { totalCount: number, edges: Array<{ node: { id: string, name: string } }> } } };

export type ProjectByIdQueryVariables = Exact<{
  id: string;
}>;


export type ProjectByIdQuery = { project: { id: string, name: string, defaultBranch: string, createdAt: string, workspaces: { totalCount: number, edges: Array<{ node: { id: string } }> } } | null };

export type WorkspaceByIdQueryVariables = Exact<{
  id: string;
}>;


export type WorkspaceByIdQuery = { workspace: { id: string, projectId: string, status: WorkspaceStatus, keepActive: boolean, machineId: string | null, privateIp: string | null, gitRef: string | null, previewToken: string, errorMessage: string | null, createdAt: string, updatedAt: string, project: { id: string, name: string }, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null } } | null };

export type CreateWorkspaceMutationVariables = Exact<{
  input: CreateWorkspaceInput;
}>;


export type CreateWorkspaceMutation = { createWorkspace:
    | { __typename: 'CreateWorkspaceSuccess', workspace: { id: string, projectId: string, status: WorkspaceStatus, keepActive: boolean, previewToken: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null }, project: { id: string, name: string } } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'IdempotencyConflictError', message: string, inProgress: boolean }
    | { __typename: 'InvalidHardwareError', message: string, issues: Array<{ field: string, message: string }> }
    | { __typename: 'InvalidInputError', message: string }
    | { __typename: 'ProjectNotFoundError', message: string }
    | { __typename: 'QuotaExceededError', message: string }
    | { __typename: 'RateLimitedError', message: string }
   };

export type CreateProjectMutationVariables = Exact<{
  input: CreateProjectInput;
}>;


export type CreateProjectMutation = { createProject:
    | { __typename: 'CreateProjectSuccess', project: { id: string, name: string, defaultBranch: string, workspaces: { totalCount: number } } }
    | { __typename: 'ForbiddenError' }
    | { __typename: 'IdempotencyConflictError' }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, message: string }> }
   };

export type UpdateDefaultHardwareMutationVariables = Exact<{
  input: HardwareInput;
}>;


export type UpdateDefaultHardwareMutation = { updateDefaultHardware:
    | { __typename: 'InvalidHardwareError', message: string, issues: Array<{ field: string, message: string }> }
    | { __typename: 'UpdateDefaultHardwareSuccess', user: { defaultHardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null } } }
   };

export type StartWorkspaceMutationVariables = Exact<{
  id: string;
}>;


export type StartWorkspaceMutation = { startWorkspace:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidTransitionError', message: string, status: WorkspaceStatus }
    | { __typename: 'StartWorkspaceSuccess', workspace: { id: string, status: WorkspaceStatus } }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type StopWorkspaceMutationVariables = Exact<{
  id: string;
}>;


export type StopWorkspaceMutation = { stopWorkspace:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidTransitionError', message: string, status: WorkspaceStatus }
    | { __typename: 'StopWorkspaceSuccess', workspace: { id: string, status: WorkspaceStatus } }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type DeleteWorkspaceMutationVariables = Exact<{
  id: string;
}>;


export type DeleteWorkspaceMutation = { deleteWorkspace:
    | { __typename: 'DeleteWorkspaceSuccess', deletedWorkspaceId: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'WorkspaceNotFoundError', message: string }
   };

export type HardwareOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type HardwareOptionsQuery = { hardwareOptions: { cpuKinds: Array<{ kind: CpuKind, cpuCounts: Array<{ cpus: number, memoryMb: { min: number, max: number, step: number } }> }>, volumeSizeGb: { min: number, max: number }, gpuKinds: Array<{ kind: string, cpuKind: CpuKind }> } };

export type ConventionsCreateMutationVariables = Exact<{
  input: CreateWorkspaceInput;
}>;


export type ConventionsCreateMutation = { createWorkspace:
    | { __typename: 'CreateWorkspaceSuccess', replayed: boolean, workspace: { id: string, status: WorkspaceStatus, machineId: string | null, keepActive: boolean, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, gpuKind: string | null } } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'IdempotencyConflictError', message: string }
    | { __typename: 'InvalidHardwareError', message: string }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, message: string }> }
    | { __typename: 'ProjectNotFoundError', message: string }
    | { __typename: 'QuotaExceededError', message: string, quota: number }
    | { __typename: 'RateLimitedError', message: string, retryAfterSeconds: number }
   };

export type ProjectThenCreateMutationVariables = Exact<{
  projectId: string;
}>;


export type ProjectThenCreateMutation = { createProject:
    | { __typename: 'CreateProjectSuccess', project: { id: string, name: string } }
    | { __typename: 'ForbiddenError' }
    | { __typename: 'IdempotencyConflictError' }
    | { __typename: 'InvalidInputError' }
  , createWorkspace:
    | { __typename: 'CreateWorkspaceSuccess', workspace: { id: string } }
    | { __typename: 'ForbiddenError' }
    | { __typename: 'IdempotencyConflictError' }
    | { __typename: 'InvalidHardwareError' }
    | { __typename: 'InvalidInputError' }
    | { __typename: 'ProjectNotFoundError' }
    | { __typename: 'QuotaExceededError' }
    | { __typename: 'RateLimitedError', message: string, retryAfterSeconds: number }
   };

export type ConventionsDefaultsMutationVariables = Exact<{
  input: HardwareInput;
}>;


export type ConventionsDefaultsMutation = { updateDefaultHardware:
    | { __typename: 'InvalidHardwareError', issues: Array<{ field: string, message: string }> }
    | { __typename: 'UpdateDefaultHardwareSuccess', user: { defaultHardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null } } }
   };

export type NodeByIdQueryVariables = Exact<{
  id: string;
}>;


export type NodeByIdQuery = { node:
    | { __typename: 'Project', name: string, id: string }
    | { __typename: 'User', email: string, id: string }
    | { __typename: 'Workspace', status: WorkspaceStatus, id: string, project: { id: string } }
   | null };

export type NodesByIdsQueryVariables = Exact<{
  ids: Array<string> | string;
}>;


export type NodesByIdsQuery = { nodes: Array<
    | { __typename: 'Project', id: string }
    | { __typename: 'User', id: string }
    | { __typename: 'Workspace', id: string }
   | null> };

export type CreateProjectWithKeyMutationVariables = Exact<{
  input: CreateProjectInput;
}>;


export type CreateProjectWithKeyMutation = { createProject:
    | { __typename: 'CreateProjectSuccess', replayed: boolean, project: { id: string, name: string, defaultBranch: string, createdAt: string } }
    | { __typename: 'ForbiddenError' }
    | { __typename: 'IdempotencyConflictError', message: string, inProgress: boolean }
    | { __typename: 'InvalidInputError', message: string, issues: Array<{ field: string, message: string }> }
   };

export type ProjectEventsPageQueryVariables = Exact<{
  id: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ProjectEventsPageQuery = { project: { events: { edges: Array<{ cursor: string, node: { id: string, type: WorkspaceEventType, workspaceId: string, projectId: string, at: string, fromStatus: WorkspaceStatus | null, toStatus: WorkspaceStatus | null, reason: WorkspaceEventReason, actor: { type: WorkspaceEventActorType, userId: string | null, tokenId: string | null }, changes: Array<{ field: string, to: string }> } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } } | null };

export type WorkspaceHistoryPageQueryVariables = Exact<{
  id: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type WorkspaceHistoryPageQuery = { node:
    | { history: { edges: Array<{ node: { id: string, type: WorkspaceEventType, fromStatus: WorkspaceStatus | null, toStatus: WorkspaceStatus | null, reason: WorkspaceEventReason, actor: { type: WorkspaceEventActorType, userId: string | null } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }
    | Record<PropertyKey, never>
   | null };

export type ProjectEventsLiveSubscriptionVariables = Exact<{
  projectId: string;
  after?: string | null | undefined;
}>;


export type ProjectEventsLiveSubscription = { projectEvents: { id: string, type: WorkspaceEventType, workspaceId: string, reason: WorkspaceEventReason } };

export type CreateWithHardwareMutationVariables = Exact<{
  input: CreateWorkspaceInput;
}>;


export type CreateWithHardwareMutation = { createWorkspace:
    | { __typename: 'CreateWorkspaceSuccess', workspace: { hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null } } }
    | { __typename: 'ForbiddenError' }
    | { __typename: 'IdempotencyConflictError' }
    | { __typename: 'InvalidHardwareError', issues: Array<{ field: string, message: string }> }
    | { __typename: 'InvalidInputError' }
    | { __typename: 'ProjectNotFoundError' }
    | { __typename: 'QuotaExceededError' }
    | { __typename: 'RateLimitedError' }
   };

export type SetDefaultHardwareMutationVariables = Exact<{
  input: HardwareInput;
}>;


export type SetDefaultHardwareMutation = { updateDefaultHardware:
    | { __typename: 'InvalidHardwareError', issues: Array<{ field: string, message: string }> }
    | { __typename: 'UpdateDefaultHardwareSuccess', user: { defaultHardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, volumeSizeGb: number, gpuKind: string | null } } }
   };

export type WorkspacePageQueryVariables = Exact<{
  project: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: WorkspaceStatus | null | undefined;
}>;


export type WorkspacePageQuery = { project: { workspaces: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, status: WorkspaceStatus, createdAt: string } }> } } | null };

export type ProjectPageQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type ProjectPageQuery = { viewer: { projects: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string } }> } } };

export type ViewerProjectsWorkspacesQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerProjectsWorkspacesQuery = { viewer: { id: string, email: string, defaultHardware: { cpus: number }, projects: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string, workspaces: { totalCount: number, pageInfo: { hasNextPage: boolean }, edges: Array<{ node: { id: string, status: WorkspaceStatus, createdAt: string, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number }, project: { id: string, name: string } } }> } } }> } } };

export type ProjectPageEveryFieldQueryVariables = Exact<{
  id: string;
  after?: string | null | undefined;
  filter?: WorkspaceFilter | null | undefined;
}>;


export type ProjectPageEveryFieldQuery = { project: { id: string, name: string, workspaces: { pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, projectId: string, status: WorkspaceStatus, keepActive: boolean, machineId: string | null, privateIp: string | null, gitRef: string | null, previewToken: string, errorMessage: string | null, createdAt: string, updatedAt: string, autoStopMinutes: number, maxRunMinutes: number, autoDeleteMinutes: number | null, lastActivityAt: string, autoStopAt: string | null, autoDeleteAt: string | null, stopReason: StopReason | null, labels: Array<{ key: string, value: string }>, hardware: { cpuKind: CpuKind, cpus: number, memoryMb: number, gpuKind: string | null, volumeSizeGb: number }, project: { id: string, name: string, defaultBranch: string, createdAt: string } } }> } } | null };

export type ViewerEmailQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerEmailQuery = { viewer: { email: string } };

export type WatchWorkspaceSubscriptionVariables = Exact<{
  id: string;
}>;


export type WatchWorkspaceSubscription = { workspaceStatus: { id: string, status: WorkspaceStatus } };

export type ProjectNameQueryVariables = Exact<{
  id: string;
}>;


export type ProjectNameQuery = { project: { name: string } | null };

export type BadCursorQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type BadCursorQuery = { viewer: { projects: { totalCount: number } } };

export type GqlCreateWebhookMutationVariables = Exact<{
  input: CreateWebhookInput;
}>;


export type GqlCreateWebhookMutation = { createWebhook:
    | { __typename: 'CreateWebhookSuccess', secret: string, webhook: { id: string, url: string, eventTypes: Array<WorkspaceEventType>, description: string | null, disabledAt: string | null } }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'InvalidInputError', message: string }
    | { __typename: 'ProjectNotFoundError', message: string }
   };

export type GqlProjectWebhooksQueryVariables = Exact<{
  id: string;
}>;


export type GqlProjectWebhooksQuery = { project: { webhooks: Array<{ id: string, url: string, deliveries: { edges: Array<{ cursor: string, node: { deliveryId: string, eventId: string, statusCode: number | null, error: string | null, nextRetryAt: string | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } }> } | null };

export type GqlRetryDeliveryMutationVariables = Exact<{
  webhookId: string;
  deliveryId: string;
}>;


export type GqlRetryDeliveryMutation = { retryWebhookDelivery:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'RetryWebhookDeliverySuccess', nextAttemptAt: string }
    | { __typename: 'WebhookNotFoundError', message: string }
   };

export type GqlDeleteWebhookMutationVariables = Exact<{
  id: string;
}>;


export type GqlDeleteWebhookMutation = { deleteWebhook:
    | { __typename: 'DeleteWebhookSuccess', deletedWebhookId: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'WebhookNotFoundError', message: string }
   };

export type FilteredProjectWorkspacesQueryVariables = Exact<{
  project: string;
  filter?: WorkspaceFilter | null | undefined;
  status?: WorkspaceStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FilteredProjectWorkspacesQuery = { project: { workspaces: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string } }> } } | null };

export type FilteredViewerWorkspacesQueryVariables = Exact<{
  filter?: WorkspaceFilter | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type FilteredViewerWorkspacesQuery = { viewer: { workspaces: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, status: WorkspaceStatus, labels: Array<{ key: string, value: string }> } }> } } };

export type FilteredViewerWorkspacesLastQueryVariables = Exact<{
  filter?: WorkspaceFilter | null | undefined;
  last?: number | null | undefined;
}>;


export type FilteredViewerWorkspacesLastQuery = { viewer: { workspaces: { pageInfo: { hasPreviousPage: boolean }, edges: Array<{ node: { id: string } }> } } };

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

export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
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
    projects(first: 10) {
      totalCount
      edges {
        node {
          id
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;
export const ProjectByIdDocument = new TypedDocumentString(`
    query ProjectById($id: ID!) {
  project(id: $id) {
    id
    name
    defaultBranch
    createdAt
    workspaces(first: 10) {
      totalCount
      edges {
        node {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ProjectByIdQuery, ProjectByIdQueryVariables>;
export const WorkspaceByIdDocument = new TypedDocumentString(`
    query WorkspaceById($id: ID!) {
  workspace(id: $id) {
    id
    projectId
    project {
      id
      name
    }
    status
    hardware {
      cpuKind
      cpus
      memoryMb
      volumeSizeGb
      gpuKind
    }
    keepActive
    machineId
    privateIp
    gitRef
    previewToken
    errorMessage
    createdAt
    updatedAt
  }
}
    `) as unknown as TypedDocumentString<WorkspaceByIdQuery, WorkspaceByIdQueryVariables>;
export const CreateWorkspaceDocument = new TypedDocumentString(`
    mutation CreateWorkspace($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) {
    __typename
    ... on CreateWorkspaceSuccess {
      workspace {
        id
        projectId
        status
        keepActive
        previewToken
        hardware {
          cpuKind
          cpus
          memoryMb
          volumeSizeGb
          gpuKind
        }
        project {
          id
          name
        }
      }
    }
    ... on Error {
      message
    }
    ... on InvalidHardwareError {
      issues {
        field
        message
      }
    }
    ... on IdempotencyConflictError {
      inProgress
    }
  }
}
    `) as unknown as TypedDocumentString<CreateWorkspaceMutation, CreateWorkspaceMutationVariables>;
export const CreateProjectDocument = new TypedDocumentString(`
    mutation CreateProject($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on CreateProjectSuccess {
      project {
        id
        name
        defaultBranch
        workspaces {
          totalCount
        }
      }
    }
    ... on InvalidInputError {
      message
      issues {
        field
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CreateProjectMutation, CreateProjectMutationVariables>;
export const UpdateDefaultHardwareDocument = new TypedDocumentString(`
    mutation UpdateDefaultHardware($input: HardwareInput!) {
  updateDefaultHardware(input: $input) {
    __typename
    ... on UpdateDefaultHardwareSuccess {
      user {
        defaultHardware {
          cpuKind
          cpus
          memoryMb
          volumeSizeGb
          gpuKind
        }
      }
    }
    ... on InvalidHardwareError {
      message
      issues {
        field
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<UpdateDefaultHardwareMutation, UpdateDefaultHardwareMutationVariables>;
export const StartWorkspaceDocument = new TypedDocumentString(`
    mutation StartWorkspace($id: ID!) {
  startWorkspace(id: $id) {
    __typename
    ... on StartWorkspaceSuccess {
      workspace {
        id
        status
      }
    }
    ... on Error {
      message
    }
    ... on InvalidTransitionError {
      status
    }
  }
}
    `) as unknown as TypedDocumentString<StartWorkspaceMutation, StartWorkspaceMutationVariables>;
export const StopWorkspaceDocument = new TypedDocumentString(`
    mutation StopWorkspace($id: ID!) {
  stopWorkspace(id: $id) {
    __typename
    ... on StopWorkspaceSuccess {
      workspace {
        id
        status
      }
    }
    ... on Error {
      message
    }
    ... on InvalidTransitionError {
      status
    }
  }
}
    `) as unknown as TypedDocumentString<StopWorkspaceMutation, StopWorkspaceMutationVariables>;
export const DeleteWorkspaceDocument = new TypedDocumentString(`
    mutation DeleteWorkspace($id: ID!) {
  deleteWorkspace(id: $id) {
    __typename
    ... on DeleteWorkspaceSuccess {
      deletedWorkspaceId
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteWorkspaceMutation, DeleteWorkspaceMutationVariables>;
export const HardwareOptionsDocument = new TypedDocumentString(`
    query HardwareOptions {
  hardwareOptions {
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
}
    `) as unknown as TypedDocumentString<HardwareOptionsQuery, HardwareOptionsQueryVariables>;
export const ConventionsCreateDocument = new TypedDocumentString(`
    mutation ConventionsCreate($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) {
    __typename
    ... on CreateWorkspaceSuccess {
      replayed
      workspace {
        id
        status
        machineId
        hardware {
          cpuKind
          cpus
          memoryMb
          gpuKind
        }
        keepActive
      }
    }
    ... on UserError {
      message
    }
    ... on QuotaExceededError {
      quota
    }
    ... on InvalidInputError {
      issues {
        field
        message
      }
    }
    ... on RateLimitedError {
      retryAfterSeconds
    }
  }
}
    `) as unknown as TypedDocumentString<ConventionsCreateMutation, ConventionsCreateMutationVariables>;
export const ProjectThenCreateDocument = new TypedDocumentString(`
    mutation ProjectThenCreate($projectId: ID!) {
  createProject(input: {name: "made first"}) {
    __typename
    ... on CreateProjectSuccess {
      project {
        id
        name
      }
    }
  }
  createWorkspace(input: {projectId: $projectId}) {
    __typename
    ... on CreateWorkspaceSuccess {
      workspace {
        id
      }
    }
    ... on RateLimitedError {
      message
      retryAfterSeconds
    }
  }
}
    `) as unknown as TypedDocumentString<ProjectThenCreateMutation, ProjectThenCreateMutationVariables>;
export const ConventionsDefaultsDocument = new TypedDocumentString(`
    mutation ConventionsDefaults($input: HardwareInput!) {
  updateDefaultHardware(input: $input) {
    __typename
    ... on UpdateDefaultHardwareSuccess {
      user {
        defaultHardware {
          cpuKind
          cpus
          memoryMb
          volumeSizeGb
          gpuKind
        }
      }
    }
    ... on InvalidHardwareError {
      issues {
        field
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConventionsDefaultsMutation, ConventionsDefaultsMutationVariables>;
export const NodeByIdDocument = new TypedDocumentString(`
    query NodeById($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Workspace {
      status
      project {
        id
      }
    }
    ... on Project {
      name
    }
    ... on User {
      email
    }
  }
}
    `) as unknown as TypedDocumentString<NodeByIdQuery, NodeByIdQueryVariables>;
export const NodesByIdsDocument = new TypedDocumentString(`
    query NodesByIds($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    id
  }
}
    `) as unknown as TypedDocumentString<NodesByIdsQuery, NodesByIdsQueryVariables>;
export const CreateProjectWithKeyDocument = new TypedDocumentString(`
    mutation CreateProjectWithKey($input: CreateProjectInput!) {
  createProject(input: $input) {
    __typename
    ... on CreateProjectSuccess {
      replayed
      project {
        id
        name
        defaultBranch
        createdAt
      }
    }
    ... on IdempotencyConflictError {
      message
      inProgress
    }
    ... on InvalidInputError {
      message
      issues {
        field
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CreateProjectWithKeyMutation, CreateProjectWithKeyMutationVariables>;
export const ProjectEventsPageDocument = new TypedDocumentString(`
    query ProjectEventsPage($id: ID!, $first: Int, $after: String) {
  project(id: $id) {
    events(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          type
          workspaceId
          projectId
          at
          fromStatus
          toStatus
          reason
          actor {
            type
            userId
            tokenId
          }
          changes {
            field
            to
          }
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ProjectEventsPageQuery, ProjectEventsPageQueryVariables>;
export const WorkspaceHistoryPageDocument = new TypedDocumentString(`
    query WorkspaceHistoryPage($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Workspace {
      history(first: $first, after: $after) {
        edges {
          node {
            id
            type
            fromStatus
            toStatus
            reason
            actor {
              type
              userId
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<WorkspaceHistoryPageQuery, WorkspaceHistoryPageQueryVariables>;
export const ProjectEventsLiveDocument = new TypedDocumentString(`
    subscription ProjectEventsLive($projectId: ID!, $after: String) {
  projectEvents(projectId: $projectId, after: $after) {
    id
    type
    workspaceId
    reason
  }
}
    `) as unknown as TypedDocumentString<ProjectEventsLiveSubscription, ProjectEventsLiveSubscriptionVariables>;
export const CreateWithHardwareDocument = new TypedDocumentString(`
    mutation CreateWithHardware($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) {
    __typename
    ... on CreateWorkspaceSuccess {
      workspace {
        hardware {
          cpuKind
          cpus
          memoryMb
          volumeSizeGb
          gpuKind
        }
      }
    }
    ... on InvalidHardwareError {
      issues {
        field
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<CreateWithHardwareMutation, CreateWithHardwareMutationVariables>;
export const SetDefaultHardwareDocument = new TypedDocumentString(`
    mutation SetDefaultHardware($input: HardwareInput!) {
  updateDefaultHardware(input: $input) {
    __typename
    ... on UpdateDefaultHardwareSuccess {
      user {
        defaultHardware {
          cpuKind
          cpus
          memoryMb
          volumeSizeGb
          gpuKind
        }
      }
    }
    ... on InvalidHardwareError {
      issues {
        field
        message
      }
    }
  }
}
    `) as unknown as TypedDocumentString<SetDefaultHardwareMutation, SetDefaultHardwareMutationVariables>;
export const WorkspacePageDocument = new TypedDocumentString(`
    query WorkspacePage($project: ID!, $first: Int, $after: String, $status: WorkspaceStatus) {
  project(id: $project) {
    workspaces(first: $first, after: $after, status: $status) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          status
          createdAt
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<WorkspacePageQuery, WorkspacePageQueryVariables>;
export const ProjectPageDocument = new TypedDocumentString(`
    query ProjectPage($first: Int, $after: String) {
  viewer {
    projects(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ProjectPageQuery, ProjectPageQueryVariables>;
export const ViewerProjectsWorkspacesDocument = new TypedDocumentString(`
    query ViewerProjectsWorkspaces {
  viewer {
    id
    email
    defaultHardware {
      cpus
    }
    projects(first: 20) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          workspaces(first: 50) {
            totalCount
            pageInfo {
              hasNextPage
            }
            edges {
              node {
                id
                status
                hardware {
                  cpuKind
                  cpus
                  memoryMb
                }
                createdAt
                project {
                  id
                  name
                }
              }
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ViewerProjectsWorkspacesQuery, ViewerProjectsWorkspacesQueryVariables>;
export const ProjectPageEveryFieldDocument = new TypedDocumentString(`
    query ProjectPageEveryField($id: ID!, $after: String, $filter: WorkspaceFilter) {
  project(id: $id) {
    id
    name
    workspaces(first: 50, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          projectId
          status
          keepActive
          machineId
          privateIp
          gitRef
          previewToken
          errorMessage
          createdAt
          updatedAt
          autoStopMinutes
          maxRunMinutes
          autoDeleteMinutes
          lastActivityAt
          autoStopAt
          autoDeleteAt
          stopReason
          labels {
            key
            value
          }
          hardware {
            cpuKind
            cpus
            memoryMb
            gpuKind
            volumeSizeGb
          }
          project {
            id
            name
            defaultBranch
            createdAt
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ProjectPageEveryFieldQuery, ProjectPageEveryFieldQueryVariables>;
export const ViewerEmailDocument = new TypedDocumentString(`
    query ViewerEmail {
  viewer {
    email
  }
}
    `) as unknown as TypedDocumentString<ViewerEmailQuery, ViewerEmailQueryVariables>;
export const WatchWorkspaceDocument = new TypedDocumentString(`
    subscription WatchWorkspace($id: ID!) {
  workspaceStatus(id: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<WatchWorkspaceSubscription, WatchWorkspaceSubscriptionVariables>;
export const ProjectNameDocument = new TypedDocumentString(`
    query ProjectName($id: ID!) {
  project(id: $id) {
    name
  }
}
    `) as unknown as TypedDocumentString<ProjectNameQuery, ProjectNameQueryVariables>;
export const BadCursorDocument = new TypedDocumentString(`
    query BadCursor($after: String) {
  viewer {
    projects(after: $after) {
      totalCount
    }
  }
}
    `) as unknown as TypedDocumentString<BadCursorQuery, BadCursorQueryVariables>;
export const GqlCreateWebhookDocument = new TypedDocumentString(`
    mutation GqlCreateWebhook($input: CreateWebhookInput!) {
  createWebhook(input: $input) {
    __typename
    ... on CreateWebhookSuccess {
      secret
      webhook {
        id
        url
        eventTypes
        description
        disabledAt
      }
    }
    ... on UserError {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<GqlCreateWebhookMutation, GqlCreateWebhookMutationVariables>;
export const GqlProjectWebhooksDocument = new TypedDocumentString(`
    query GqlProjectWebhooks($id: ID!) {
  project(id: $id) {
    webhooks {
      id
      url
      deliveries(first: 10) {
        edges {
          cursor
          node {
            deliveryId
            eventId
            statusCode
            error
            nextRetryAt
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<GqlProjectWebhooksQuery, GqlProjectWebhooksQueryVariables>;
export const GqlRetryDeliveryDocument = new TypedDocumentString(`
    mutation GqlRetryDelivery($webhookId: ID!, $deliveryId: ID!) {
  retryWebhookDelivery(webhookId: $webhookId, deliveryId: $deliveryId) {
    __typename
    ... on RetryWebhookDeliverySuccess {
      nextAttemptAt
    }
    ... on UserError {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<GqlRetryDeliveryMutation, GqlRetryDeliveryMutationVariables>;
export const GqlDeleteWebhookDocument = new TypedDocumentString(`
    mutation GqlDeleteWebhook($id: ID!) {
  deleteWebhook(id: $id) {
    __typename
    ... on DeleteWebhookSuccess {
      deletedWebhookId
    }
    ... on UserError {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<GqlDeleteWebhookMutation, GqlDeleteWebhookMutationVariables>;
export const FilteredProjectWorkspacesDocument = new TypedDocumentString(`
    query FilteredProjectWorkspaces($project: ID!, $filter: WorkspaceFilter, $status: WorkspaceStatus, $first: Int, $after: String) {
  project(id: $project) {
    workspaces(filter: $filter, status: $status, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FilteredProjectWorkspacesQuery, FilteredProjectWorkspacesQueryVariables>;
export const FilteredViewerWorkspacesDocument = new TypedDocumentString(`
    query FilteredViewerWorkspaces($filter: WorkspaceFilter, $first: Int, $after: String) {
  viewer {
    workspaces(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          status
          labels {
            key
            value
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FilteredViewerWorkspacesQuery, FilteredViewerWorkspacesQueryVariables>;
export const FilteredViewerWorkspacesLastDocument = new TypedDocumentString(`
    query FilteredViewerWorkspacesLast($filter: WorkspaceFilter, $last: Int) {
  viewer {
    workspaces(filter: $filter, last: $last) {
      pageInfo {
        hasPreviousPage
      }
      edges {
        node {
          id
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FilteredViewerWorkspacesLastQuery, FilteredViewerWorkspacesLastQueryVariables>;