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
    "\n  query ConsoleViewer {\n    viewer {\n      id\n      email\n      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      projects(first: 50) { edges { node { id name viewerRole } } }\n    }\n    hardwareOptions { ...ConsoleHardwareOptions }\n  }\n": typeof types.ConsoleViewerDocument,
    "\n  fragment ConsoleHardwareOptions on HardwareOptions {\n    cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }\n    volumeSizeGb { min max }\n    gpuKinds { kind cpuKind }\n  }\n": typeof types.ConsoleHardwareOptionsFragmentDoc,
    "\n  mutation ConsoleCreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { project { id name } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field message } }\n    }\n  }\n": typeof types.ConsoleCreateProjectDocument,
    "\n  fragment ConsoleWorkspaceFields on Workspace {\n    id\n    status\n    hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n    keepActive\n    labels { key value }\n    autoStopMinutes\n    maxRunMinutes\n    autoStopAt\n    lastActivityAt\n    stopReason\n    machineId\n    privateIp\n    gitRef\n    errorMessage\n    updatedAt\n  }\n": typeof types.ConsoleWorkspaceFieldsFragmentDoc,
    "\n  query ConsoleProjectWorkspaces($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      members { userId email role }\n      workspaces(first: 100) { edges { node { ...ConsoleWorkspaceFields } } }\n    }\n  }\n": typeof types.ConsoleProjectWorkspacesDocument,
    "\n  mutation ConsoleCreateWorkspace($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n      ... on InvalidHardwareError { issues { field displayMessage } }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": typeof types.ConsoleCreateWorkspaceDocument,
    "\n  mutation ConsoleStopWorkspace($id: ID!) {\n    stopWorkspace(id: $id) {\n      __typename\n      ... on StopWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n": typeof types.ConsoleStopWorkspaceDocument,
    "\n  mutation ConsoleStartWorkspace($id: ID!) {\n    startWorkspace(id: $id) {\n      __typename\n      ... on StartWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n": typeof types.ConsoleStartWorkspaceDocument,
    "\n  mutation ConsoleDeleteWorkspace($id: ID!) {\n    deleteWorkspace(id: $id) {\n      __typename\n      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }\n      ... on UserError { message }\n    }\n  }\n": typeof types.ConsoleDeleteWorkspaceDocument,
    "\n  subscription ConsoleWorkspaceStatus($id: ID!) {\n    workspaceStatus(id: $id) { ...ConsoleWorkspaceFields }\n  }\n": typeof types.ConsoleWorkspaceStatusDocument,
    "\n  mutation ConsoleKeepWorkspaceAlive($id: ID!) {\n    keepWorkspaceAlive(id: $id) {\n      __typename\n      ... on KeepWorkspaceAliveSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n": typeof types.ConsoleKeepWorkspaceAliveDocument,
    "\n  mutation ConsoleUpdateWorkspace($id: ID!, $input: UpdateWorkspaceInput!) {\n    updateWorkspace(id: $id, input: $input) {\n      __typename\n      ... on UpdateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n      ... on InvalidHardwareError { issues { field displayMessage } }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": typeof types.ConsoleUpdateWorkspaceDocument,
    "\n  fragment ConsoleWorkspaceEvent on WorkspaceEvent {\n    id\n    type\n    at\n    fromStatus\n    toStatus\n    reason\n    actor { type userId }\n    changes { field }\n  }\n": typeof types.ConsoleWorkspaceEventFragmentDoc,
    "\n  query ConsoleWorkspaceHistory($id: ID!, $after: String) {\n    workspace(id: $id) {\n      id\n      history(first: 100, after: $after) {\n        edges { node { ...ConsoleWorkspaceEvent } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": typeof types.ConsoleWorkspaceHistoryDocument,
    "\n  query ConsoleProjectMembers($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      members { userId email role }\n    }\n  }\n": typeof types.ConsoleProjectMembersDocument,
    "\n  mutation ConsoleAddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      __typename\n      ... on AddProjectMemberSuccess { member { email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": typeof types.ConsoleAddProjectMemberDocument,
    "\n  mutation ConsoleUpdateProjectMember($input: UpdateProjectMemberInput!) {\n    updateProjectMember(input: $input) {\n      __typename\n      ... on UpdateProjectMemberSuccess { member { userId email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": typeof types.ConsoleUpdateProjectMemberDocument,
    "\n  mutation ConsoleRemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input) {\n      __typename\n      ... on RemoveProjectMemberSuccess { member { userId email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": typeof types.ConsoleRemoveProjectMemberDocument,
    "\n  fragment ConsoleApiToken on ApiToken {\n    id\n    name\n    prefix\n    projectId\n    role\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n  }\n": typeof types.ConsoleApiTokenFragmentDoc,
    "\n  query ConsoleTokens {\n    viewer { id tokens { ...ConsoleApiToken } }\n  }\n": typeof types.ConsoleTokensDocument,
    "\n  mutation ConsoleCreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      __typename\n      ... on CreateApiTokenSuccess { token apiToken { ...ConsoleApiToken } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": typeof types.ConsoleCreateApiTokenDocument,
    "\n  mutation ConsoleRevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      __typename\n      ... on RevokeApiTokenSuccess { apiToken { ...ConsoleApiToken } }\n      ... on UserError { message }\n    }\n  }\n": typeof types.ConsoleRevokeApiTokenDocument,
};
const documents: Documents = {
    "\n  query ConsoleViewer {\n    viewer {\n      id\n      email\n      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      projects(first: 50) { edges { node { id name viewerRole } } }\n    }\n    hardwareOptions { ...ConsoleHardwareOptions }\n  }\n": types.ConsoleViewerDocument,
    "\n  fragment ConsoleHardwareOptions on HardwareOptions {\n    cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }\n    volumeSizeGb { min max }\n    gpuKinds { kind cpuKind }\n  }\n": types.ConsoleHardwareOptionsFragmentDoc,
    "\n  mutation ConsoleCreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { project { id name } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field message } }\n    }\n  }\n": types.ConsoleCreateProjectDocument,
    "\n  fragment ConsoleWorkspaceFields on Workspace {\n    id\n    status\n    hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n    keepActive\n    labels { key value }\n    autoStopMinutes\n    maxRunMinutes\n    autoStopAt\n    lastActivityAt\n    stopReason\n    machineId\n    privateIp\n    gitRef\n    errorMessage\n    updatedAt\n  }\n": types.ConsoleWorkspaceFieldsFragmentDoc,
    "\n  query ConsoleProjectWorkspaces($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      members { userId email role }\n      workspaces(first: 100) { edges { node { ...ConsoleWorkspaceFields } } }\n    }\n  }\n": types.ConsoleProjectWorkspacesDocument,
    "\n  mutation ConsoleCreateWorkspace($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n      ... on InvalidHardwareError { issues { field displayMessage } }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": types.ConsoleCreateWorkspaceDocument,
    "\n  mutation ConsoleStopWorkspace($id: ID!) {\n    stopWorkspace(id: $id) {\n      __typename\n      ... on StopWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n": types.ConsoleStopWorkspaceDocument,
    "\n  mutation ConsoleStartWorkspace($id: ID!) {\n    startWorkspace(id: $id) {\n      __typename\n      ... on StartWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n": types.ConsoleStartWorkspaceDocument,
    "\n  mutation ConsoleDeleteWorkspace($id: ID!) {\n    deleteWorkspace(id: $id) {\n      __typename\n      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }\n      ... on UserError { message }\n    }\n  }\n": types.ConsoleDeleteWorkspaceDocument,
    "\n  subscription ConsoleWorkspaceStatus($id: ID!) {\n    workspaceStatus(id: $id) { ...ConsoleWorkspaceFields }\n  }\n": types.ConsoleWorkspaceStatusDocument,
    "\n  mutation ConsoleKeepWorkspaceAlive($id: ID!) {\n    keepWorkspaceAlive(id: $id) {\n      __typename\n      ... on KeepWorkspaceAliveSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n": types.ConsoleKeepWorkspaceAliveDocument,
    "\n  mutation ConsoleUpdateWorkspace($id: ID!, $input: UpdateWorkspaceInput!) {\n    updateWorkspace(id: $id, input: $input) {\n      __typename\n      ... on UpdateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n      ... on InvalidHardwareError { issues { field displayMessage } }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": types.ConsoleUpdateWorkspaceDocument,
    "\n  fragment ConsoleWorkspaceEvent on WorkspaceEvent {\n    id\n    type\n    at\n    fromStatus\n    toStatus\n    reason\n    actor { type userId }\n    changes { field }\n  }\n": types.ConsoleWorkspaceEventFragmentDoc,
    "\n  query ConsoleWorkspaceHistory($id: ID!, $after: String) {\n    workspace(id: $id) {\n      id\n      history(first: 100, after: $after) {\n        edges { node { ...ConsoleWorkspaceEvent } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n": types.ConsoleWorkspaceHistoryDocument,
    "\n  query ConsoleProjectMembers($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      members { userId email role }\n    }\n  }\n": types.ConsoleProjectMembersDocument,
    "\n  mutation ConsoleAddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      __typename\n      ... on AddProjectMemberSuccess { member { email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": types.ConsoleAddProjectMemberDocument,
    "\n  mutation ConsoleUpdateProjectMember($input: UpdateProjectMemberInput!) {\n    updateProjectMember(input: $input) {\n      __typename\n      ... on UpdateProjectMemberSuccess { member { userId email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": types.ConsoleUpdateProjectMemberDocument,
    "\n  mutation ConsoleRemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input) {\n      __typename\n      ... on RemoveProjectMemberSuccess { member { userId email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": types.ConsoleRemoveProjectMemberDocument,
    "\n  fragment ConsoleApiToken on ApiToken {\n    id\n    name\n    prefix\n    projectId\n    role\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n  }\n": types.ConsoleApiTokenFragmentDoc,
    "\n  query ConsoleTokens {\n    viewer { id tokens { ...ConsoleApiToken } }\n  }\n": types.ConsoleTokensDocument,
    "\n  mutation ConsoleCreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      __typename\n      ... on CreateApiTokenSuccess { token apiToken { ...ConsoleApiToken } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n": types.ConsoleCreateApiTokenDocument,
    "\n  mutation ConsoleRevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      __typename\n      ... on RevokeApiTokenSuccess { apiToken { ...ConsoleApiToken } }\n      ... on UserError { message }\n    }\n  }\n": types.ConsoleRevokeApiTokenDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleViewer {\n    viewer {\n      id\n      email\n      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n      projects(first: 50) { edges { node { id name viewerRole } } }\n    }\n    hardwareOptions { ...ConsoleHardwareOptions }\n  }\n"): typeof import('./graphql.js').ConsoleViewerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleHardwareOptions on HardwareOptions {\n    cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }\n    volumeSizeGb { min max }\n    gpuKinds { kind cpuKind }\n  }\n"): typeof import('./graphql.js').ConsoleHardwareOptionsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) {\n      __typename\n      ... on CreateProjectSuccess { project { id name } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field message } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleCreateProjectDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleWorkspaceFields on Workspace {\n    id\n    status\n    hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }\n    keepActive\n    labels { key value }\n    autoStopMinutes\n    maxRunMinutes\n    autoStopAt\n    lastActivityAt\n    stopReason\n    machineId\n    privateIp\n    gitRef\n    errorMessage\n    updatedAt\n  }\n"): typeof import('./graphql.js').ConsoleWorkspaceFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleProjectWorkspaces($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      members { userId email role }\n      workspaces(first: 100) { edges { node { ...ConsoleWorkspaceFields } } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleProjectWorkspacesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateWorkspace($input: CreateWorkspaceInput!) {\n    createWorkspace(input: $input) {\n      __typename\n      ... on CreateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n      ... on InvalidHardwareError { issues { field displayMessage } }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleCreateWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleStopWorkspace($id: ID!) {\n    stopWorkspace(id: $id) {\n      __typename\n      ... on StopWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleStopWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleStartWorkspace($id: ID!) {\n    startWorkspace(id: $id) {\n      __typename\n      ... on StartWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleStartWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleDeleteWorkspace($id: ID!) {\n    deleteWorkspace(id: $id) {\n      __typename\n      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleDeleteWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ConsoleWorkspaceStatus($id: ID!) {\n    workspaceStatus(id: $id) { ...ConsoleWorkspaceFields }\n  }\n"): typeof import('./graphql.js').ConsoleWorkspaceStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleKeepWorkspaceAlive($id: ID!) {\n    keepWorkspaceAlive(id: $id) {\n      __typename\n      ... on KeepWorkspaceAliveSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleKeepWorkspaceAliveDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleUpdateWorkspace($id: ID!, $input: UpdateWorkspaceInput!) {\n    updateWorkspace(id: $id, input: $input) {\n      __typename\n      ... on UpdateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }\n      ... on UserError { message }\n      ... on InvalidHardwareError { issues { field displayMessage } }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleUpdateWorkspaceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleWorkspaceEvent on WorkspaceEvent {\n    id\n    type\n    at\n    fromStatus\n    toStatus\n    reason\n    actor { type userId }\n    changes { field }\n  }\n"): typeof import('./graphql.js').ConsoleWorkspaceEventFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleWorkspaceHistory($id: ID!, $after: String) {\n    workspace(id: $id) {\n      id\n      history(first: 100, after: $after) {\n        edges { node { ...ConsoleWorkspaceEvent } }\n        pageInfo { hasNextPage endCursor }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleWorkspaceHistoryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleProjectMembers($id: ID!) {\n    project(id: $id) {\n      id\n      viewerRole\n      members { userId email role }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleProjectMembersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleAddProjectMember($input: AddProjectMemberInput!) {\n    addProjectMember(input: $input) {\n      __typename\n      ... on AddProjectMemberSuccess { member { email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleAddProjectMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleUpdateProjectMember($input: UpdateProjectMemberInput!) {\n    updateProjectMember(input: $input) {\n      __typename\n      ... on UpdateProjectMemberSuccess { member { userId email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleUpdateProjectMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRemoveProjectMember($input: RemoveProjectMemberInput!) {\n    removeProjectMember(input: $input) {\n      __typename\n      ... on RemoveProjectMemberSuccess { member { userId email role } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleRemoveProjectMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ConsoleApiToken on ApiToken {\n    id\n    name\n    prefix\n    projectId\n    role\n    createdAt\n    lastUsedAt\n    expiresAt\n    revokedAt\n  }\n"): typeof import('./graphql.js').ConsoleApiTokenFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ConsoleTokens {\n    viewer { id tokens { ...ConsoleApiToken } }\n  }\n"): typeof import('./graphql.js').ConsoleTokensDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleCreateApiToken($input: CreateApiTokenInput!) {\n    createApiToken(input: $input) {\n      __typename\n      ... on CreateApiTokenSuccess { token apiToken { ...ConsoleApiToken } }\n      ... on UserError { message }\n      ... on InvalidInputError { issues { field displayMessage } }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleCreateApiTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConsoleRevokeApiToken($id: ID!) {\n    revokeApiToken(id: $id) {\n      __typename\n      ... on RevokeApiTokenSuccess { apiToken { ...ConsoleApiToken } }\n      ... on UserError { message }\n    }\n  }\n"): typeof import('./graphql.js').ConsoleRevokeApiTokenDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
