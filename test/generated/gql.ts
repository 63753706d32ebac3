/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    viewer {\n      id\n      email\n      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      projects(first: 10) { totalCount edges { node { id name } } }\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query ProjectById($id: ID!) {\n    project(id: $id) {\n      id\n      name\n      defaultBranch\n      createdAt\n      workspaces(first: 10) { totalCount edges { node { id } } }\n    }\n  }\n": typeof types.ProjectByIdDocument,
    "\n  query WorkspaceById($id: ID!) {\n    workspace(id: $id) {\n      id\n      projectId\n      project { id name }\n      status\n      hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      keepActive\n      machineId\n      privateIp\n      gitRef\n      previewToken\n      errorMessage\n      createdAt\n      updatedAt\n    }\n  }\n": typeof types.WorkspaceByIdDocument,
    "\n  mutation CreateWorkspace($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        workspace {\n          id\n          projectId\n          status\n          keepActive\n          previewToken\n          hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n          project { id name }\n        }\n      }\n      ... on Error { message }\n      ... on InvalidHardwareError { issues { field message } }\n      ... on IdempotencyConflictError { inProgress }\n    }\n  }\n": typeof types.CreateWorkspaceDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { project { id name defaultBranch workspaces { totalCount } } }\n      ... on InvalidInputError { message issues { field message } }\n    }\n  }\n": typeof types.CreateProjectDocument,
    "\n  mutation UpdateDefaultHardware($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { message issues { field message } }\n    }\n  }\n": typeof types.UpdateDefaultHardwareDocument,
    "\n  mutation StartWorkspace($id: ID!) {\n    startWorkspace(id: $id) {\n      __typename\n      ... on StartWorkspaceSuccess { workspace { id status } }\n      ... on Error { message }\n      ... on InvalidTransitionError { status }\n    }\n  }\n": typeof types.StartWorkspaceDocument,
    "\n  mutation StopWorkspace($id: ID!) {\n    stopWorkspace(id: $id) {\n      __typename\n      ... on StopWorkspaceSuccess { workspace { id status } }\n      ... on Error { message }\n      ... on InvalidTransitionError { status }\n    }\n  }\n": typeof types.StopWorkspaceDocument,
    "\n  mutation DeleteWorkspace($id: ID!) {\n    deleteWorkspace(id: $id) {\n      __typename\n      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }\n      ... on Error { message }\n    }\n  }\n": typeof types.DeleteWorkspaceDocument,
    "\n  query HardwareOptions {\n    hardwareOptions {\n      cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }\n      volumeSizeGb { min max }\n      gpuKinds { kind cpuKind }\n    }\n  }\n": typeof types.HardwareOptionsDocument,
    "\n  mutation ConventionsCreate($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        replayed\n        workspace { id status machineId hardware { cpuKind cpus memoryMb gpuKind } keepActive }\n      }\n      ... on UserError { message }\n      ... on QuotaExceededError { quota }\n      ... on InvalidInputError { issues { field message } }\n      ... on RateLimitedError { retryAfterSeconds }\n    }\n  }\n": typeof types.ConventionsCreateDocument,
    "\n  mutation ProjectThenCreate($projectId: ID!) {\n    createProject(input: { name: \"made first\" }) {\n      __typename\n      ... on CreateProjectSuccess { project { id name } }\n    }\n    createWorkspace(input: { projectId: $projectId }) {\n      __typename\n      ... on CreateWorkspaceSuccess { workspace { id } }\n      ... on RateLimitedError { message retryAfterSeconds }\n    }\n  }\n": typeof types.ProjectThenCreateDocument,
    "\n  mutation ConventionsDefaults($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n": typeof types.ConventionsDefaultsDocument,
    "\n  query NodeById($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Workspace { status project { id } }\n      ... on Project { name }\n      ... on User { email }\n    }\n  }\n": typeof types.NodeByIdDocument,
    "\n  query NodesByIds($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n": typeof types.NodesByIdsDocument,
    "\n  mutation CreateProjectWithKey($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { replayed project { id name defaultBranch createdAt } }\n      ... on IdempotencyConflictError { message inProgress }\n      ... on InvalidInputError { message issues { field message } }\n    }\n  }\n": typeof types.CreateProjectWithKeyDocument,
    "\n  query ProjectEventsPage($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      events(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id type workspaceId projectId at fromStatus toStatus reason\n            actor { type userId tokenId }\n            changes { field to }\n          }\n        }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": typeof types.ProjectEventsPageDocument,
    "\n  query WorkspaceHistoryPage($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Workspace {\n        history(first: $first, after: $after) {\n          edges { node { id type fromStatus toStatus reason actor { type userId } } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": typeof types.WorkspaceHistoryPageDocument,
    "\n  subscription ProjectEventsLive($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { id type workspaceId reason }\n  }\n": typeof types.ProjectEventsLiveDocument,
    "\n  mutation CreateWithHardware($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        workspace { hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n": typeof types.CreateWithHardwareDocument,
    "\n  mutation SetDefaultHardware($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n": typeof types.SetDefaultHardwareDocument,
    "\n  query WorkspacePage($project: ID!, $first: Int, $after: String, $status: WorkspaceStatus) {\n    project(id: $project) {\n      workspaces(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { cursor node { id status createdAt } }\n      }\n    }\n  }\n": typeof types.WorkspacePageDocument,
    "\n  query ProjectPage($first: Int, $after: String) {\n    viewer {\n      projects(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id } }\n      }\n    }\n  }\n": typeof types.ProjectPageDocument,
    "\n  query ViewerProjectsWorkspaces {\n    viewer {\n      id\n      email\n      defaultHardware { cpus }\n      projects(first: 20) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges {\n          cursor\n          node {\n            id\n            name\n            workspaces(first: 50) {\n              totalCount\n              pageInfo { hasNextPage }\n              edges {\n                node {\n                  id\n                  status\n                  hardware { cpuKind cpus memoryMb }\n                  createdAt\n                  project { id name }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ViewerProjectsWorkspacesDocument,
    "\n  query ProjectPageEveryField($id: ID!, $after: String, $filter: WorkspaceFilter) {\n    project(id: $id) {\n      id\n      name\n      workspaces(first: 50, after: $after, filter: $filter) {\n        pageInfo { hasNextPage endCursor }\n        edges {\n          cursor\n          node {\n            id projectId status keepActive machineId privateIp gitRef previewToken errorMessage\n            createdAt updatedAt autoStopMinutes maxRunMinutes autoDeleteMinutes lastActivityAt\n            autoStopAt autoDeleteAt stopReason\n            labels { key value }\n            hardware { cpuKind cpus memoryMb gpuKind volumeSizeGb }\n            project { id name defaultBranch createdAt }\n          }\n        }\n      }\n    }\n  }\n": typeof types.ProjectPageEveryFieldDocument,
    "\n  query ViewerEmail {\n    viewer { email }\n  }\n": typeof types.ViewerEmailDocument,
    "\n  subscription WatchWorkspace($id: ID!) {\n    workspaceStatus(id: $id) { id status }\n  }\n": typeof types.WatchWorkspaceDocument,
    "\n              query ProjectName($id: ID!) {\n                project(id: $id) { name }\n              }\n            ": typeof types.ProjectNameDocument,
    "\n            query BadCursor($after: String) {\n              viewer { projects(after: $after) { totalCount } }\n            }\n          ": typeof types.BadCursorDocument,
    "\n  mutation GqlCreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) {\n      __typename\n      ... on CreateWebhookSuccess { secret webhook { id url eventTypes description disabledAt } }\n      ... on UserError { message }\n    }\n  }\n": typeof types.GqlCreateWebhookDocument,
    "\n  query GqlProjectWebhooks($id: ID!) {\n    project(id: $id) {\n      webhooks {\n        id\n        url\n        deliveries(first: 10) {\n          edges { cursor node { deliveryId eventId statusCode error nextRetryAt } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": typeof types.GqlProjectWebhooksDocument,
    "\n  mutation GqlRetryDelivery($webhookId: ID!, $deliveryId: ID!) {\n    retryWebhookDelivery(webhookId: $webhookId, deliveryId: $deliveryId) {\n      __typename\n      ... on RetryWebhookDeliverySuccess { nextAttemptAt }\n      ... on UserError { message }\n    }\n  }\n": typeof types.GqlRetryDeliveryDocument,
    "\n  mutation GqlDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id) {\n      __typename\n      ... on DeleteWebhookSuccess { deletedWebhookId }\n      ... on UserError { message }\n    }\n  }\n": typeof types.GqlDeleteWebhookDocument,
    "\n  query FilteredProjectWorkspaces(\n    $project: ID!\n    $filter: WorkspaceFilter\n    $status: WorkspaceStatus\n    $first: Int\n    $after: String\n  ) {\n    project(id: $project) {\n      workspaces(filter: $filter, status: $status, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id } }\n      }\n    }\n  }\n": typeof types.FilteredProjectWorkspacesDocument,
    "\n  query FilteredViewerWorkspaces($filter: WorkspaceFilter, $first: Int, $after: String) {\n    viewer {\n      workspaces(filter: $filter, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id status labels { key value } } }\n      }\n    }\n  }\n": typeof types.FilteredViewerWorkspacesDocument,
    "\n  query FilteredViewerWorkspacesLast($filter: WorkspaceFilter, $last: Int) {\n    viewer {\n      workspaces(filter: $filter, last: $last) {\n        pageInfo { hasPreviousPage }\n        edges { node { id } }\n      }\n    }\n  }\n": typeof types.FilteredViewerWorkspacesLastDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer {\n      id\n      email\n      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      projects(first: 10) { totalCount edges { node { id name } } }\n    }\n  }\n": types.ViewerDocument,
    "\n  query ProjectById($id: ID!) {\n    project(id: $id) {\n      id\n      name\n      defaultBranch\n      createdAt\n      workspaces(first: 10) { totalCount edges { node { id } } }\n    }\n  }\n": types.ProjectByIdDocument,
    "\n  query WorkspaceById($id: ID!) {\n    workspace(id: $id) {\n      id\n      projectId\n      project { id name }\n      status\n      hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      keepActive\n      machineId\n      privateIp\n      gitRef\n      previewToken\n      errorMessage\n      createdAt\n      updatedAt\n    }\n  }\n": types.WorkspaceByIdDocument,
    "\n  mutation CreateWorkspace($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        workspace {\n          id\n          projectId\n          status\n          keepActive\n          previewToken\n          hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n          project { id name }\n        }\n      }\n      ... on Error { message }\n      ... on InvalidHardwareError { issues { field message } }\n      ... on IdempotencyConflictError { inProgress }\n    }\n  }\n": types.CreateWorkspaceDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { project { id name defaultBranch workspaces { totalCount } } }\n      ... on InvalidInputError { message issues { field message } }\n    }\n  }\n": types.CreateProjectDocument,
    "\n  mutation UpdateDefaultHardware($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { message issues { field message } }\n    }\n  }\n": types.UpdateDefaultHardwareDocument,
    "\n  mutation StartWorkspace($id: ID!) {\n    startWorkspace(id: $id) {\n      __typename\n      ... on StartWorkspaceSuccess { workspace { id status } }\n      ... on Error { message }\n      ... on InvalidTransitionError { status }\n    }\n  }\n": types.StartWorkspaceDocument,
    "\n  mutation StopWorkspace($id: ID!) {\n    stopWorkspace(id: $id) {\n      __typename\n      ... on StopWorkspaceSuccess { workspace { id status } }\n      ... on Error { message }\n      ... on InvalidTransitionError { status }\n    }\n  }\n": types.StopWorkspaceDocument,
    "\n  mutation DeleteWorkspace($id: ID!) {\n    deleteWorkspace(id: $id) {\n      __typename\n      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }\n      ... on Error { message }\n    }\n  }\n": types.DeleteWorkspaceDocument,
    "\n  query HardwareOptions {\n    hardwareOptions {\n      cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }\n      volumeSizeGb { min max }\n      gpuKinds { kind cpuKind }\n    }\n  }\n": types.HardwareOptionsDocument,
    "\n  mutation ConventionsCreate($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        replayed\n        workspace { id status machineId hardware { cpuKind cpus memoryMb gpuKind } keepActive }\n      }\n      ... on UserError { message }\n      ... on QuotaExceededError { quota }\n      ... on InvalidInputError { issues { field message } }\n      ... on RateLimitedError { retryAfterSeconds }\n    }\n  }\n": types.ConventionsCreateDocument,
    "\n  mutation ProjectThenCreate($projectId: ID!) {\n    createProject(input: { name: \"made first\" }) {\n      __typename\n      ... on CreateProjectSuccess { project { id name } }\n    }\n    createWorkspace(input: { projectId: $projectId }) {\n      __typename\n      ... on CreateWorkspaceSuccess { workspace { id } }\n      ... on RateLimitedError { message retryAfterSeconds }\n    }\n  }\n": types.ProjectThenCreateDocument,
    "\n  mutation ConventionsDefaults($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n": types.ConventionsDefaultsDocument,
    "\n  query NodeById($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Workspace { status project { id } }\n      ... on Project { name }\n      ... on User { email }\n    }\n  }\n": types.NodeByIdDocument,
    "\n  query NodesByIds($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n": types.NodesByIdsDocument,
    "\n  mutation CreateProjectWithKey($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { replayed project { id name defaultBranch createdAt } }\n      ... on IdempotencyConflictError { message inProgress }\n      ... on InvalidInputError { message issues { field message } }\n    }\n  }\n": types.CreateProjectWithKeyDocument,
    "\n  query ProjectEventsPage($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      events(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id type workspaceId projectId at fromStatus toStatus reason\n            actor { type userId tokenId }\n            changes { field to }\n          }\n        }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n": types.ProjectEventsPageDocument,
    "\n  query WorkspaceHistoryPage($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Workspace {\n        history(first: $first, after: $after) {\n          edges { node { id type fromStatus toStatus reason actor { type userId } } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": types.WorkspaceHistoryPageDocument,
    "\n  subscription ProjectEventsLive($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { id type workspaceId reason }\n  }\n": types.ProjectEventsLiveDocument,
    "\n  mutation CreateWithHardware($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        workspace { hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n": types.CreateWithHardwareDocument,
    "\n  mutation SetDefaultHardware($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n": types.SetDefaultHardwareDocument,
    "\n  query WorkspacePage($project: ID!, $first: Int, $after: String, $status: WorkspaceStatus) {\n    project(id: $project) {\n      workspaces(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { cursor node { id status createdAt } }\n      }\n    }\n  }\n": types.WorkspacePageDocument,
    "\n  query ProjectPage($first: Int, $after: String) {\n    viewer {\n      projects(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id } }\n      }\n    }\n  }\n": types.ProjectPageDocument,
    "\n  query ViewerProjectsWorkspaces {\n    viewer {\n      id\n      email\n      defaultHardware { cpus }\n      projects(first: 20) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges {\n          cursor\n          node {\n            id\n            name\n            workspaces(first: 50) {\n              totalCount\n              pageInfo { hasNextPage }\n              edges {\n                node {\n                  id\n                  status\n                  hardware { cpuKind cpus memoryMb }\n                  createdAt\n                  project { id name }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.ViewerProjectsWorkspacesDocument,
    "\n  query ProjectPageEveryField($id: ID!, $after: String, $filter: WorkspaceFilter) {\n    project(id: $id) {\n      id\n      name\n      workspaces(first: 50, after: $after, filter: $filter) {\n        pageInfo { hasNextPage endCursor }\n        edges {\n          cursor\n          node {\n            id projectId status keepActive machineId privateIp gitRef previewToken errorMessage\n            createdAt updatedAt autoStopMinutes maxRunMinutes autoDeleteMinutes lastActivityAt\n            autoStopAt autoDeleteAt stopReason\n            labels { key value }\n            hardware { cpuKind cpus memoryMb gpuKind volumeSizeGb }\n            project { id name defaultBranch createdAt }\n          }\n        }\n      }\n    }\n  }\n": types.ProjectPageEveryFieldDocument,
    "\n  query ViewerEmail {\n    viewer { email }\n  }\n": types.ViewerEmailDocument,
    "\n  subscription WatchWorkspace($id: ID!) {\n    workspaceStatus(id: $id) { id status }\n  }\n": types.WatchWorkspaceDocument,
    "\n              query ProjectName($id: ID!) {\n                project(id: $id) { name }\n              }\n            ": types.ProjectNameDocument,
    "\n            query BadCursor($after: String) {\n              viewer { projects(after: $after) { totalCount } }\n            }\n          ": types.BadCursorDocument,
    "\n  mutation GqlCreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) {\n      __typename\n      ... on CreateWebhookSuccess { secret webhook { id url eventTypes description disabledAt } }\n      ... on UserError { message }\n    }\n  }\n": types.GqlCreateWebhookDocument,
    "\n  query GqlProjectWebhooks($id: ID!) {\n    project(id: $id) {\n      webhooks {\n        id\n        url\n        deliveries(first: 10) {\n          edges { cursor node { deliveryId eventId statusCode error nextRetryAt } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n": types.GqlProjectWebhooksDocument,
    "\n  mutation GqlRetryDelivery($webhookId: ID!, $deliveryId: ID!) {\n    retryWebhookDelivery(webhookId: $webhookId, deliveryId: $deliveryId) {\n      __typename\n      ... on RetryWebhookDeliverySuccess { nextAttemptAt }\n      ... on UserError { message }\n    }\n  }\n": types.GqlRetryDeliveryDocument,
    "\n  mutation GqlDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id) {\n      __typename\n      ... on DeleteWebhookSuccess { deletedWebhookId }\n      ... on UserError { message }\n    }\n  }\n": types.GqlDeleteWebhookDocument,
    "\n  query FilteredProjectWorkspaces(\n    $project: ID!\n    $filter: WorkspaceFilter\n    $status: WorkspaceStatus\n    $first: Int\n    $after: String\n  ) {\n    project(id: $project) {\n      workspaces(filter: $filter, status: $status, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id } }\n      }\n    }\n  }\n": types.FilteredProjectWorkspacesDocument,
    "\n  query FilteredViewerWorkspaces($filter: WorkspaceFilter, $first: Int, $after: String) {\n    viewer {\n      workspaces(filter: $filter, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id status labels { key value } } }\n      }\n    }\n  }\n": types.FilteredViewerWorkspacesDocument,
    "\n  query FilteredViewerWorkspacesLast($filter: WorkspaceFilter, $last: Int) {\n    viewer {\n      workspaces(filter: $filter, last: $last) {\n        pageInfo { hasPreviousPage }\n        edges { node { id } }\n      }\n    }\n  }\n": types.FilteredViewerWorkspacesLastDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      id\n      email\n      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      projects(first: 10) { totalCount edges { node { id name } } }\n    }\n  }\n"): typeof import('./graphql.js').ViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectById($id: ID!) {\n    project(id: $id) {\n      id\n      name\n      defaultBranch\n      createdAt\n      workspaces(first: 10) { totalCount edges { node { id } } }\n    }\n  }\n"): typeof import('./graphql.js').ProjectByIdDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkspaceById($id: ID!) {\n    workspace(id: $id) {\n      id\n      projectId\n      project { id name }\n      status\n      hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      keepActive\n      machineId\n      privateIp\n      gitRef\n      previewToken\n      errorMessage\n      createdAt\n      updatedAt\n    }\n  }\n"): typeof import('./graphql.js').WorkspaceByIdDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWorkspace($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        workspace {\n          id\n          projectId\n          status\n          keepActive\n          previewToken\n          hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n          project { id name }\n        }\n      }\n      ... on Error { message }\n      ... on InvalidHardwareError { issues { field message } }\n      ... on IdempotencyConflictError { inProgress }\n    }\n  }\n"): typeof import('./graphql.js').CreateWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { project { id name defaultBranch workspaces { totalCount } } }\n      ... on InvalidInputError { message issues { field message } }\n    }\n  }\n"): typeof import('./graphql.js').CreateProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateDefaultHardware($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { message issues { field message } }\n    }\n  }\n"): typeof import('./graphql.js').UpdateDefaultHardwareDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartWorkspace($id: ID!) {\n    startWorkspace(id: $id) {\n      __typename\n      ... on StartWorkspaceSuccess { workspace { id status } }\n      ... on Error { message }\n      ... on InvalidTransitionError { status }\n    }\n  }\n"): typeof import('./graphql.js').StartWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StopWorkspace($id: ID!) {\n    stopWorkspace(id: $id) {\n      __typename\n      ... on StopWorkspaceSuccess { workspace { id status } }\n      ... on Error { message }\n      ... on InvalidTransitionError { status }\n    }\n  }\n"): typeof import('./graphql.js').StopWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteWorkspace($id: ID!) {\n    deleteWorkspace(id: $id) {\n      __typename\n      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }\n      ... on Error { message }\n    }\n  }\n"): typeof import('./graphql.js').DeleteWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HardwareOptions {\n    hardwareOptions {\n      cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }\n      volumeSizeGb { min max }\n      gpuKinds { kind cpuKind }\n    }\n  }\n"): typeof import('./graphql.js').HardwareOptionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConventionsCreate($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        replayed\n        workspace { id status machineId hardware { cpuKind cpus memoryMb gpuKind } keepActive }\n      }\n      ... on UserError { message }\n      ... on QuotaExceededError { quota }\n      ... on InvalidInputError { issues { field message } }\n      ... on RateLimitedError { retryAfterSeconds }\n    }\n  }\n"): typeof import('./graphql.js').ConventionsCreateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ProjectThenCreate($projectId: ID!) {\n    createProject(input: { name: \"made first\" }) {\n      __typename\n      ... on CreateProjectSuccess { project { id name } }\n    }\n    createWorkspace(input: { projectId: $projectId }) {\n      __typename\n      ... on CreateWorkspaceSuccess { workspace { id } }\n      ... on RateLimitedError { message retryAfterSeconds }\n    }\n  }\n"): typeof import('./graphql.js').ProjectThenCreateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConventionsDefaults($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n"): typeof import('./graphql.js').ConventionsDefaultsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodeById($id: ID!) {\n    node(id: $id) {\n      __typename\n      id\n      ... on Workspace { status project { id } }\n      ... on Project { name }\n      ... on User { email }\n    }\n  }\n"): typeof import('./graphql.js').NodeByIdDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NodesByIds($ids: [ID!]!) {\n    nodes(ids: $ids) { __typename id }\n  }\n"): typeof import('./graphql.js').NodesByIdsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProjectWithKey($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { replayed project { id name defaultBranch createdAt } }\n      ... on IdempotencyConflictError { message inProgress }\n      ... on InvalidInputError { message issues { field message } }\n    }\n  }\n"): typeof import('./graphql.js').CreateProjectWithKeyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectEventsPage($id: ID!, $first: Int, $after: String) {\n    project(id: $id) {\n      events(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            id type workspaceId projectId at fromStatus toStatus reason\n            actor { type userId tokenId }\n            changes { field to }\n          }\n        }\n        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ProjectEventsPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkspaceHistoryPage($id: ID!, $first: Int, $after: String) {\n    node(id: $id) {\n      ... on Workspace {\n        history(first: $first, after: $after) {\n          edges { node { id type fromStatus toStatus reason actor { type userId } } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').WorkspaceHistoryPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ProjectEventsLive($projectId: ID!, $after: String) {\n    projectEvents(projectId: $projectId, after: $after) { id type workspaceId reason }\n  }\n"): typeof import('./graphql.js').ProjectEventsLiveDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateWithHardware($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess {\n        workspace { hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n"): typeof import('./graphql.js').CreateWithHardwareDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDefaultHardware($input: HardwareInput!) {\n    updateDefaultHardware(input: $input) {\n      __typename\n      ... on UpdateDefaultHardwareSuccess {\n        user { defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind } }\n      }\n      ... on InvalidHardwareError { issues { field message } }\n    }\n  }\n"): typeof import('./graphql.js').SetDefaultHardwareDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WorkspacePage($project: ID!, $first: Int, $after: String, $status: WorkspaceStatus) {\n    project(id: $project) {\n      workspaces(first: $first, after: $after, status: $status) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { cursor node { id status createdAt } }\n      }\n    }\n  }\n"): typeof import('./graphql.js').WorkspacePageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectPage($first: Int, $after: String) {\n    viewer {\n      projects(first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id } }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ProjectPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerProjectsWorkspaces {\n    viewer {\n      id\n      email\n      defaultHardware { cpus }\n      projects(first: 20) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges {\n          cursor\n          node {\n            id\n            name\n            workspaces(first: 50) {\n              totalCount\n              pageInfo { hasNextPage }\n              edges {\n                node {\n                  id\n                  status\n                  hardware { cpuKind cpus memoryMb }\n                  createdAt\n                  project { id name }\n                }\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ViewerProjectsWorkspacesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectPageEveryField($id: ID!, $after: String, $filter: WorkspaceFilter) {\n    project(id: $id) {\n      id\n      name\n      workspaces(first: 50, after: $after, filter: $filter) {\n        pageInfo { hasNextPage endCursor }\n        edges {\n          cursor\n          node {\n            id projectId status keepActive machineId privateIp gitRef previewToken errorMessage\n            createdAt updatedAt autoStopMinutes maxRunMinutes autoDeleteMinutes lastActivityAt\n            autoStopAt autoDeleteAt stopReason\n            labels { key value }\n            hardware { cpuKind cpus memoryMb gpuKind volumeSizeGb }\n            project { id name defaultBranch createdAt }\n          }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ProjectPageEveryFieldDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ViewerEmail {\n    viewer { email }\n  }\n"): typeof import('./graphql.js').ViewerEmailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WatchWorkspace($id: ID!) {\n    workspaceStatus(id: $id) { id status }\n  }\n"): typeof import('./graphql.js').WatchWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n              query ProjectName($id: ID!) {\n                project(id: $id) { name }\n              }\n            "): typeof import('./graphql.js').ProjectNameDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n            query BadCursor($after: String) {\n              viewer { projects(after: $after) { totalCount } }\n            }\n          "): typeof import('./graphql.js').BadCursorDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GqlCreateWebhook($input: CreateWebhookInput!) {\n    createWebhook(input: $input) {\n      __typename\n      ... on CreateWebhookSuccess { secret webhook { id url eventTypes description disabledAt } }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').GqlCreateWebhookDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query GqlProjectWebhooks($id: ID!) {\n    project(id: $id) {\n      webhooks {\n        id\n        url\n        deliveries(first: 10) {\n          edges { cursor node { deliveryId eventId statusCode error nextRetryAt } }\n          pageInfo { hasNextPage endCursor }\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').GqlProjectWebhooksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GqlRetryDelivery($webhookId: ID!, $deliveryId: ID!) {\n    retryWebhookDelivery(webhookId: $webhookId, deliveryId: $deliveryId) {\n      __typename\n      ... on RetryWebhookDeliverySuccess { nextAttemptAt }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').GqlRetryDeliveryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GqlDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id) {\n      __typename\n      ... on DeleteWebhookSuccess { deletedWebhookId }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').GqlDeleteWebhookDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilteredProjectWorkspaces(\n    $project: ID!\n    $filter: WorkspaceFilter\n    $status: WorkspaceStatus\n    $first: Int\n    $after: String\n  ) {\n    project(id: $project) {\n      workspaces(filter: $filter, status: $status, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id } }\n      }\n    }\n  }\n"): typeof import('./graphql.js').FilteredProjectWorkspacesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilteredViewerWorkspaces($filter: WorkspaceFilter, $first: Int, $after: String) {\n    viewer {\n      workspaces(filter: $filter, first: $first, after: $after) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        edges { node { id status labels { key value } } }\n      }\n    }\n  }\n"): typeof import('./graphql.js').FilteredViewerWorkspacesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FilteredViewerWorkspacesLast($filter: WorkspaceFilter, $last: Int) {\n    viewer {\n      workspaces(filter: $filter, last: $last) {\n        pageInfo { hasPreviousPage }\n        edges { node { id } }\n      }\n    }\n  }\n"): typeof import('./graphql.js').FilteredViewerWorkspacesLastDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
