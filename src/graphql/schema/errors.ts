/**
 * Expected failures as result-union members. Services return `{ ok: false, error }`; `unwrap`
 * throws the matching class below, and @pothos/plugin-errors turns it into the union member when
 * the field lists that class. Anything else stays a GraphQL error (and is masked if unexpected).
 */
import { GraphQLError } from "graphql";
import type {
  ProjectRole as Role,
  WorkspaceStatus as Status,
} from "../../generated/prisma/enums.js";
import {
  type FieldIssue,
  GRAPHQL_DIALECT,
  hardwareIssue,
  PERSON_DIALECT,
  problemMessage,
} from "../../services/hardware-messages.js";
import type { Result, ServiceError } from "../../services/result.js";
import { builder } from "../builder.js";
import { ProjectRole, WorkspaceStatus } from "./enums.js";

/** A hardware issue in GraphQL's names, and the same problem worded for a person. */
export interface HardwareIssueValue extends FieldIssue {
  displayMessage: string;
}

export class InvalidHardwareError extends Error {
  constructor(
    message: string,
    readonly issues: readonly HardwareIssueValue[],
  ) {
    super(message);
  }
}

export class ProjectNotFoundError extends Error {}

export class WorkspaceNotFoundError extends Error {}

export class InvalidTransitionError extends Error {
  constructor(
    message: string,
    readonly status: Status,
  ) {
    super(message);
  }
}

export class IdempotencyConflictError extends Error {
  constructor(
    message: string,
    readonly inProgress: boolean,
  ) {
    super(message);
  }
}

/**
 * Input the service refused. A field that lists it answers the union member (data); on a field
 * that does not, it stays a GraphQLError and reaches the client as BAD_USER_INPUT, unmasked.
 */
export class InvalidInputError extends GraphQLError {
  readonly issues: readonly HardwareIssueValue[];
  constructor(message: string, issues: readonly FieldIssue[]) {
    const named = issues.map(namedIssue);
    super(message, { extensions: { code: "BAD_USER_INPUT", issues: named } });
    this.issues = named.map((issue) => ({ ...issue, displayMessage: issue.message }));
  }
}

/**
 * Over WORKSPACE_QUOTA. Listed on createWorkspace it is data; anywhere else it stays the
 * RATE_LIMITED error (HTTP 429) of CONTRACT section 7.
 */
export class QuotaExceededError extends GraphQLError {
  constructor(
    message: string,
    readonly quota: number,
  ) {
    super(message, { extensions: { code: "RATE_LIMITED", quota, http: { status: 429 } } });
  }
}

/** CREATE_RATE_LIMIT_PER_MINUTE refused this field in a document whose other mutations ran. */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** A member whose role is too low for the action (services/access-policy.ts); nothing changed. */
export class ForbiddenError extends GraphQLError {
  constructor(
    message: string,
    readonly requiredRole: Role,
  ) {
    // Listed in a result union it is data; elsewhere a FORBIDDEN error (HTTP 403 alone).
    super(message, { extensions: { code: "FORBIDDEN", requiredRole: requiredRole.toUpperCase() } });
  }
}

/** No such webhook endpoint (or delivery of it), or not yours to manage. */
export class WebhookNotFoundError extends Error {}

/** No such member of the project (by user id, or by email while pending). */
export class MemberNotFoundError extends Error {}

/** No such token of yours. */
export class TokenNotFoundError extends Error {}

/** Removing or demoting the project's last admin. */
export class LastAdminError extends Error {}

/** "must be …" becomes "idempotencyKey must be …": every field error's message names its field. */
function namedIssue(issue: FieldIssue): FieldIssue {
  const last = issue.field.split(".").at(-1) ?? issue.field;
  return issue.message.startsWith(last)
    ? issue
    : { field: issue.field, message: `${last} ${issue.message}` };
}

