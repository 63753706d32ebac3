/** The console's GraphQL operations, typed by `npm run codegen` into console/generated. */
import { graphql } from "../generated/index.js";

export const ConsoleViewer = graphql(`
  query ConsoleViewer {
    viewer {
      id
      email
      defaultHardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }
      projects(first: 50) { edges { node { id name viewerRole } } }
    }
    hardwareOptions { ...ConsoleHardwareOptions }
  }
`);

/** What may be ordered: the form offers these choices only (no free text). */
export const ConsoleHardwareOptions = graphql(`
  fragment ConsoleHardwareOptions on HardwareOptions {
    cpuKinds { kind cpuCounts { cpus memoryMb { min max step } } }
    volumeSizeGb { min max }
    gpuKinds { kind cpuKind }
  }
`);

export const ConsoleCreateProject = graphql(`
  mutation ConsoleCreateProject($input: CreateProjectInput!) {
    createProject(input: $input) {
      __typename
      ... on CreateProjectSuccess { project { id name } }
      ... on UserError { message }
      ... on InvalidInputError { issues { field message } }
    }
  }
`);

export const ConsoleWorkspaceFields = graphql(`
  fragment ConsoleWorkspaceFields on Workspace {
    id
    status
    hardware { cpuKind cpus memoryMb volumeSizeGb gpuKind }
    keepActive
    labels { key value }
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
`);

export const ConsoleProjectWorkspaces = graphql(`
  query ConsoleProjectWorkspaces($id: ID!) {
    project(id: $id) {
      id
      viewerRole
      members { userId email role }
      workspaces(first: 100) { edges { node { ...ConsoleWorkspaceFields } } }
    }
  }
`);

export const ConsoleCreateWorkspace = graphql(`
  mutation ConsoleCreateWorkspace($input: CreateWorkspaceInput!) {
    createWorkspace(input: $input) {
      __typename
      ... on CreateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }
      ... on UserError { message }
      ... on InvalidHardwareError { issues { field displayMessage } }
      ... on InvalidInputError { issues { field displayMessage } }
    }
  }
`);

export const ConsoleStopWorkspace = graphql(`
  mutation ConsoleStopWorkspace($id: ID!) {
    stopWorkspace(id: $id) {
      __typename
      ... on StopWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }
      ... on UserError { message }
    }
  }
`);

export const ConsoleStartWorkspace = graphql(`
  mutation ConsoleStartWorkspace($id: ID!) {
    startWorkspace(id: $id) {
      __typename
      ... on StartWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }
      ... on UserError { message }
    }
  }
`);

export const ConsoleDeleteWorkspace = graphql(`
  mutation ConsoleDeleteWorkspace($id: ID!) {
    deleteWorkspace(id: $id) {
      __typename
      ... on DeleteWorkspaceSuccess { deletedWorkspaceId }
      ... on UserError { message }
    }
  }
`);

export const ConsoleWorkspaceStatus = graphql(`
  subscription ConsoleWorkspaceStatus($id: ID!) {
    workspaceStatus(id: $id) { ...ConsoleWorkspaceFields }
  }
`);

export const ConsoleKeepWorkspaceAlive = graphql(`
  mutation ConsoleKeepWorkspaceAlive($id: ID!) {
    keepWorkspaceAlive(id: $id) {
      __typename
      ... on KeepWorkspaceAliveSuccess { workspace { ...ConsoleWorkspaceFields } }
      ... on UserError { message }
    }
  }
`);

export const ConsoleUpdateWorkspace = graphql(`
  mutation ConsoleUpdateWorkspace($id: ID!, $input: UpdateWorkspaceInput!) {
    updateWorkspace(id: $id, input: $input) {
      __typename
      ... on UpdateWorkspaceSuccess { workspace { ...ConsoleWorkspaceFields } }
      ... on UserError { message }
      ... on InvalidHardwareError { issues { field displayMessage } }
      ... on InvalidInputError { issues { field displayMessage } }
    }
  }
`);

/** One line of a workspace's history: what happened, who did it and why. */
export const ConsoleWorkspaceEvent = graphql(`
  fragment ConsoleWorkspaceEvent on WorkspaceEvent {
    id
    type
    at
    fromStatus
    toStatus
    reason
    actor { type userId }
    changes { field }
  }
`);

/** A page of the history, oldest first: the page reads on with `after` while there is more. */
export const ConsoleWorkspaceHistory = graphql(`
  query ConsoleWorkspaceHistory($id: ID!, $after: String) {
    workspace(id: $id) {
      id
      history(first: 100, after: $after) {
        edges { node { ...ConsoleWorkspaceEvent } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`);

/** A project's members and your role on it (teams, issue 19): read again after each change. */
export const ConsoleProjectMembers = graphql(`
  query ConsoleProjectMembers($id: ID!) {
    project(id: $id) {
      id
      viewerRole
      members { userId email role }
    }
  }
`);

export const ConsoleAddProjectMember = graphql(`
  mutation ConsoleAddProjectMember($input: AddProjectMemberInput!) {
    addProjectMember(input: $input) {
      __typename
      ... on AddProjectMemberSuccess { member { email role } }
      ... on UserError { message }
      ... on InvalidInputError { issues { field displayMessage } }
    }
  }
`);

export const ConsoleUpdateProjectMember = graphql(`
  mutation ConsoleUpdateProjectMember($input: UpdateProjectMemberInput!) {
    updateProjectMember(input: $input) {
      __typename
      ... on UpdateProjectMemberSuccess { member { userId email role } }
      ... on UserError { message }
      ... on InvalidInputError { issues { field displayMessage } }
    }
  }
`);

export const ConsoleRemoveProjectMember = graphql(`
  mutation ConsoleRemoveProjectMember($input: RemoveProjectMemberInput!) {
    removeProjectMember(input: $input) {
      __typename
      ... on RemoveProjectMemberSuccess { member { userId email role } }
      ... on UserError { message }
      ... on InvalidInputError { issues { field displayMessage } }
    }
  }
`);

/** One of your API tokens as the Tokens panel lists it (never the secret). */
export const ConsoleApiToken = graphql(`
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
`);

export const ConsoleTokens = graphql(`
  query ConsoleTokens {
    viewer { id tokens { ...ConsoleApiToken } }
  }
`);

export const ConsoleCreateApiToken = graphql(`
  mutation ConsoleCreateApiToken($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      __typename
      ... on CreateApiTokenSuccess { token apiToken { ...ConsoleApiToken } }
      ... on UserError { message }
      ... on InvalidInputError { issues { field displayMessage } }
    }
  }
`);

export const ConsoleRevokeApiToken = graphql(`
  mutation ConsoleRevokeApiToken($id: ID!) {
    revokeApiToken(id: $id) {
      __typename
      ... on RevokeApiTokenSuccess { apiToken { ...ConsoleApiToken } }
      ... on UserError { message }
    }
  }
`);