/** A service's expected failure as the error the schema knows. */
export function resultError(error: ServiceError): Error {
  switch (error.code) {
    case "INVALID_HARDWARE":
      return new InvalidHardwareError(
        error.message,
        error.problems.map((problem) => ({
          ...hardwareIssue(problem, error.target, GRAPHQL_DIALECT),
          displayMessage: problemMessage(problem, PERSON_DIALECT),
        })),
      );
    case "INVALID_INPUT":
      return new InvalidInputError(error.message, error.issues);
    case "PROJECT_NOT_FOUND":
      return new ProjectNotFoundError(error.message);
    case "WORKSPACE_NOT_FOUND":
      return new WorkspaceNotFoundError(error.message);
    case "INVALID_TRANSITION":
      return new InvalidTransitionError(error.message, error.status);
    case "IDEMPOTENCY_KEY_REUSED":
      return new IdempotencyConflictError(error.message, false);
    case "IDEMPOTENCY_IN_FLIGHT":
      return new IdempotencyConflictError(error.message, true);
    case "QUOTA_EXCEEDED":
      // Contract §7: over a limit reads RATE_LIMITED (HTTP 429), the message states the quota.
      return new QuotaExceededError(error.message, error.quota);
    case "FORBIDDEN":
      return new ForbiddenError(error.message, error.requiredRole);
    case "LAST_ADMIN":
      return new LastAdminError(error.message);
    case "MEMBER_NOT_FOUND":
      return new MemberNotFoundError(error.message);
    case "WEBHOOK_NOT_FOUND":
      return new WebhookNotFoundError(error.message);
    case "TOKEN_SCOPE":
    case "TOO_MANY_TOKENS":
      // Input the caller can change: the token asked for, or revoking one first.
      return new InvalidInputError(error.message, []);
    case "CURSOR_EXPIRED":
      // Not a union member: read where a cursor is passed (connections, projectEvents).
      return new GraphQLError(error.message, { extensions: { code: "CURSOR_EXPIRED" } });
    case "TOKEN_NOT_FOUND":
      return new TokenNotFoundError(error.message);
    case "USER_NOT_FOUND":
      return new Error(`unexpected ${error.code} in GraphQL: ${error.message}`);
  }
}

/** The value of a service result, or its error thrown for the field's result union. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw resultError(result.error);
}

const messageField = {
  description: "What went wrong, in a sentence a person can read.",
} as const;

export const UserErrorInterface = builder.interfaceRef<Error>("UserError").implement({
  description:
    "An expected failure, answered as data in a mutation's result union; each kind is a type of its own with the details it has. (Named UserError so that generated client code does not shadow JavaScript's Error.)",
  fields: (t) => ({ message: t.exposeString("message", messageField) }),
});

/** Kept for one release so that documents with `... on Error` still validate; then removed. */
export const ErrorInterface = builder.interfaceRef<Error>("Error").implement({
  description:
    "Deprecated: use UserError (the same field, implemented by the same types). Kept for one release, then removed: GraphQL cannot mark an interface @deprecated, so this note says it.",
  fields: (t) => ({ message: t.exposeString("message", messageField) }),
});

/** Every error type implements both while the old name is kept. */
const errorInterfaces = [UserErrorInterface, ErrorInterface];

/** One field-level problem, for hardware and every other input alike. */
export const FieldError = builder.objectRef<HardwareIssueValue>("FieldError").implement({
  description:
    'One problem with one input field: the field as this schema names it (e.g. "hardware.memoryMb", "idempotencyKey") and a message that names the field and says what is allowed.',
  fields: (t) => ({
    field: t.exposeString("field", {
      description: 'The input field, as a path from the mutation\'s input ("hardware.memoryMb").',
    }),
    message: t.exposeString("message", {
      description:
        'What is allowed, naming the field and API values ("memoryMb must be … for 2 SHARED cpus (got 300)").',
    }),
    displayMessage: t.exposeString("displayMessage", {
      description:
        'The same problem worded for a person filling in a form: fields by their labels, units and kinds in words ("Memory must be a multiple of 256 MB between 512 and 4096 MB for 2 shared CPUs (got 300)").',
    }),
  }),
});

const issuesField = {
  description: "Every problem found, one per field and rule, in the order of the input.",
} as const;

builder.objectType(InvalidHardwareError, {
  name: "InvalidHardwareError",
  description: "The hardware (after filling in defaults) breaks one or more rules.",
  interfaces: errorInterfaces,
  fields: (t) => ({
    issues: t.field({ ...issuesField, type: [FieldError], resolve: (error) => [...error.issues] }),
  }),
});

builder.objectType(ProjectNotFoundError, {
  name: "ProjectNotFoundError",
  description: "No such project, or not yours: the same answer either way.",
  interfaces: errorInterfaces,
});

builder.objectType(WorkspaceNotFoundError, {
  name: "WorkspaceNotFoundError",
  description: "No such workspace, or not yours: the same answer either way.",
  interfaces: errorInterfaces,
});

builder.objectType(InvalidTransitionError, {
  name: "InvalidTransitionError",
  description: "The workspace is not in a state that allows this action.",
  interfaces: errorInterfaces,
  fields: (t) => ({
    status: t.field({
      type: WorkspaceStatus,
      description: "The workspace's status now, which does not allow the action.",
      resolve: (error) => error.status,
    }),
  }),
});

builder.objectType(IdempotencyConflictError, {
  name: "IdempotencyConflictError",
  description:
    "The idempotency key was used with a different request, or its first request is still in progress.",
  interfaces: errorInterfaces,
  fields: (t) => ({
    inProgress: t.exposeBoolean("inProgress", {
      description: "true: the first request with this key is still running; retry shortly.",
    }),
  }),
});

builder.objectType(InvalidInputError, {
  name: "InvalidInputError",
  description: "The input breaks one or more rules (other than the hardware rules).",
  interfaces: errorInterfaces,
  fields: (t) => ({
    issues: t.field({ ...issuesField, type: [FieldError], resolve: (error) => [...error.issues] }),
  }),
});

builder.objectType(QuotaExceededError, {
  name: "QuotaExceededError",
  description:
    "You have as many workspaces as WORKSPACE_QUOTA allows: delete one, then create again. Nothing was created.",
  interfaces: errorInterfaces,
  fields: (t) => ({
    quota: t.exposeInt("quota", { description: "The most workspaces one user may have." }),
  }),
});

builder.objectType(RateLimitedError, {
  name: "RateLimitedError",
  description:
    "CREATE_RATE_LIMIT_PER_MINUTE refused this create in a document whose other fields ran (a document holding only creates is refused whole, with a top-level RATE_LIMITED error and HTTP 429). Nothing was created.",
  interfaces: errorInterfaces,
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt("retryAfterSeconds", {
      description: "Seconds until the budget allows a create again.",
    }),
  }),
});

builder.objectType(ForbiddenError, {
  name: "ForbiddenError",
  description:
    "You are a member of the project, but your role (or your token's role) is too low for this. Nothing changed. (Not a member: the not-found answer instead.)",
  interfaces: errorInterfaces,
  fields: (t) => ({
    requiredRole: t.field({
      type: ProjectRole,
      description: "The lowest role that may do this.",
      resolve: (error) => error.requiredRole,
    }),
  }),
});

builder.objectType(LastAdminError, {
  name: "LastAdminError",
  description:
    "A project keeps at least one admin: the last one cannot be removed or demoted. Make another member admin first. Nothing changed.",
  interfaces: errorInterfaces,
});

builder.objectType(MemberNotFoundError, {
  name: "MemberNotFoundError",
  description: "The project has no such member (a user id, or the email of a pending member).",
  interfaces: errorInterfaces,
});

builder.objectType(TokenNotFoundError, {
  name: "TokenNotFoundError",
  description: "You have no token with this id (within your token's limits).",
  interfaces: errorInterfaces,
});

builder.objectType(WebhookNotFoundError, {
  name: "WebhookNotFoundError",
  description:
    "No such webhook (or delivery of it), or not one you may manage: the same answer either way.",
  interfaces: errorInterfaces,
});
